/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiment.hpp - the "locks" experiment: one stress run of a chosen lock
 * kind, shared by /sys/kernel/debug/pvsync/locks/ and the KUnit cases.
 */
#ifndef PVSYNC_EXP_LOCKS_HPP
#define PVSYNC_EXP_LOCKS_HPP

#include <pvsync/experiment.h>
#include "locks/stress_stats.hpp"

namespace pv::locks {

/* The lock kinds, in the order of the "lock" choice list. */
enum Kind : unsigned int {
	kind_qspinlock,
	kind_ticket,
	kind_spinlock,
	kind_busted,
	kind_pvqspinlock,
	kind_qspinlock_mutant_pending,	/* mutants: must FAIL */
	kind_qspinlock_mutant_head,
	nr_kinds,
};

/* The paravirt lock's backends, in the order of the "backend" list. */
enum Backend : unsigned int {
	backend_emulated,
	backend_native,
	backend_host,
	backend_emulated_spurious,	/* wait() returns on any interrupt */
	nr_backends,
};

/* Its variants: the lock and its mutants ("variant" list). */
enum Variant : unsigned int {
	variant_correct,
	variant_seed_unhash_flaw,
	variant_unlock_ignores_slow,
	variant_slow_every_pass,
	variant_wake_stores_running,
	variant_wait_node_no_mb,
	variant_unhash_before_locked,
	nr_variants,
};

/*
 * Run one stress run of @kind; 0, or a negative errno if it cannot start.
 * pvqspinlock runs with the emulated backend, correct variant.
 */
int run_kind(unsigned int kind, const stress::Config &cfg,
	     stress::Result *res);

/*
 * One stress run of pvqspinlock with @backend and @variant; the lock's own
 * failure record (pv_hash.hpp) is reset first and copied into @res.
 * @expected: failures are expected (a KUnit case catching a mutant): log
 * them without WARNing.  -ENODEV when the backend cannot run here.
 */
int run_pv(unsigned int backend, unsigned int variant,
	   const stress::Config &cfg, stress::Result *res,
	   bool expected = false);

extern const pvsync_experiment experiment;

} /* namespace pv::locks */

#endif /* PVSYNC_EXP_LOCKS_HPP */
