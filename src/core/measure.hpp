/* SPDX-License-Identifier: GPL-2.0 */
/*
 * measure.hpp - measurement arithmetic every experiment shares: a
 * latency histogram, TSC cycle <-> ns conversion, a 128-bit mul_div and
 * Jain's fairness index.
 */
#ifndef PVSYNC_CORE_MEASURE_HPP
#define PVSYNC_CORE_MEASURE_HPP

#include <stdint.h>

#include "linkage.hpp"

namespace pv::measure {

/*
 * Log-linear latency histogram in TSC cycles: 4 sub-buckets per power of
 * two, so a percentile is within 25% of the true value.
 */
struct Histogram {
	/* Members are __always_inline: at -Os the compiler may emit them out
	 * of line, in COMDAT sections (src/core/linkage.hpp). */
	static constexpr unsigned int sub_bits = 2;
	static constexpr unsigned int nr_buckets = 64 << sub_bits;

	uint32_t bucket[nr_buckets];

	static __always_inline unsigned int index(uint64_t v)
	{
		if (v < (1u << sub_bits))
			return static_cast<unsigned int>(v);
		unsigned int msb = 63 - __builtin_clzll(v);
		unsigned int sub = (v >> (msb - sub_bits)) & ((1u << sub_bits) - 1);

		return ((msb - sub_bits + 1) << sub_bits) | sub;
	}

	/* The smallest value that falls in bucket @i. */
	static __always_inline uint64_t lower_bound(unsigned int i)
	{
		if (i < (1u << sub_bits))
			return i;
		unsigned int msb = (i >> sub_bits) + sub_bits - 1;
		uint64_t sub = i & ((1u << sub_bits) - 1);

		return (1ULL << msb) | (sub << (msb - sub_bits));
	}

	__always_inline void add(uint64_t v) { bucket[index(v)]++; }

	__always_inline void merge(const Histogram &o)
	{
		for (unsigned int i = 0; i < nr_buckets; i++)
			bucket[i] += o.bucket[i];
	}

	/* The value below which @permille per mille of samples fall. */
	uint64_t percentile(unsigned int permille) const;
};

/* a * b / c with a 128-bit intermediate; the quotient must fit 64 bits. */
uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c);

uint64_t cycles_to_ns(uint64_t cycles);
uint64_t ns_to_cycles(uint64_t ns);

/* Jain's index (sum x)^2 / (n * sum x^2), scaled by 1000. */
uint64_t jain_index_x1000(const uint64_t *x, unsigned int n);

} /* namespace pv::measure */

#endif /* PVSYNC_CORE_MEASURE_HPP */
