/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stress.hpp - the lock stress engine, written once for every lock kind.
 *
 * A run starts cfg.threads kernel threads bound round-robin to the online
 * CPUs (more threads than CPUs is allowed).  Each thread loops until the
 * run ends: disable preemption, take the lock, check and update the
 * exclusion bookkeeping, spin hold_ns, release, enable preemption, spin
 * gap_ns.  Optionally a pinned hard-irq timer on every used CPU takes a
 * second lock of the same kind every irq_every_us; because task context
 * spins with interrupts enabled, an irq that lands while a thread waits in
 * the queue, and finds the irq lock contended, queues on the next per-CPU
 * node, which is how node nesting gets exercised (stats: lock_use_node2).
 *
 * The lock is a template parameter with the interface every pvsync lock
 * shares, the concept StressLock below (name, init, destroy, lock,
 * trylock, unlock, is_locked, is_contended), so the compiler checks what
 * the engine needs; and every kind runs through this same code with the
 * same preemption handling, so their numbers are comparable.  A lock may
 * also offer two optional capabilities, which the engine asks for:
 * HaltingLock (it counts its waiters' halts, for Config::min_halts) and
 * SelfCheckingLock (it records failures it detected itself, such as the
 * paravirt lock's lost kicks, which the engine resets before a run and
 * copies into the Result after it).
 *
 * Ordering in the bookkeeping: the owner word and the counter are accessed
 * only inside the lock; the lock's acquire and release are the only
 * ordering, which is the point: a lock whose acquire or release is too
 * weak lets two holders overlap and the checks see it.  The owner word is
 * the detector, racy by design under a broken lock, so it is marked
 * (READ_ONCE/WRITE_ONCE).  The counter is the data the lock guards and is
 * accessed plainly, as a lock's user would: two overlapping holders are
 * then a data race that KCSAN reports (Documentation/judges.rst).
 */
#ifndef PVSYNC_STRESS_HPP
#define PVSYNC_STRESS_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/crew.hpp"
#include <pvsync/kapi.h>
#include "locks/stress_stats.hpp"

namespace pv::stress {

constexpr unsigned int max_threads = 64;

template <typename T, typename U>
concept SameAs = __is_same(T, U);

/* The interface every lock kind shares (see qspinlock.hpp). */
template <typename L>
concept StressLock = requires(L l, const L cl) {
	{ L::name[0] } -> SameAs<const char &>;
	{ l.init() } -> SameAs<bool>;	/* false: no memory */
	{ l.destroy() } -> SameAs<void>;	/* safe after a failed init() */
	{ l.lock() } -> SameAs<void>;
	{ l.trylock() } -> SameAs<bool>;
	{ l.unlock() } -> SameAs<void>;
	{ cl.is_locked() } -> SameAs<bool>;
	{ cl.is_contended() } -> SameAs<bool>;
};

/* A lock that counts the halts of its waiters (all locks of the kind). */
template <typename L>
concept HaltingLock = StressLock<L> && requires {
	{ L::halts() } -> SameAs<unsigned long>;
};

/* A lock that records failures it detected itself (all of the kind). */
template <typename L>
concept SelfCheckingLock = StressLock<L> && requires(bool quiet) {
	{ L::failures_reset(quiet) } -> SameAs<void>;
	{ L::failures() } -> SameAs<uint32_t>;
	{ L::failure_reason() } -> SameAs<const char *>;
};

struct alignas(64) ThreadSlot {
	void *run;			/* the Run<Lock> this slot belongs to */
	unsigned int id;		/* 1-based owner id */
	uint64_t acquisitions;
	uint64_t lat_max;		/* cycles */
	Histogram lat;			/* acquire latency, cycles */
};

struct alignas(64) IrqSlot {
	void *run;
	pvk_irq_timer *timer;
	unsigned int id;
};

/* Shared, non-template halves of a run (src/locks/stress.cpp). */
struct RunBase {
	Config cfg;
	uint64_t hold_cycles, gap_cycles;
	Crew crew;		/* one member per ThreadSlot, in order */
	/* The lock kind's halt count (Lock::halts), or nullptr. */
	unsigned long (*halts)();
	unsigned long halts_start;
	/* The lock kind has recorded a failure (SelfCheckingLock), or nullptr. */
	bool (*failed)();
	ExclusionCheck task_check;
	ExclusionCheck irq_check;
	ThreadSlot slot[max_threads];
	IrqSlot irq[max_threads];
};

/* The template-free steps of a run, in src/locks/stress.cpp. */
bool start_threads(RunBase *r, Crew::Fn body, Crew::Fn prepare,
		   void (*irq_fn)(void *));
void wait_and_stop(RunBase *r, Result *res);
void collect(RunBase *r, Result *res);
uint64_t glue_call_pair_ps();

/*
 * The templates below have internal linkage (an unnamed namespace): each
 * object that runs the engine gets its own copy, and none lands in a COMDAT
 * group that the module link could discard under objtool's entries (see
 * linkage.hpp).
 */
namespace {

/*
 * Take @lock and run the exclusion checks around @hold_cycles of work.
 * The plain counter is read on entry and written back on exit, so two
 * overlapping holders lose an update.
 */
template <StressLock Lock>
inline void locked_section(Lock &lock, ExclusionCheck &c,
				  unsigned int me, uint64_t hold_cycles)
{
	lock.lock();
	if (READ_ONCE(c.owner) != 0)
		atomic_add(&c.violations, 1);
	WRITE_ONCE(c.owner, me);
	/* Plain on purpose (see the top of this file); the compiler
	 * barriers keep the read before the hold and the write after it,
	 * so the window an overlapping holder can hit spans the hold. */
	uint64_t v = c.counter;

	barrier();
	if (hold_cycles)
		delay_cycles(hold_cycles);
	barrier();
	c.counter = v + 1;
	if (READ_ONCE(c.owner) != me)
		atomic_add(&c.violations, 1);
	WRITE_ONCE(c.owner, 0);
	lock.unlock();
	atomic_add(&c.acquisitions, 1);
}

template <StressLock Lock>
struct Run : RunBase {
	Lock lock;
	Lock irq_lock;

	static void irq_fn(void *arg)
	{
		auto *s = static_cast<IrqSlot *>(arg);
		auto *r = static_cast<Run *>(s->run);

		/*
		 * Hard-irq context, interrupts off: the lock needs nothing
		 * more, as spin_lock() in an irq handler.  Holding it for
		 * hold_ns, as the threads do, makes the irq locks of the
		 * CPUs contend, so an irq that lands on a queued waiter
		 * queues too, on its CPU's next node.
		 */
		locked_section(r->irq_lock, r->irq_check, s->id,
			       r->hold_cycles);
	}

	/* Before started: our first thread on this CPU arms its irq timer. */
	static void prepare(void *arg)
	{
		auto *s = static_cast<ThreadSlot *>(arg);
		auto *r = static_cast<Run *>(s->run);

		if (s->id <= max_threads && r->irq[s->id - 1].timer)
			pvk_irq_timer_start_here(r->irq[s->id - 1].timer);
	}

	/* Between go and stop (see crew.hpp). */
	static void body(void *arg)
	{
		auto *s = static_cast<ThreadSlot *>(arg);
		auto *r = static_cast<Run *>(s->run);

		while (!r->crew.stopping()) {
			uint64_t t0, t1;

			pvk_preempt_disable();
			t0 = rdtsc();
			/* locked_section() takes the lock first thing; the
			 * latency is measured up to its return minus hold. */
			locked_section(r->lock, r->task_check, s->id,
				       r->hold_cycles);
			t1 = rdtsc();
			pvk_preempt_enable();
			uint64_t lat = t1 - t0;

			lat = lat > r->hold_cycles ? lat - r->hold_cycles : 0;
			s->lat.add(lat);
			if (lat > s->lat_max)
				s->lat_max = lat;
			/* Marked: the coordinator polls it (progress_reached()). */
			WRITE_ONCE(s->acquisitions, s->acquisitions + 1);
			if (r->gap_cycles)
				delay_cycles(r->gap_cycles);
			if ((s->acquisitions & 63) == 0)
				pvk_cond_resched();
		}
	}

	/* One lock+unlock pair with nobody else around, in picoseconds. */
	uint64_t uncontended_ps()
	{
		constexpr unsigned int loops = 20000;
		uint64_t t0, t1;

		{
			IrqSaveGuard g;

			t0 = rdtsc_ordered();
			for (unsigned int i = 0; i < loops; i++) {
				lock.lock();
				lock.unlock();
			}
			t1 = rdtsc_ordered();
		}
		return mul_div(cycles_to_ns(t1 - t0), 1000, loops);
	}
};

/*
 * Run one stress experiment on lock kind @Lock.  Returns 0 with @res
 * filled in, or a negative errno when the run could not start.
 * @failures_expected: a SelfCheckingLock's failures are expected (a test
 * catching a mutant): it logs them without WARNing.
 */
template <StressLock Lock>
int run(const Config &cfg, Result *res, bool failures_expected = false)
{
	if (!HaltingLock<Lock> && cfg.min_halts)
		return -22;	/* -EINVAL: this lock kind never halts */

	auto *r = static_cast<Run<Lock> *>(pvk_zalloc(sizeof(Run<Lock>)));

	if (!r)
		return -12;	/* -ENOMEM */
	if constexpr (HaltingLock<Lock>)
		r->halts = [] { return Lock::halts(); };
	if constexpr (SelfCheckingLock<Lock>)
		r->failed = [] { return Lock::failures() != 0; };
	if (!r->lock.init() || !r->irq_lock.init()) {
		r->lock.destroy();
		r->irq_lock.destroy();
		pvk_free(r);
		return -12;
	}
	r->cfg = cfg;
	*res = Result{};
	res->lock_name = Lock::name;
	res->counts_halts = r->halts != nullptr;
	res->cfg = cfg;
	if constexpr (SelfCheckingLock<Lock>)
		Lock::failures_reset(failures_expected);
	res->uncontended_ps = r->uncontended_ps();
	res->glue_call_pair_ps = glue_call_pair_ps();
	if (start_threads(r, Run<Lock>::body, Run<Lock>::prepare,
			  Run<Lock>::irq_fn))
		wait_and_stop(r, res);
	collect(r, res);
	if (!res->threads_wedged) {
		/*
		 * Before the failures are read: destroy() may record one
		 * (the paravirt lock's stale hash entry).
		 */
		r->lock.destroy();
		r->irq_lock.destroy();
	}
	if constexpr (SelfCheckingLock<Lock>) {
		res->failures = Lock::failures();
		res->failure_reason = Lock::failure_reason();
	}
	if (res->threads_wedged) {
		/*
		 * A thread never came back: it still uses the lock and the
		 * run's memory, so both are left allocated, and the result
		 * says so.
		 */
		pvk_warn_once_report("stress thread wedged; run memory leaked");
		safe_to_free(true,
			     "a lock stress thread is wedged");
		return 0;
	}
	pvk_free(r);
	return 0;
}

} /* namespace */

} /* namespace pv::stress */

#endif /* PVSYNC_STRESS_HPP */
