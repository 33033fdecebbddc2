/* SPDX-License-Identifier: GPL-2.0 */
/*
 * user.h - what the user-space glue files share among themselves (not
 * seen by C++).
 */
#ifndef PVSYNC_USER_H
#define PVSYNC_USER_H

#include <stdbool.h>

/* The host CPU that vCPU @cpu is pinned to. */
int pvu_host_cpu_of(unsigned int cpu);

/* Calibrate the TSC against CLOCK_MONOTONIC (time.c). */
void pvu_calibrate_tsc(void);

/* Set the calling thread's CPU number (cpu.c). */
void pvu_set_this_cpu(unsigned int cpu);

static inline unsigned long long pvu_rdtsc(void)
{
	unsigned int lo, hi;

	asm volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi) : : "rcx", "memory");
	return ((unsigned long long)hi << 32) | lo;
}

#endif /* PVSYNC_USER_H */
