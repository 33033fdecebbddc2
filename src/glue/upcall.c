// SPDX-License-Identifier: GPL-2.0
/*
 * upcall.c - what the upcall experiment needs from the kernel: task
 * migration on demand (the migrate mutant) and hardware data breakpoints
 * (interrupt injection at an exact point of compiled code).  See kapi.h.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/hw_breakpoint.h>
#include <linux/kernel.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <pvsync/kapi.h>

int pvk_migrate_current(unsigned int cpu)
{
	might_sleep();
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENODEV;
	/* Migrates a running task synchronously, through the stopper. */
	return set_cpus_allowed_ptr(current, cpumask_of(cpu));
}

struct pvk_watch {
	struct perf_event * __percpu *bp;
	void (*fn)(void *arg);
	void *arg;
};

static void pvk_watch_hit(struct perf_event *bp, struct perf_sample_data *data,
			  struct pt_regs *regs)
{
	struct pvk_watch *w = bp->overflow_handler_context;

	w->fn(w->arg);
}

struct pvk_watch *pvk_watch_start(void *addr, unsigned int len,
				  void (*fn)(void *arg), void *arg, int *err)
{
	struct perf_event_attr attr;
	struct pvk_watch *w;

	might_sleep();
	if ((len != 1 && len != 2 && len != 4 && len != 8) ||
	    ((unsigned long)addr & (len - 1))) {
		*err = -EINVAL;
		return NULL;
	}
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	w->fn = fn;
	w->arg = arg;
	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)addr;
	attr.bp_len = len;
	/* x86 has no read-only data breakpoint: RW traps on both. */
	attr.bp_type = HW_BREAKPOINT_RW;
	w->bp = register_wide_hw_breakpoint(&attr, pvk_watch_hit, w);
	if (IS_ERR((void __force *)w->bp)) {
		*err = PTR_ERR((void __force *)w->bp);
		kfree(w);
		return NULL;
	}
	*err = 0;
	return w;
}

void pvk_watch_stop(struct pvk_watch *w)
{
	if (!w)
		return;
	might_sleep();
	unregister_wide_hw_breakpoint(w->bp);
	kfree(w);
}
