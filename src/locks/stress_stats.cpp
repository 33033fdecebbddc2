// SPDX-License-Identifier: GPL-2.0
/*
 * stress_stats.cpp - how a lock stress run is judged and reported.
 */
#include <stdint.h>

#include <pvsync/kapi.h>
#include "locks/stress_stats.hpp"

namespace pv::stress {

const char *Result::reason() const
{
	if (violations)
		return "exclusion violation: two holders at once";
	if (counter != acquisitions)
		return "lost update: the guarded counter missed increments";
	if (irq_violations)
		return "exclusion violation in hard irq: two holders at once";
	if (irq_counter != irq_acquisitions)
		return "lost update in hard irq: the guarded counter missed increments";
	if (failures)
		return failure_reason ? failure_reason : "failure recorded by the lock";
	if (threads_started != cfg.threads || threads_wedged)
		return "no progress: a thread did not start or did not stop";
	if (!acquisitions || !per_thread_min)
		return "no progress: a thread never acquired the lock";
	if (cfg.irq_every_us && !irq_acquisitions)
		return "no progress: no hard-irq acquisition";
	if (cfg.min_halts && halts < cfg.min_halts)
		return "not exercised: fewer halts than min_halts";
	return nullptr;
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
	if (counts_halts) {
		out.line("min_halts: %u", cfg.min_halts);
		out.line("halts: %llu", (unsigned long long)halts);
	}
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
	if (const char *why = reason())
		out.line("failure_reason: %s", why);
	out.line("verdict: %s", passed() ? "PASS" : "FAIL");
}

} /* namespace pv::stress */
