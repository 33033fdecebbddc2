// SPDX-License-Identifier: GPL-2.0
/*
 * stress_stats.cpp - how a lock stress run is judged and reported.
 */
#include <stdint.h>

#include <pvsync/kapi.h>
#include "locks/stress_stats.hpp"

namespace pv::stress {

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
