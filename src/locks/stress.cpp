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

/* Wait until every started slot's flag at @offset is set, or timeout. */
bool wait_slots(RunBase *r, unsigned int n, uint32_t ThreadSlot::*flag,
		unsigned int timeout_ms)
{
	uint64_t deadline = pvk_now_ns() + timeout_ms * 1000000ULL;

	for (;;) {
		unsigned int done = 0;

		for (unsigned int i = 0; i < n; i++) {
			/* Pairs with the thread's release of the flag. */
			if (!r->slot[i].thread ||
			    smp_load_acquire(&(r->slot[i].*flag)))
				done++;
		}
		if (done == n)
			return true;
		if (pvk_now_ns() > deadline)
			return false;
		pvk_msleep_interruptible(1);
	}
}

} /* namespace */

bool start_threads(RunBase *r, int (*thread_fn)(void *),
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
		s->cpu = pvk_nth_online_cpu(i);
		s->thread = pvk_thread_start(thread_fn, s, s->cpu,
					     "pvsync/stress");
		ok &= s->thread != nullptr;
	}
	if (ok)
		ok = wait_slots(r, cfg.threads, &ThreadSlot::started,
				start_timeout_ms);
	if (!ok)
		WRITE_ONCE(r->stop, 1);
	return ok;
}

/* run_until() predicate: the lock's waiters halted min_halts times. */
static bool halts_reached(void *arg)
{
	auto *r = static_cast<RunBase *>(arg);

	return r->halts() - r->halts_start >= r->cfg.min_halts;
}

void wait_and_stop(RunBase *r, Result *res)
{
	uint64_t start = pvk_now_ns();

	if (r->halts)
		r->halts_start = r->halts();
	/* Publish the settings and slots before the threads see go; pairs
	 * with the acquire load of go in Run::thread_fn(). */
	smp_store_release(&r->go, 1);
	if (r->cfg.min_halts && r->halts)
		res->stopped_early = run_until(r->cfg.duration_ms,
					       r->cfg.duration_ms + halt_wait_limit_ms,
					       halts_reached, r);
	else
		res->stopped_early = run_for(r->cfg.duration_ms);
	WRITE_ONCE(r->stop, 1);
	res->elapsed_ns = pvk_now_ns() - start;
}

void collect(RunBase *r, Result *res)
{
	const Config &cfg = r->cfg;
	uint64_t counts[max_threads];
	Histogram *all = static_cast<Histogram *>(pvk_zalloc(sizeof(Histogram)));
	uint64_t lat_max = 0;

	WRITE_ONCE(r->stop, 1);
	wait_slots(r, cfg.threads, &ThreadSlot::finished, stop_timeout_ms);

	res->cpus = pvk_num_online_cpus();
	res->per_thread_min = ~0ULL;
	for (unsigned int i = 0; i < cfg.threads; i++) {
		ThreadSlot *s = &r->slot[i];

		if (!s->thread) {
			counts[i] = 0;
			res->per_thread_min = 0;
			continue;
		}
		/* Pairs with the thread's release of started. */
		if (smp_load_acquire(&s->started))
			res->threads_started++;
		if (!smp_load_acquire(&s->finished)) {
			/* Never stop a thread that is still spinning: it
			 * would keep the stop waiting forever. */
			res->threads_wedged++;
			counts[i] = 0;
			continue;
		}
		pvk_thread_stop(s->thread);
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

} /* namespace pv::stress */
