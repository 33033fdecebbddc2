// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c - CPU numbers, preemption, local irqs and cross-CPU calls for
 * pvsync's C++ (see kapi.h).
 */
#include <linux/cpumask.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/smp.h>

#include <pvsync/kapi.h>

unsigned int pvk_this_cpu(void)
{
	return raw_smp_processor_id();
}

unsigned int pvk_nr_cpu_ids(void)
{
	return nr_cpu_ids;
}

unsigned int pvk_num_online_cpus(void)
{
	return num_online_cpus();
}

unsigned int pvk_nth_online_cpu(unsigned int n)
{
	unsigned int cpu;

	n %= num_online_cpus();
	for_each_online_cpu(cpu) {
		if (!n--)
			return cpu;
	}
	return cpumask_first(cpu_online_mask);
}

void pvk_preempt_disable(void)
{
	preempt_disable();
}

void pvk_preempt_enable(void)
{
	preempt_enable();
}

bool pvk_preemptible(void)
{
	return preemptible();
}

unsigned long pvk_local_irq_save(void)
{
	unsigned long flags;

	local_irq_save(flags);
	return flags;
}

void pvk_local_irq_restore(unsigned long flags)
{
	local_irq_restore(flags);
}

bool pvk_irqs_disabled(void)
{
	return irqs_disabled();
}

bool pvk_in_hardirq(void)
{
	return in_hardirq();
}

int pvk_run_on_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg,
		   bool wait)
{
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENODEV;
	return smp_call_function_single(cpu, fn, arg, wait);
}
