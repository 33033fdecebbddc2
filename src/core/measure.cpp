// SPDX-License-Identifier: GPL-2.0
/*
 * measure.cpp - measurement arithmetic (see measure.hpp).
 */
#include <stdint.h>

#include <pvsync/kapi.h>
#include "core/measure.hpp"

namespace pv::measure {

uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t lo, hi, q, r;

	if (!c)
		return 0;
	asm("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b) : "cc");
	if (hi >= c)		/* the quotient would not fit: saturate */
		return ~0ULL;
	asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c) : "cc");
	return q;
}

uint64_t cycles_to_ns(uint64_t cycles)
{
	uint64_t khz = pvk_tsc_khz();

	return khz ? mul_div(cycles, 1000000, khz) : cycles;
}

uint64_t ns_to_cycles(uint64_t ns)
{
	uint64_t khz = pvk_tsc_khz();

	return khz ? mul_div(ns, khz, 1000000) : ns;
}

uint64_t jain_index_x1000(const uint64_t *x, unsigned int n)
{
	uint64_t sum = 0, sumsq_hi = 0, sumsq = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t lo, hi;

		sum += x[i];
		asm("mulq %3" : "=a"(lo), "=d"(hi) : "a"(x[i]), "rm"(x[i]) : "cc");
		sumsq += lo;
		sumsq_hi += hi + (sumsq < lo);
	}
	if (!n || !sum)
		return 0;
	/* Halve sum and quarter sum x^2 until the latter fits 64 bits: the
	 * ratio is unchanged to within the precision reported. */
	while (sumsq_hi) {
		sumsq = (sumsq >> 2) | (sumsq_hi << 62);
		sumsq_hi >>= 2;
		sum >>= 1;
	}
	/* 1000 * sum^2 / (n * sum x^2), the quotient is at most 1000. */
	return mul_div(mul_div(sum, 1000, n), sum, sumsq);
}

uint64_t Histogram::percentile(unsigned int permille) const
{
	uint64_t total = 0, seen = 0;

	for (unsigned int i = 0; i < nr_buckets; i++)
		total += bucket[i];
	if (!total)
		return 0;
	uint64_t want = mul_div(total, permille, 1000);

	for (unsigned int i = 0; i < nr_buckets; i++) {
		seen += bucket[i];
		if (seen > want)
			return lower_bound(i);
	}
	return lower_bound(nr_buckets - 1);
}

} /* namespace pv::measure */
