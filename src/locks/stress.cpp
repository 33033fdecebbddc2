// SPDX-License-Identifier: GPL-2.0
/*
 * stress.cpp - the lock-independent steps of a stress run: start the
 * threads and irq timers, let them run for the duration, stop them, and
 * gather what they measured (see stress.hpp).
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include <pvsync/kapi.h>
#include "core/run_control.hpp"
#include "locks/stress.hpp"

namespace pv::stress {

namespace {

constexpr unsigned int start_timeout_ms = 5000;
constexpr unsigned int stop_timeout_ms = 10000;

} /* namespace */

bool start_threads(RunBase *r, Crew::Fn body, Crew::Fn prepare,
		   void (*irq_fn)(void *))
{
	const Config &cfg = r->cfg;
	unsigned int cpus = pvk_num_online_cpus();
	bool ok = true;

	r->hold_cycles = ns_to_cycles(cfg.hold_ns);
	r->gap_cycles = ns_to_cycles(cfg.gap_ns);
	/* One irq timer per CPU in use, armed by that CPU's first thread. */
	if (cfg.irq_every_us) {
		for (unsigned int i = 0; i < cfg.threads && i < cpus; i++) {
			r->irq[i].run = r;
			r->irq[i].id = max_threads + i + 1;
			r->irq[i].timer = pvk_irq_timer_create(irq_fn, &r->irq[i],
					cfg.irq_every_us * 1000ULL);
			ok &= r->irq[i].timer != nullptr;
		}
	}
	for (unsigned int i = 0; i < cfg.threads && ok; i++) {
		ThreadSlot *s = &r->slot[i];

		s->run = r;
		s->id = i + 1;
		ok &= r->crew.add(pvk_nth_online_cpu(i), body, s,
				  "pvsync/stress", prepare);
	}
	if (ok)
		ok = r->crew.wait_started(start_timeout_ms);
	if (!ok)
		r->crew.stop();
	return ok;
}

/*
 * run_until() predicate: the run has exercised what its verdict relies on.
 * Every thread has acquired at least once, and the hard-irq lock too when
 * irqs are on: on an overcommitted, loaded host a fair lock's waiter may
 * not run for a while, and "no progress" must mean a lock that starves a
 * thread for the whole bound, not a host that was busy.  With min_halts,
 * the lock's waiters halted that often.  Or the lock has recorded a
 * failure: the run has failed, and a lock that failed may halt no more
 * (the emulated backend stops halting).
 */
static bool progress_reached(void *arg)
{
	auto *r = static_cast<RunBase *>(arg);

	if (r->failed && r->failed())
		return true;
	for (unsigned int i = 0; i < r->cfg.threads; i++) {
		/* Pairs with the thread's WRITE_ONCE(); a count, no order. */
		if (!READ_ONCE(r->slot[i].acquisitions))
			return false;
	}
	if (r->cfg.irq_every_us && !READ_ONCE(r->irq_check.acquisitions))
		return false;
	return !r->cfg.min_halts ||
	       r->halts() - r->halts_start >= r->cfg.min_halts;
}

void wait_and_stop(RunBase *r, Result *res)
{
	uint64_t start = pvk_now_ns();

	if (r->halts)
		r->halts_start = r->halts();
	/* Publishes the settings and slots to the threads (crew.hpp). */
	r->crew.go();
	res->stopped_early = run_until(r->cfg.duration_ms,
				       r->cfg.duration_ms + progress_limit_ms,
				       progress_reached, r);
	r->crew.stop();
	res->elapsed_ns = pvk_now_ns() - start;
}

void collect(RunBase *r, Result *res)
{
	const Config &cfg = r->cfg;
	uint64_t counts[max_threads];
	Histogram *all = static_cast<Histogram *>(pvk_zalloc(sizeof(Histogram)));
	uint64_t lat_max = 0;

	res->threads_wedged = r->crew.finish(stop_timeout_ms);
	res->threads_started = r->crew.started();
	res->cpus = pvk_num_online_cpus();
	res->per_thread_min = ~0ULL;
	for (unsigned int i = 0; i < cfg.threads; i++) {
		ThreadSlot *s = &r->slot[i];

		/* Members are added in slot order; a slot past the crew's
		 * size never got a thread. */
		if (i >= r->crew.size() || !r->crew.has_thread(i)) {
			counts[i] = 0;
			res->per_thread_min = 0;
			continue;
		}
		if (r->crew.wedged(i)) {
			counts[i] = 0;
			continue;
		}
		counts[i] = s->acquisitions;
		if (s->acquisitions < res->per_thread_min)
			res->per_thread_min = s->acquisitions;
		if (s->acquisitions > res->per_thread_max)
			res->per_thread_max = s->acquisitions;
		if (s->lat_max > lat_max)
			lat_max = s->lat_max;
		if (all)
			all->merge(s->lat);
	}
	if (res->per_thread_min == ~0ULL)
		res->per_thread_min = 0;
	if (!res->threads_wedged) {
		for (unsigned int i = 0; i < max_threads; i++)
			pvk_irq_timer_destroy(r->irq[i].timer);
	}
	res->jain_x1000 = jain_index_x1000(counts, cfg.threads);
	if (all) {
		res->lat_p50_ns = cycles_to_ns(all->percentile(500));
		res->lat_p99_ns = cycles_to_ns(all->percentile(990));
		pvk_free(all);
	}
	res->lat_max_ns = cycles_to_ns(lat_max);
	res->violations = READ_ONCE(r->task_check.violations);
	res->counter = READ_ONCE(r->task_check.counter);
	res->irq_violations = READ_ONCE(r->irq_check.violations);
	res->irq_counter = READ_ONCE(r->irq_check.counter);
	res->irq_acquisitions = READ_ONCE(r->irq_check.acquisitions);
	/* Every thread has stopped: the section's own count is final and
	 * equals the sum of the per-thread counts. */
	res->acquisitions = READ_ONCE(r->task_check.acquisitions);
	if (r->halts)
		res->halts = r->halts() - r->halts_start;
}

/*
 * Two empty out-of-line calls into the glue, measured as uncontended_ps()
 * measures a lock+unlock pair: what the kernel's spinlock_t pays on top
 * of its own code, reached through pvk_spin_lock() and pvk_spin_unlock()
 * where pvsync's locks are inlined.  The benchmark reports the kernel's
 * figure raw and less this.
 */
uint64_t glue_call_pair_ps()
{
	constexpr unsigned int loops = 20000;
	uint64_t t0, t1;

	{
		IrqSaveGuard g;

		t0 = rdtsc_ordered();
		for (unsigned int i = 0; i < loops; i++) {
			pvk_spin_call_nop(nullptr);
			pvk_spin_call_nop(nullptr);
		}
		t1 = rdtsc_ordered();
	}
	return mul_div(cycles_to_ns(t1 - t0), 1000, loops);
}

} /* namespace pv::stress */
