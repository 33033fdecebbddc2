// SPDX-License-Identifier: GPL-2.0
/*
 * stress_stats.cpp - arithmetic and reporting of lock stress runs.
 */
#include <stdint.h>

#include <pvsync/kapi.h>
#include <pvsync/stress_stats.hpp>

namespace pv::stress {

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

bool Result::passed() const
{
	return threads_started == cfg.threads && !threads_wedged &&
	       acquisitions > 0 && per_thread_min > 0 && violations == 0 &&
	       counter == acquisitions && irq_violations == 0 &&
	       irq_counter == irq_acquisitions &&
	       (cfg.irq_every_us == 0 || irq_acquisitions > 0) &&
	       failures == 0;
}

void Result::print(TextBuf &out) const
{
	uint64_t ms = elapsed_ns / 1000000;

	out.line("lock: %s", lock_name);
	out.line("threads: %u", cfg.threads);
	out.line("duration_ms: %u", cfg.duration_ms);
	out.line("hold_ns: %u", cfg.hold_ns);
	out.line("gap_ns: %u", cfg.gap_ns);
	out.line("irq_every_us: %u", cfg.irq_every_us);
	out.line("cpus: %u", cpus);
	out.line("threads_started: %u", threads_started);
	out.line("threads_wedged: %u", threads_wedged);
	out.line("stopped_early: %s", stopped_early ? stopped_early : "no");
	out.line("elapsed_ms: %llu", (unsigned long long)ms);
	out.line("acquisitions: %llu", (unsigned long long)acquisitions);
	out.line("throughput_per_s: %llu",
		 (unsigned long long)mul_div(acquisitions, 1000000000,
					     elapsed_ns ? elapsed_ns : 1));
	out.line("uncontended_ns: %llu.%03llu",
		 (unsigned long long)(uncontended_ps / 1000),
		 (unsigned long long)(uncontended_ps % 1000));
	out.line("per_thread_min: %llu", (unsigned long long)per_thread_min);
	out.line("per_thread_max: %llu", (unsigned long long)per_thread_max);
	out.line("fairness_jain: %llu.%03llu",
		 (unsigned long long)(jain_x1000 / 1000),
		 (unsigned long long)(jain_x1000 % 1000));
	out.line("latency_p50_ns: %llu", (unsigned long long)lat_p50_ns);
	out.line("latency_p99_ns: %llu", (unsigned long long)lat_p99_ns);
	out.line("latency_max_ns: %llu", (unsigned long long)lat_max_ns);
	out.line("exclusion_violations: %u", violations);
	out.line("counter_expected: %llu", (unsigned long long)acquisitions);
	out.line("counter_actual: %llu", (unsigned long long)counter);
	out.line("irq_acquisitions: %llu", (unsigned long long)irq_acquisitions);
	out.line("irq_exclusion_violations: %u", irq_violations);
	out.line("irq_counter_actual: %llu", (unsigned long long)irq_counter);
	out.line("failures: %u", failures);
	if (failure_reason)
		out.line("failure_reason: %s", failure_reason);
	out.line("verdict: %s", passed() ? "PASS" : "FAIL");
}

} /* namespace pv::stress */
