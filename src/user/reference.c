// SPDX-License-Identifier: GPL-2.0
/*
 * reference.c - glibc's pthread_spin_lock() timed the way ubench times
 * pvsync's locks, as the reference for the uncontended figures (see
 * ukapi.h).  The loop is here, in C, because C++ in pvsync includes no
 * libc header; it measures, it implements nothing.
 */
#include <pthread.h>
#include <stdbool.h>

#include <pvsync/compiler.h>
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>
#include "user.h"

unsigned long long pvu_pthread_spin_ticks(unsigned int pairs)
{
	pthread_spinlock_t l;
	unsigned long long t0, t1;

	if (pthread_spin_init(&l, PTHREAD_PROCESS_PRIVATE))
		return 0;
	t0 = pvu_rdtsc();
	for (unsigned int i = 0; i < pairs; i++) {
		pthread_spin_lock(&l);
		pthread_spin_unlock(&l);
	}
	t1 = pvu_rdtsc();
	pthread_spin_destroy(&l);
	return t1 - t0;
}

unsigned long long pvu_empty_loop_ticks(unsigned int pairs)
{
	unsigned long long t0, t1;

	t0 = pvu_rdtsc();
	for (unsigned int i = 0; i < pairs; i++)
		asm volatile("" ::: "memory");
	t1 = pvu_rdtsc();
	return t1 - t0;
}

/*
 * The kernel's spinlock_t has no user-space build; the empty out-of-line
 * call the stress engine times as glue_call_pair_ns (kapi.h) does.
 */
void pvk_spin_call_nop(struct pvk_spinlock *l)
{
}
