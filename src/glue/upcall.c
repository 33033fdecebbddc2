// SPDX-License-Identifier: GPL-2.0
/*
 * upcall.c - task migration on demand, for the upcall experiment's
 * migrate mutant (see kapi.h).
 */
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/sched.h>

#include <pvsync/kapi.h>

int pvk_migrate_current(unsigned int cpu)
{
	might_sleep();
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENODEV;
	/* Migrates a running task synchronously, through the stopper. */
	return set_cpus_allowed_ptr(current, cpumask_of(cpu));
}
