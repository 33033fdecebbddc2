// SPDX-License-Identifier: GPL-2.0
/*
 * timer.c - pvsync's pinned hard-irq timers in user space (see kapi.h):
 * a POSIX timer whose signal goes to the thread that armed it, whose
 * handler runs the timer's function.
 *
 * A signal is user space's interrupt: it arrives between any two
 * instructions of the thread it targets, and runs its handler on that
 * thread's stack, on the same vCPU (the same pvk_this_cpu()).  Like an
 * interrupt handler it does not nest in itself (the signal is blocked
 * while its handler runs).  A lock taken there queues on the vCPU's next
 * MCS node, exactly as in the kernel.  The guards cannot block it (they
 * are no-ops, cpu.c), so this is only used by runs that take no lock
 * with "irqs off" that an irq also takes: the stress engine's irq lock
 * is a lock of its own.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <pvsync/compiler.h>
#include <pvsync/kapi.h>
#include "user.h"

#define PVU_IRQ_SIGNAL (SIGRTMIN + 1)

struct pvk_irq_timer {
	void (*fn)(void *arg);
	void *arg;
	unsigned long long period_ns;
	timer_t id;
	bool armed;
};

static void irq_handler(int sig, siginfo_t *si, void *uc)
{
	struct pvk_irq_timer *t = si->si_value.sival_ptr;

	if (t)
		t->fn(t->arg);
}

struct pvk_irq_timer *pvk_irq_timer_create(void (*fn)(void *arg), void *arg,
					   unsigned long long period_ns)
{
	static bool handler_installed;
	struct pvk_irq_timer *t;

	if (!__atomic_exchange_n(&handler_installed, true, __ATOMIC_SEQ_CST)) {
		struct sigaction sa = { 0 };

		sa.sa_sigaction = irq_handler;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		if (sigaction(PVU_IRQ_SIGNAL, &sa, NULL))
			return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	t->period_ns = period_ns ? period_ns : 1;
	return t;
}

void pvk_irq_timer_start_here(struct pvk_irq_timer *t)
{
	struct sigevent sev = { 0 };
	struct itimerspec its = { 0 };

	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = PVU_IRQ_SIGNAL;
	sev.sigev_value.sival_ptr = t;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &t->id))
		return;
	t->armed = true;
	its.it_value.tv_sec = t->period_ns / 1000000000ULL;
	its.it_value.tv_nsec = t->period_ns % 1000000000ULL;
	its.it_interval = its.it_value;
	timer_settime(t->id, 0, &its, NULL);
}

/*
 * Called once the thread that armed @t has been joined: a signal still
 * queued for it died with it, so none runs @t->fn after this.
 */
void pvk_irq_timer_destroy(struct pvk_irq_timer *t)
{
	if (!t)
		return;
	if (t->armed)
		timer_delete(t->id);
	free(t);
}
