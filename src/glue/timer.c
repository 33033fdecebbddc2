// SPDX-License-Identifier: GPL-2.0
/*
 * timer.c - periodic hard-irq timers pinned to a CPU, for pvsync's
 * C++ (see kapi.h).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include <pvsync/kapi.h>

struct pvk_irq_timer {
	struct hrtimer timer;
	void (*fn)(void *arg);
	void *arg;
	u64 period_ns;
};

static enum hrtimer_restart pvk_irq_timer_fire(struct hrtimer *timer)
{
	struct pvk_irq_timer *t = container_of(timer, struct pvk_irq_timer,
					       timer);

	t->fn(t->arg);
	hrtimer_forward_now(timer, ns_to_ktime(t->period_ns));
	return HRTIMER_RESTART;
}

struct pvk_irq_timer *pvk_irq_timer_create(void (*fn)(void *arg), void *arg,
					   unsigned long long period_ns)
{
	struct pvk_irq_timer *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	/* HARD: expire in hard-irq context even on PREEMPT_RT. */
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	t->timer.function = pvk_irq_timer_fire;
	t->fn = fn;
	t->arg = arg;
	t->period_ns = max_t(u64, period_ns, 1000);
	return t;
}

void pvk_irq_timer_start_here(struct pvk_irq_timer *t)
{
	hrtimer_start(&t->timer, ns_to_ktime(t->period_ns),
		      HRTIMER_MODE_REL_PINNED_HARD);
}

void pvk_irq_timer_destroy(struct pvk_irq_timer *t)
{
	if (!t)
		return;
	hrtimer_cancel(&t->timer);
	kfree(t);
}
