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
	variant_unlock_skips_kick,
	nr_variants,
};

/*
 * The lock's Events policy ("events" list): "on" counts lock events and
 * takes latency stamps (EventsOn, lock_events.hpp), "off" runs the
 * instantiation with both compiled out (EventsOff), what the benchmark
 * measures.  Locks that count nothing (ticket, spinlock, busted) run the
 * same code either way; the mutants exist only with counting, and refuse
 * "off" (-EINVAL).
 */
enum Events : unsigned int {
	events_on,
	events_off,
	nr_events,
};

/*
 * The experiment's settings: the stress engine's, the paravirt lock's
 * spin threshold and lost-kick bound, and the four choices (indices into the enums above).
 * Declared once, as rows, in experiment.cpp.
 */
struct Config : stress::Config {
	unsigned int spin_threshold;	/* pvqspinlock: spins before a halt */
	unsigned int lost_kick_ms;	/* emulated: halt bound before a lost kick */
	unsigned int lock;		/* enum Kind */
	unsigned int backend;		/* enum Backend, for pvqspinlock */
	unsigned int variant;		/* enum Variant, for pvqspinlock */
	unsigned int events;		/* enum Events */
};

/* The defaults of /sys/kernel/debug/pvsync/locks/. */
Config default_config();

/*
 * run - one stress run of @cfg.lock (and for pvqspinlock, @cfg.backend
 * and @cfg.variant), with @cfg.events; 0, or a negative errno when it
 * cannot start: -EINVAL for min_halts on a lock that never halts or
 * events off on a mutant, -ENODEV when the backend cannot run here.
 * @failures_expected: failures the lock detects itself are expected (a
 * KUnit case catching a mutant): log them without WARNing.
 */
int run(const Config &cfg, stress::Result *res,
	bool failures_expected = false);

/* run() of @kind with the engine settings @cfg, the rest default. */
int run_kind(unsigned int kind, const stress::Config &cfg,
	     stress::Result *res);

/* run() of pvqspinlock with @backend and @variant, the rest default. */
int run_pv(unsigned int backend, unsigned int variant,
	   const stress::Config &cfg, stress::Result *res,
	   bool failures_expected = false);

extern const pvsync_experiment experiment;

} /* namespace pv::locks */

#endif /* PVSYNC_EXP_LOCKS_HPP */
