/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stress_stats.hpp - what a lock stress run measures and how it is judged.
 *
 * A run's verdict is PASS only when every check holds:
 *   - mutual exclusion: the owner word is free on every entry and still
 *     ours on every exit (exclusion_violations == 0), for the task-context
 *     lock and for the hard-irq lock alike;
 *   - no lost update: a plain, non-atomic counter, read on entry and
 *     written back on exit, ends equal to the number of acquisitions;
 *   - progress: every thread started, acquired at least once, and stopped
 *     when told to;
 *   - no failure detected by the lock itself (failures == 0: the
 *     paravirt lock's lost kick or hash-table failure);
 *   - exercised: with min_halts set, the lock's waiters halted at least
 *     that often, so that a check that needs halts (the lost-kick check)
 *     really ran.
 * The first failed check is the result's failure_reason.
 * The negative control lock "busted" breaks the first two every run, which
 * is what shows these checks can fail (make check runs it).
 */
#ifndef PVSYNC_STRESS_STATS_HPP
#define PVSYNC_STRESS_STATS_HPP

#include <stdint.h>

#include "core/measure.hpp"
#include "core/text_buf.hpp"

namespace pv::stress {

using measure::Histogram;
using measure::mul_div;
using measure::cycles_to_ns;
using measure::ns_to_cycles;
using measure::jain_index_x1000;

/* Settings of one lock stress run. */
struct Config {
	unsigned int threads;		/* may exceed the online CPUs */
	unsigned int duration_ms;
	unsigned int hold_ns;		/* work inside the critical section */
	unsigned int gap_ns;		/* work between acquisitions */
	unsigned int irq_every_us;	/* hard-irq acquisitions; 0: none */
	/*
	 * The run goes on past duration_ms, for at most
	 * progress_limit_ms more, until the lock's waiters have halted
	 * (waited for a kick) this many times, or the lock has recorded
	 * a failure (the run has failed already); fewer halts fail the
	 * run as "not exercised".  0: off.  Only for locks that count
	 * halts.
	 */
	unsigned int min_halts;
};

/*
 * How long a run may go on past its duration until every thread (and the
 * hard-irq lock, when on) has acquired at least once and min_halts is
 * reached: a thread that has still not acquired then is starved by the
 * lock, not by a busy host.
 */
inline constexpr unsigned int progress_limit_ms = 10000;

/* One lock's exclusion bookkeeping, touched only inside its lock. */
struct alignas(64) ExclusionCheck {
	uint32_t owner;			/* 0: free; else the holder's id */
	uint32_t violations;		/* atomic: bumped by any CPU */
	uint64_t counter;		/* plain, non-atomic on purpose */
	uint64_t acquisitions;		/* atomic total, for the counter check */
};

/* Everything a finished run reports. */
struct Result {
	const char *lock_name;
	Config cfg;
	unsigned int cpus;
	unsigned int threads_started;
	unsigned int threads_wedged;
	const char *stopped_early;	/* nullptr, "signal" or "unload" */
	uint64_t elapsed_ns;
	uint64_t acquisitions;
	uint64_t per_thread_min, per_thread_max;
	uint64_t jain_x1000;		/* Jain's fairness index x 1000 */
	uint64_t lat_p50_ns, lat_p99_ns, lat_max_ns;
	uint64_t uncontended_ps;	/* one lock+unlock pair, picoseconds */
	uint64_t glue_call_pair_ps;	/* two empty glue calls, picoseconds */
	uint32_t violations;
	uint64_t counter;
	uint32_t irq_violations;
	uint64_t irq_acquisitions, irq_counter;
	/*
	 * Failures the lock itself detected (the paravirt lock's lost kicks
	 * and hash failures, see pv_hash.hpp), which the engine asks a
	 * SelfCheckingLock for after the run (stress.hpp); any fails it.
	 */
	uint32_t failures;
	const char *failure_reason;	/* the first one, or nullptr */
	bool counts_halts;		/* the lock counts halts */
	uint64_t halts;			/* waits for a kick during the run */

	bool passed() const { return reason() == nullptr; }
	/*
	 * reason() - the first check that failed, as the result's
	 * failure_reason line names it ("exclusion violation", "lost
	 * update", "lost kick: ...", "not exercised: ..."); nullptr when
	 * the run passed.
	 */
	const char *reason() const;
	/* The measured lines; the experiment prints the settings before. */
	void print(TextBuf &out) const;
};

} /* namespace pv::stress */

#endif /* PVSYNC_STRESS_STATS_HPP */
