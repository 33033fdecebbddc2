/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_control.hpp - how every experiment's coordinator waits out a run.
 */
#ifndef PVSYNC_RUN_CONTROL_HPP
#define PVSYNC_RUN_CONTROL_HPP

#include <stdint.h>

#include "core/text_buf.hpp"

namespace pv {

/*
 * run_for - sleep for the run's @duration_ms in short steps, ending early
 * when the module is being unloaded or the task that started the run gets
 * a signal.
 *
 * Return: nullptr for a full run, else why it ended early: "unload" or
 * "signal", as the results print it (stopped_early).
 */
const char *run_for(unsigned int duration_ms);

/*
 * run_until - run_for(@duration_ms), then keep going until @reached(@arg)
 * holds, for at most @limit_ms in all (@limit_ms below @duration_ms is
 * taken as @duration_ms).  A run whose check needs an event that only
 * contention produces (a halted queue head, a post in a race window) is
 * driven this way until the event has happened often enough to make the
 * check's verdict certain; the caller re-checks @reached for the verdict
 * and names the run "not exercised" when it still fails.
 *
 * Return: as run_for().
 */
const char *run_until(unsigned int duration_ms, unsigned int limit_ms,
		      bool (*reached)(void *arg), void *arg);

/*
 * print_run - the lines every result has about how its run went:
 * threads_started, threads_wedged, stopped_early ("no" for a full run)
 * and elapsed_ms.
 */
void print_run(TextBuf &out, unsigned int threads_started,
	       unsigned int threads_wedged, const char *stopped_early,
	       uint64_t elapsed_ns);

} /* namespace pv */

#endif /* PVSYNC_RUN_CONTROL_HPP */
