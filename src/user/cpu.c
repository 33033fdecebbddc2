// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c - CPU numbers, preemption and local irqs for pvsync's C++ in user
 * space (see kapi.h and ukapi.h).
 *
 * A CPU number is a vCPU: the thread that pvk_thread_start() runs for CPU
 * c reads c from pvk_this_cpu() for its whole life, and is pinned to host
 * CPU c mod pvu_host_cpus().  The main thread is CPU 0.  So every CPU
 * number has one thread, its per-CPU memory (MCS nodes, lock event
 * counters) is touched by that thread only, and more vCPUs than host CPUs
 * is a real overcommit: the host scheduler preempts a vCPU anywhere, lock
 * holder or not, as a hypervisor does.
 *
 * A user thread cannot disable preemption or interrupts, and there are no
 * interrupts to disable: the guards are no-ops.  That is faithful to the
 * vCPU view: a guest's preempt_disable() does not stop the host either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>

#include <pvsync/compiler.h>
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>
#include "user.h"

static int host_cpu[PVU_MAX_VCPUS];
static unsigned int nr_host_cpus = 1;
static unsigned int nr_vcpus = 1;
static __thread unsigned int this_cpu;

int pvu_init(void)
{
	cpu_set_t set;
	unsigned int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && n < PVU_MAX_VCPUS; c++) {
		if (CPU_ISSET(c, &set))
			host_cpu[n++] = c;
	}
	if (!n)
		return -ENODEV;
	nr_host_cpus = n;
	nr_vcpus = n;
	pvu_calibrate_tsc();
	return 0;
}

unsigned int pvu_host_cpus(void)
{
	return nr_host_cpus;
}

int pvu_set_vcpus(unsigned int n)
{
	if (n < 1 || n > PVU_MAX_VCPUS)
		return -EINVAL;
	__atomic_store_n(&nr_vcpus, n, __ATOMIC_RELAXED);
	return 0;
}

int pvu_host_cpu_of(unsigned int cpu)
{
	return host_cpu[cpu % nr_host_cpus];
}

void pvu_set_this_cpu(unsigned int cpu)
{
	this_cpu = cpu;
}

unsigned int pvk_this_cpu(void)
{
	return this_cpu;
}

unsigned int pvk_nr_cpu_ids(void)
{
	return PVU_MAX_VCPUS;
}

unsigned int pvk_num_online_cpus(void)
{
	return __atomic_load_n(&nr_vcpus, __ATOMIC_RELAXED);
}

unsigned int pvk_nth_online_cpu(unsigned int n)
{
	return n % pvk_num_online_cpus();
}

bool pvk_cpu_possible(unsigned int cpu)
{
	return cpu < PVU_MAX_VCPUS;
}

void pvk_preempt_disable(void)
{
}

void pvk_preempt_enable(void)
{
}

unsigned long pvk_local_irq_save(void)
{
	return 0;
}

void pvk_local_irq_restore(unsigned long flags)
{
}
