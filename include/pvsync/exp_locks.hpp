/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exp_locks.hpp - the "locks" experiment: one stress run of a chosen lock
 * kind, shared by /sys/kernel/debug/pvsync/locks/ and the KUnit cases.
 */
#ifndef PVSYNC_EXP_LOCKS_HPP
#define PVSYNC_EXP_LOCKS_HPP

#include <pvsync/experiment.h>
#include <pvsync/stress_stats.hpp>

namespace pv::locks {

/* The lock kinds, in the order of the "lock" choice list. */
enum Kind : unsigned int {
	kind_qspinlock,
	kind_ticket,
	kind_spinlock,
	kind_busted,
	kind_qspinlock_mutant_pending,
	kind_qspinlock_mutant_head,
	nr_kinds,
};

/* Run one stress run of @kind; 0, or a negative errno if it cannot start. */
int run_kind(unsigned int kind, const stress::Config &cfg,
	     stress::Result *res);

extern const pvsync_experiment experiment;

} /* namespace pv::locks */

#endif /* PVSYNC_EXP_LOCKS_HPP */
