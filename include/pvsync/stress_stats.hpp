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
 *     paravirt lock's lost kick or hash-table failure).
 * The negative control lock "busted" breaks the first two every run, which
 * is what shows these checks can fail (make check runs it).
 */
#ifndef PVSYNC_STRESS_STATS_HPP
#define PVSYNC_STRESS_STATS_HPP

#include <stdint.h>

#include <pvsync/text_buf.hpp>

namespace pv::stress {

/*
 * Log-linear latency histogram in TSC cycles: 4 sub-buckets per power of
 * two, so a percentile is within 25% of the true value.
 */
struct Histogram {
	static constexpr unsigned int sub_bits = 2;
	static constexpr unsigned int nr_buckets = 64 << sub_bits;

	uint32_t bucket[nr_buckets];

	static unsigned int index(uint64_t v)
	{
		if (v < (1u << sub_bits))
			return static_cast<unsigned int>(v);
		unsigned int msb = 63 - __builtin_clzll(v);
		unsigned int sub = (v >> (msb - sub_bits)) & ((1u << sub_bits) - 1);

		return ((msb - sub_bits + 1) << sub_bits) | sub;
	}

	/* The smallest value that falls in bucket @i. */
	static uint64_t lower_bound(unsigned int i)
	{
		if (i < (1u << sub_bits))
			return i;
		unsigned int msb = (i >> sub_bits) + sub_bits - 1;
		uint64_t sub = i & ((1u << sub_bits) - 1);

		return (1ULL << msb) | (sub << (msb - sub_bits));
	}

	void add(uint64_t v) { bucket[index(v)]++; }

	void merge(const Histogram &o)
	{
		for (unsigned int i = 0; i < nr_buckets; i++)
			bucket[i] += o.bucket[i];
	}

	/* The value below which @permille per mille of samples fall. */
	uint64_t percentile(unsigned int permille) const;
};

/* Settings of one lock stress run. */
struct Config {
	unsigned int threads;		/* may exceed the online CPUs */
	unsigned int duration_ms;
	unsigned int hold_ns;		/* work inside the critical section */
	unsigned int gap_ns;		/* work between acquisitions */
	unsigned int irq_every_us;	/* hard-irq acquisitions; 0: none */
};

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
	uint32_t violations;
	uint64_t counter;
	uint32_t irq_violations;
	uint64_t irq_acquisitions, irq_counter;
	/*
	 * Failures the lock itself detected (the paravirt lock's lost kicks
	 * and hash failures, see pv_hash.hpp), filled in by the experiment
	 * after the run; any fails the run.
	 */
	uint32_t failures;
	const char *failure_reason;	/* the first one, or nullptr */

	bool passed() const;
	void print(TextBuf &out) const;
};

/* a * b / c with a 128-bit intermediate; the quotient must fit 64 bits. */
uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c);

uint64_t cycles_to_ns(uint64_t cycles);
uint64_t ns_to_cycles(uint64_t ns);

/* Jain's index (sum x)^2 / (n * sum x^2), scaled by 1000. */
uint64_t jain_index_x1000(const uint64_t *x, unsigned int n);

} /* namespace pv::stress */

#endif /* PVSYNC_STRESS_STATS_HPP */
