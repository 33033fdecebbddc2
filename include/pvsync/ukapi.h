/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ukapi.h - what the user-space build (src/user/) offers beyond kapi.h.
 *
 * In user space kapi.h is implemented by the C files of src/user/ with
 * POSIX threads (see Documentation/userspace.rst).  A few things exist only there: the
 * futex that is user space's halt and kick, the vCPU count the threads
 * stand for, the program's output, and glibc's spinlock as a reference.
 * They are declared here, never in kapi.h, so that the kernel glue does
 * not have to implement them; the kernel build includes this header
 * nowhere.  Like kapi.h it is valid C and C++ and uses only built-in
 * types.
 */
#ifndef PVSYNC_UKAPI_H
#define PVSYNC_UKAPI_H

#ifdef __cplusplus
#include <pvsync/compiler.h>
extern "C" {
#endif

/* The most vCPUs (threads with a CPU number of their own) a run can have. */
#define PVU_MAX_VCPUS 64

/**
 * pvu_init() - set the glue up: find the host CPUs this process may run
 * on, calibrate the TSC against CLOCK_MONOTONIC, one vCPU per host CPU.
 *
 * Return: 0, or a negative errno.
 */
int pvu_init(void);

/** pvu_host_cpus() - how many host CPUs the threads are pinned over. */
unsigned int pvu_host_cpus(void);

/**
 * pvu_set_vcpus() - how many CPUs the core sees online from now on.
 * @n: 1..PVU_MAX_VCPUS.
 *
 * CPU number c is a vCPU: the thread started for it by pvk_thread_start()
 * sees pvk_this_cpu() == c and is pinned to host CPU c mod
 * pvu_host_cpus(), so n above the host CPUs is a real overcommit.
 *
 * Return: 0, or -EINVAL.
 */
int pvu_set_vcpus(unsigned int n);

/**
 * pvu_futex_wait() - FUTEX_WAIT: sleep while *@word == @val.
 * @word: an aligned 32-bit word.
 * @val: the value to sleep on; compared with *@word atomically with
 *       going to sleep, in the kernel.
 *
 * Return: 0 when woken (or spuriously), -EAGAIN when *@word != @val,
 * -EINTR on a signal.
 */
int pvu_futex_wait(unsigned int *word, unsigned int val);

/**
 * pvu_futex_wake() - FUTEX_WAKE: wake up to @n sleepers on @word.
 * @word: the word they sleep on.
 * @n: how many to wake at most.
 *
 * Return: how many were woken.
 */
int pvu_futex_wake(unsigned int *word, int n);

/** pvu_printf() - print to standard output. */
void pvu_printf(const char *fmt, ...) __printf(1, 2);

/**
 * pvu_pthread_spin_ticks() - TSC ticks taken by @pairs uncontended
 * pthread_spin_lock() + pthread_spin_unlock() pairs of glibc, on the
 * calling thread; the reference for the uncontended lock figures.
 * @pairs: loop count.
 */
unsigned long long pvu_pthread_spin_ticks(unsigned int pairs);

/**
 * pvu_empty_loop_ticks() - TSC ticks taken by @pairs iterations of an
 * empty loop, the same shape as pvu_pthread_spin_ticks(): its baseline.
 * @pairs: loop count.
 */
unsigned long long pvu_empty_loop_ticks(unsigned int pairs);

#ifdef __cplusplus
}
#endif

#endif /* PVSYNC_UKAPI_H */
