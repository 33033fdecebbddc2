// SPDX-License-Identifier: GPL-2.0
/*
 * time.c - clocks, sleeping and run control for pvsync's C++ in user space
 * (see kapi.h).  The TSC frequency is measured once, against
 * CLOCK_MONOTONIC, by pvu_init().
 */
#include <stdbool.h>
#include <time.h>

#include <pvsync/compiler.h>
#include <pvsync/kapi.h>
#include "user.h"

static unsigned long tsc_khz;

unsigned long long pvk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The kernel's local_clock(); CLOCK_MONOTONIC serves in user space. */
unsigned long long pvk_clock_ns(void)
{
	return pvk_now_ns();
}

/*
 * The median of five 20 ms windows: a window in which the thread was
 * preempted between its two clock reads is off either way.
 */
void pvu_calibrate_tsc(void)
{
	unsigned long khz[5];

	for (int i = 0; i < 5; i++) {
		unsigned long long t0 = pvk_now_ns(), c0 = pvu_rdtsc();
		unsigned long long t1, c1;

		do {
			t1 = pvk_now_ns();
		} while (t1 - t0 < 20000000ULL);
		c1 = pvu_rdtsc();
		khz[i] = (c1 - c0) * 1000000ULL / (t1 - t0);
		for (int j = i; j > 0 && khz[j - 1] > khz[j]; j--) {
			unsigned long t = khz[j];

			khz[j] = khz[j - 1];
			khz[j - 1] = t;
		}
	}
	tsc_khz = khz[2];
}

unsigned long pvk_tsc_khz(void)
{
	return tsc_khz;
}

bool pvk_msleep_interruptible(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return nanosleep(&ts, NULL) != 0;
}

/* A user thread is preempted by the host wherever it is; no-op. */
void pvk_cond_resched(void)
{
}

/* The program ends runs on its own; nothing signals them. */
bool pvk_signal_pending(void)
{
	return false;
}

bool pvk_module_unloading(void)
{
	return false;
}

void pvk_pin_module(const char *why)
{
	pvk_log(PVK_LOG_ERR, "left running: %s", why);
}
