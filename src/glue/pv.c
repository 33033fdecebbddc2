// SPDX-License-Identifier: GPL-2.0
/*
 * pv.c - halting and kicking CPUs for the paravirt queued spinlock's
 * backends (see kapi.h and src/locks/pv/pv_backend.hpp).
 *
 * The emulated backend halts with "sti; hlt" and is woken by an IPI whose
 * handler does nothing: the wake-up is the interrupt itself, and the C++
 * tells a kick from any other interrupt by a flag the kicker sets before
 * sending.  The host backend forwards to the running kernel's own
 * paravirt lock operations (KVM or Xen hypercalls in a paravirtualised
 * guest).
 */
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/bitops.h>
#include <linux/processor.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/paravirt.h>

#include <pvsync/kapi.h>

/*
 * One call-single descriptor per target CPU.  smp_call_function_single_async()
 * must not be given a descriptor that is still queued, and its own busy
 * test is not atomic against a second sender, so pvk_kick_busy serialises
 * the senders: whoever sets the bit sends; the handler clears it.  A sender
 * that finds it set needs no IPI of its own: the one in flight has not
 * yet run its handler, so it arrives after that sender's flag store.
 */
static DEFINE_PER_CPU(unsigned long, pvk_kick_busy);

static void pvk_kick_ipi(void *info)
{
	clear_bit(0, this_cpu_ptr(&pvk_kick_busy));
}

static DEFINE_PER_CPU(call_single_data_t, pvk_kick_csd);

void pvk_safe_halt(void)
{
	/*
	 * "sti; hlt": an interrupt that is pending, or arrives, once sti has
	 * taken effect ends the hlt; none is taken in between.  irqs are
	 * disabled again before returning, for the caller's re-check.  The
	 * irq-state tracing is told, as local_irq_enable() and
	 * local_irq_disable() would tell it.
	 */
	trace_hardirqs_on();
	asm volatile("sti; hlt" : : : "memory");
	local_irq_disable();
}

void pvk_send_kick_ipi(unsigned int cpu)
{
	call_single_data_t *csd;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return;
	if (test_and_set_bit(0, per_cpu_ptr(&pvk_kick_busy, cpu)))
		return;
	/*
	 * The descriptor is ours while the bit is: the handler clears the
	 * bit only after the IPI code has released the descriptor (an
	 * async descriptor is unlocked before its function runs).
	 */
	csd = per_cpu_ptr(&pvk_kick_csd, cpu);
	INIT_CSD(csd, pvk_kick_ipi, NULL);
	if (smp_call_function_single_async(cpu, csd))
		clear_bit(0, per_cpu_ptr(&pvk_kick_busy, cpu));
}

bool pvk_kick_ipis_idle(unsigned int timeout_ms)
{
	unsigned int cpu, ms;

	for (ms = 0; ms <= timeout_ms; ms++) {
		bool busy = false;

		for_each_possible_cpu(cpu)
			busy |= test_bit(0, per_cpu_ptr(&pvk_kick_busy, cpu));
		if (!busy)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

#ifdef CONFIG_PARAVIRT_SPINLOCKS
int pvk_host_pv_available(char *why, unsigned long size)
{
	if (!boot_cpu_has(X86_FEATURE_PVUNLOCK)) {
		scnprintf(why, size,
			  "the kernel's paravirt spinlocks are not active (no KVM/Xen PV unlock)");
		return -ENODEV;
	}
	return 0;
}

void pvk_host_pv_wait(unsigned char *ptr, unsigned char val)
{
	pv_wait(ptr, val);
}

void pvk_host_pv_kick(unsigned int cpu)
{
	pv_kick(cpu);
}
#else
int pvk_host_pv_available(char *why, unsigned long size)
{
	scnprintf(why, size, "kernel built without CONFIG_PARAVIRT_SPINLOCKS");
	return -ENODEV;
}

void pvk_host_pv_wait(unsigned char *ptr, unsigned char val)
{
	cpu_relax();
}

void pvk_host_pv_kick(unsigned int cpu)
{
}
#endif
