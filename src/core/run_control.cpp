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

} /* namespace pv */
