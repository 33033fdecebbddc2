/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_control.hpp - how every experiment's coordinator waits out a run.
 */
#ifndef PVSYNC_RUN_CONTROL_HPP
#define PVSYNC_RUN_CONTROL_HPP

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

} /* namespace pv */

#endif /* PVSYNC_RUN_CONTROL_HPP */
