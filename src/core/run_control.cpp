// SPDX-License-Identifier: GPL-2.0
/*
 * run_control.cpp - see run_control.hpp.
 */
#include <pvsync/kapi.h>
#include "core/run_control.hpp"

namespace pv {

const char *run_for(unsigned int duration_ms)
{
	unsigned long long end = pvk_now_ns() + duration_ms * 1000000ULL;

	while (pvk_now_ns() < end) {
		if (pvk_module_unloading())
			return "unload";
		if (pvk_signal_pending())
			return "signal";
		pvk_msleep_interruptible(10);
	}
	return nullptr;
}

const char *run_until(unsigned int duration_ms, unsigned int limit_ms,
		      bool (*reached)(void *arg), void *arg)
{
	const char *why = run_for(duration_ms);
	unsigned int spent = duration_ms;

	while (!why && spent < limit_ms && !reached(arg)) {
		why = run_for(10);
		spent += 10;
	}
	return why;
}

void print_run(TextBuf &out, unsigned int threads_started,
	       unsigned int threads_wedged, const char *stopped_early,
	       uint64_t elapsed_ns)
{
	out.kv("threads_started", threads_started);
	out.kv("threads_wedged", threads_wedged);
	out.kv("stopped_early", stopped_early ? stopped_early : "no");
	out.kv("elapsed_ms", elapsed_ns / 1000000);
}

} /* namespace pv */
