// SPDX-License-Identifier: GPL-2.0
/*
 * time.c - clocks and sleeping for pvsync's C++ (see kapi.h).
 */
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <asm/tsc.h>

#include <pvsync/kapi.h>

unsigned long long pvk_now_ns(void)
{
	return ktime_get_ns();
}

unsigned long long pvk_clock_ns(void)
{
	return local_clock();
}

unsigned long pvk_tsc_khz(void)
{
	return tsc_khz;
}

bool pvk_msleep_interruptible(unsigned int ms)
{
	return msleep_interruptible(ms) != 0;
}

void pvk_cond_resched(void)
{
	cond_resched();
}

bool pvk_signal_pending(void)
{
	return signal_pending(current);
}
