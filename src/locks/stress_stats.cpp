// SPDX-License-Identifier: GPL-2.0
/*
 * stress_stats.cpp - how a lock stress run is judged and reported.
 */
#include <stdint.h>

#include <pvsync/kapi.h>
#include "core/run_control.hpp"
#include "locks/stress_stats.hpp"

namespace pv::stress {

const char *Result::reason() const
{
	if (violations)
		return "exclusion violation: two holders at once";
	if (counter != acquisitions)
		return "lost update: the guarded counter missed increments";
	if (irq_violations)
		return "exclusion violation: two holders of the hard-irq lock at once";
	if (irq_counter != irq_acquisitions)
		return "lost update: the hard-irq lock's counter missed increments";
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

/* What the run measured; the settings lines are the experiment's. */
void Result::print(TextBuf &out) const
{
	if (counts_halts)
		out.kv("halts", halts);
	out.kv("cpus", cpus);
	print_run(out, threads_started, threads_wedged, stopped_early,
		  elapsed_ns);
	out.kv("acquisitions", acquisitions);
	out.kv("throughput_per_s",
	       mul_div(acquisitions, 1000000000, elapsed_ns ? elapsed_ns : 1));
	out.kv("uncontended_ns", Fixed{ uncontended_ps, 3 });
	out.kv("glue_call_pair_ns", Fixed{ glue_call_pair_ps, 3 });
	out.kv("per_thread_min", per_thread_min);
	out.kv("per_thread_max", per_thread_max);
	out.kv("fairness_jain", Fixed{ jain_x1000, 3 });
	out.kv("latency_p50_ns", lat_p50_ns);
	out.kv("latency_p99_ns", lat_p99_ns);
	out.kv("latency_max_ns", lat_max_ns);
	out.kv("exclusion_violations", violations);
	out.kv("counter_expected", acquisitions);
	out.kv("counter_actual", counter);
	out.kv("irq_acquisitions", irq_acquisitions);
	out.kv("irq_exclusion_violations", irq_violations);
	out.kv("irq_counter_actual", irq_counter);
	out.kv("failures", failures);
	if (const char *why = reason())
		out.kv("failure_reason", why);
	out.verdict(passed());
}

} /* namespace pv::stress */
