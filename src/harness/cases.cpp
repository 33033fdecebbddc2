// SPDX-License-Identifier: GPL-2.0
/*
 * cases.cpp - suite pvsync_harness: the freestanding C++ foundation
 * (atomics, guards) and the C glue it stands on (threads, IPIs, timers,
 * per-CPU memory), checked before anything is built on them.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/crew.hpp"
#include <pvsync/kapi.h>
#include "harness/test.hpp"

using namespace pv;

PV_CASE(harness, read_write_once_round_trip)
{
	uint64_t w = 0;
	uint8_t b = 0;

	WRITE_ONCE(w, 0x0123456789abcdefULL);
	PV_EXPECT_EQ(t, READ_ONCE(w), 0x0123456789abcdefULL);
	WRITE_ONCE(b, 0x1ff);	/* truncates to the object's type */
	PV_EXPECT_EQ(t, READ_ONCE(b), 0xff);
	smp_store_release(&w, 7);
	PV_EXPECT_EQ(t, smp_load_acquire(&w), 7u);
}

PV_CASE(harness, cmpxchg_stores_only_on_match)
{
	uint32_t v = 5;

	PV_EXPECT_EQ(t, cmpxchg(&v, 4, 9), 5u);	/* mismatch: returns 5 */
	PV_EXPECT_EQ(t, v, 5u);			/* ...and stores nothing */
	PV_EXPECT_EQ(t, cmpxchg(&v, 5, 9), 5u);	/* match: returns old */
	PV_EXPECT_EQ(t, v, 9u);

	uint64_t c = 0xffffffff00000000ULL;

	PV_EXPECT_EQ(t, cmpxchg64(&c, 0xffffffff00000000ULL, 1),
		     0xffffffff00000000ULL);
	PV_EXPECT_EQ(t, c, 1u);
}

PV_CASE(harness, cmpxchg_ordering_forms_agree)
{
	uint16_t v = 1;

	PV_EXPECT_EQ(t, cmpxchg_acquire(&v, 1, 2), 1);
	PV_EXPECT_EQ(t, cmpxchg_release(&v, 2, 3), 2);
	PV_EXPECT_EQ(t, cmpxchg_relaxed(&v, 3, 4), 3);
	PV_EXPECT_EQ(t, cmpxchg_acquire(&v, 3, 5), 4);	/* mismatch */
	PV_EXPECT_EQ(t, v, 4);
}

PV_CASE(harness, try_cmpxchg_reports_current_value)
{
	uint32_t v = 10, old = 11;

	PV_EXPECT(t, !try_cmpxchg(&v, &old, 12));
	PV_EXPECT_EQ(t, old, 10u);	/* failure reloads the expected value */
	PV_EXPECT(t, try_cmpxchg_acquire(&v, &old, 12));
	PV_EXPECT_EQ(t, v, 12u);
}

PV_CASE(harness, xchg_returns_previous)
{
	uint8_t b = 1;

	PV_EXPECT_EQ(t, xchg(&b, 2), 1);
	PV_EXPECT_EQ(t, xchg_acquire(&b, 3), 2);
	PV_EXPECT_EQ(t, xchg_release(&b, 4), 3);
	PV_EXPECT_EQ(t, xchg_relaxed(&b, 5), 4);
	PV_EXPECT_EQ(t, b, 5);
}

PV_CASE(harness, fetch_ops_return_previous)
{
	uint32_t v = 0x100;

	PV_EXPECT_EQ(t, atomic_fetch_or_acquire(&v, 0x1), 0x100u);
	PV_EXPECT_EQ(t, atomic_fetch_add(&v, 0x10), 0x101u);
	atomic_andnot(&v, 0x100);
	PV_EXPECT_EQ(t, v, 0x11u);
	atomic_or(&v, 0x2);
	atomic_add(&v, 0x100);
	PV_EXPECT_EQ(t, v, 0x113u);
	PV_EXPECT_EQ(t, atomic_fetch_add_relaxed(&v, -0x113), 0x113u);
	PV_EXPECT_EQ(t, v, 0u);
}

PV_CASE(harness, bit_ops_span_words)
{
	uint64_t bits[4] = {};

	PV_EXPECT(t, !test_and_set_bit(0, bits));
	PV_EXPECT(t, test_and_set_bit(0, bits));
	PV_EXPECT(t, !test_and_set_bit(131, bits));
	PV_EXPECT_EQ(t, bits[2], 1ULL << 3);
	PV_EXPECT(t, test_bit(131, bits));
	set_bit(255, bits);
	PV_EXPECT_EQ(t, bits[3], 1ULL << 63);
	clear_bit(255, bits);
	PV_EXPECT_EQ(t, bits[3], 0u);
	PV_EXPECT(t, test_and_clear_bit(131, bits));
	PV_EXPECT(t, !test_and_clear_bit(131, bits));
	PV_EXPECT_EQ(t, bits[0], 1u);
	PV_EXPECT_EQ(t, bits[1] | bits[2] | bits[3], 0u);
}

PV_CASE(harness, cond_load_returns_satisfying_value)
{
	uint32_t v = 0x35;

	PV_EXPECT_EQ(t, smp_cond_load_acquire(&v, [](uint32_t x) {
			     return (x & 0xf) == 5; }), 0x35u);
	PV_EXPECT_EQ(t, atomic_cond_read_relaxed(&v, [](uint32_t x) {
			     return x != 0; }), 0x35u);
}

PV_CASE(harness, preempt_guard_nests)
{
	if (!pvk_preemptible())
		PV_SKIP(t, "runner is not preemptible here");
	{
		PreemptGuard outer;

		PV_EXPECT(t, !pvk_preemptible());
		{
			PreemptGuard inner;

			PV_EXPECT(t, !pvk_preemptible());
		}
		/* Leaving the inner guard must not re-enable preemption. */
		PV_EXPECT(t, !pvk_preemptible());
	}
	PV_EXPECT(t, pvk_preemptible());
}

PV_CASE(harness, irq_guard_restores_previous_state)
{
	PV_ASSERT(t, !pvk_irqs_disabled());
	{
		IrqSaveGuard outer;

		PV_EXPECT(t, pvk_irqs_disabled());
		{
			IrqSaveGuard inner;

			PV_EXPECT(t, pvk_irqs_disabled());
		}
		/* The inner guard restores "disabled", not "enabled". */
		PV_EXPECT(t, pvk_irqs_disabled());
	}
	PV_EXPECT(t, !pvk_irqs_disabled());
}

namespace {

constexpr unsigned int max_test_threads = 8;

struct CpuReport {
	unsigned int seen_cpu;
	uint32_t ran;
};

int report_cpu(void *arg)
{
	auto *r = static_cast<CpuReport *>(arg);

	r->seen_cpu = this_cpu();
	/* Pairs with the acquire load in wait_flag(): seen_cpu is visible
	 * before the test sees ran. */
	smp_store_release(&r->ran, 1);
	return static_cast<int>(r->seen_cpu);
}

} /* namespace */

PV_CASE(harness, threads_run_on_requested_cpus)
{
	unsigned int n = pvk_num_online_cpus();
	CpuReport reports[max_test_threads] = {};
	pvk_thread *threads[max_test_threads] = {};

	if (n > max_test_threads)
		n = max_test_threads;
	for (unsigned int i = 0; i < n; i++) {
		threads[i] = pvk_thread_start(report_cpu, &reports[i],
					      pvk_nth_online_cpu(i),
					      "pvsync/test");
		PV_EXPECT(t, threads[i] != nullptr);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (!threads[i])
			continue;
		PV_EXPECT(t, wait_flag(&reports[i].ran, 2000));
		PV_EXPECT_EQ(t, pvk_thread_stop(threads[i]),
			     (int)pvk_nth_online_cpu(i));
		PV_EXPECT_EQ(t, reports[i].seen_cpu, pvk_nth_online_cpu(i));
	}
}

namespace {

struct IrqReport {
	unsigned int cpu;
	bool hardirq;
	bool irqs_off;
	uint32_t count;
};

void record_irq(void *arg)
{
	auto *r = static_cast<IrqReport *>(arg);

	r->cpu = this_cpu();
	r->hardirq = pvk_in_hardirq();
	r->irqs_off = pvk_irqs_disabled();
	/* Pairs with the acquire in wait_flag(): fields before count. */
	smp_store_release(&r->count, r->count + 1);
}

} /* namespace */

PV_CASE(harness, run_on_cpu_is_hardirq_on_target)
{
	IrqReport r = {};
	unsigned int target;

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	{
		PreemptGuard g;

		target = pvk_nth_online_cpu(0);
		if (target == this_cpu())
			target = pvk_nth_online_cpu(1);
	}
	PV_ASSERT(t, pvk_run_on_cpu(target, record_irq, &r, true) == 0);
	PV_EXPECT_EQ(t, r.count, 1u);
	PV_EXPECT_EQ(t, r.cpu, target);
	PV_EXPECT(t, r.hardirq);
	PV_EXPECT(t, r.irqs_off);
	PV_EXPECT(t, pvk_run_on_cpu(pvk_nr_cpu_ids(), record_irq, &r, true) < 0);
}

namespace {

struct TimerTest {
	pvk_irq_timer *timer;
	IrqReport report;
	uint32_t started;
};

int arm_timer_here(void *arg)
{
	auto *tt = static_cast<TimerTest *>(arg);

	pvk_irq_timer_start_here(tt->timer);
	smp_store_release(&tt->started, 1);	/* pairs with wait_flag() */
	return 0;
}

} /* namespace */

PV_CASE(harness, irq_timer_fires_on_its_cpu)
{
	TimerTest tt = {};
	unsigned int cpu = pvk_nth_online_cpu(pvk_num_online_cpus() - 1);

	tt.timer = pvk_irq_timer_create(record_irq, &tt.report, 100000);
	PV_ASSERT(t, tt.timer != nullptr);
	pvk_thread *th = pvk_thread_start(arm_timer_here, &tt, cpu,
					  "pvsync/timer");
	if (th) {
		PV_EXPECT(t, wait_flag(&tt.started, 2000));
		for (unsigned int i = 0; i < 2000; i++) {
			/* Pairs with the release of count in record_irq(). */
			if (smp_load_acquire(&tt.report.count) >= 5)
				break;
			pvk_msleep_interruptible(1);
		}
		pvk_thread_stop(th);
	}
	pvk_irq_timer_destroy(tt.timer);
	PV_ASSERT(t, th != nullptr);
	PV_EXPECT(t, tt.report.count >= 5);
	PV_EXPECT_EQ(t, tt.report.cpu, cpu);
	PV_EXPECT(t, tt.report.hardirq);
}

PV_CASE(harness, percpu_instances_are_distinct)
{
	void *pcp = pvk_percpu_zalloc(64, 64);

	PV_ASSERT(t, pcp != nullptr);
	for (unsigned int i = 0; i < pvk_num_online_cpus(); i++) {
		unsigned int cpu = pvk_nth_online_cpu(i);
		auto *p = static_cast<uint64_t *>(pvk_per_cpu_ptr(pcp, cpu));

		PV_EXPECT_EQ(t, reinterpret_cast<uintptr_t>(p) % 64, 0u);
		PV_EXPECT_EQ(t, *p, 0u);
		*p = cpu + 1;
	}
	for (unsigned int i = 0; i < pvk_num_online_cpus(); i++) {
		unsigned int cpu = pvk_nth_online_cpu(i);
		auto *p = static_cast<uint64_t *>(pvk_per_cpu_ptr(pcp, cpu));

		PV_EXPECT_EQ(t, *p, cpu + 1);
	}
	pvk_percpu_free(pcp);
}

/*
 * Store buffering, the one reordering x86 allows:
 *
 *   CPU A: x = 1; smp_mb(); r1 = y;     CPU B: y = 1; smp_mb(); r2 = x;
 *
 * r1 == 0 && r2 == 0 is forbidden with the barriers and observable without
 * them.  Both CPUs start each round at the same TSC deadline so that their
 * windows overlap.  The same run also measures the barrier-free version and
 * logs how often the forbidden outcome appears there, showing that the
 * check can see the reordering on this machine.
 */
namespace {

constexpr unsigned int sb_rounds = 20000;

struct SbShared {
	uint32_t x, y;
	uint64_t go_tsc;
	uint32_t round;		/* written by A: round to run */
	uint32_t done_b;	/* written by B: last round finished */
	uint32_t forbidden;	/* rounds with r1 == r2 == 0 */
	uint32_t r2;
	bool fenced;
	uint32_t b_started;
};

template <bool Fenced>
inline uint32_t sb_side(uint32_t *mine, uint32_t *theirs)
{
	WRITE_ONCE(*mine, 1);
	/* Orders our store before our load; pairs with the other CPU's
	 * smp_mb() in its own sb_side(): one of the loads sees a 1. */
	if (Fenced)
		smp_mb();
	else
		barrier();
	return READ_ONCE(*theirs);
}

void spin_until_tsc(uint64_t when)
{
	while (rdtsc_ordered() < when)
		cpu_relax();
}

int sb_cpu_b(void *arg)
{
	auto *s = static_cast<SbShared *>(arg);
	uint32_t seen = 0;

	smp_store_release(&s->b_started, 1);	/* pairs with wait_flag() */
	while (!pvk_thread_should_stop()) {
		uint32_t r = smp_load_acquire(&s->round);	/* pairs with A's release */

		if (r == seen) {
			/* On a kernel without full preemption, a spinner that
			 * never yields starves whatever else needs this CPU
			 * (the runner's own wake-ups included). */
			pvk_cond_resched();
			cpu_relax();
			continue;
		}
		seen = r;
		spin_until_tsc(READ_ONCE(s->go_tsc));
		uint32_t v = s->fenced ? sb_side<true>(&s->y, &s->x)
				       : sb_side<false>(&s->y, &s->x);
		WRITE_ONCE(s->r2, v);
		smp_store_release(&s->done_b, r);	/* pairs with A's acquire */
	}
	return 0;
}

/* CPU A's side; returns how many rounds ended with r1 == r2 == 0. */
uint32_t sb_run(SbShared *s, bool fenced)
{
	uint32_t forbidden = 0;
	uint64_t start = pvk_now_ns();

	s->fenced = fenced;
	for (uint32_t i = 1; i <= sb_rounds; i++) {
		uint32_t round = READ_ONCE(s->round) + 1;

		WRITE_ONCE(s->x, 0);
		WRITE_ONCE(s->y, 0);
		WRITE_ONCE(s->go_tsc, rdtsc_ordered() + 20000);
		/* Publish x, y and go_tsc before B sees the new round;
		 * pairs with B's acquire load of round. */
		smp_store_release(&s->round, round);
		spin_until_tsc(s->go_tsc);
		uint32_t r1 = fenced ? sb_side<true>(&s->x, &s->y)
				     : sb_side<false>(&s->x, &s->y);
		/* Pairs with B's release of done_b: r2 is B's answer. */
		while (smp_load_acquire(&s->done_b) != round) {
			pvk_cond_resched();
			cpu_relax();
			if (pvk_now_ns() - start > 5000000000ULL)
				return forbidden;
		}
		if (r1 == 0 && READ_ONCE(s->r2) == 0)
			forbidden++;
	}
	return forbidden;
}

struct SbTest {
	SbShared *s;
	uint32_t with_mb, without_mb;
	uint32_t done;
};

int sb_cpu_a(void *arg)
{
	auto *st = static_cast<SbTest *>(arg);

	st->with_mb = sb_run(st->s, true);
	st->without_mb = sb_run(st->s, false);
	smp_store_release(&st->done, 1);	/* pairs with wait_flag() */
	return 0;
}

} /* namespace */

PV_CASE(harness, smp_mb_forbids_store_buffering)
{
	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");

	auto *s = static_cast<SbShared *>(pvk_zalloc(sizeof(SbShared)));
	PV_ASSERT(t, s != nullptr);
	SbTest st = { s, 0, 0, 0 };
	pvk_thread *b = pvk_thread_start(sb_cpu_b, s, pvk_nth_online_cpu(1),
					 "pvsync/sb-b");
	pvk_thread *a = nullptr;

	if (b && wait_flag(&s->b_started, 2000))
		a = pvk_thread_start(sb_cpu_a, &st, pvk_nth_online_cpu(0),
				     "pvsync/sb-a");
	if (a)
		PV_EXPECT(t, wait_flag(&st.done, 30000));
	if (a)
		pvk_thread_stop(a);
	if (b)
		pvk_thread_stop(b);
	pvk_free(s);
	PV_ASSERT(t, a && b);
	PV_EXPECT_EQ(t, st.with_mb, 0u);
	pv::test::log(t, "store buffering seen in %u of %u rounds with smp_mb(), %u without",
		      st.with_mb, sb_rounds, st.without_mb);
}

PV_CASE(harness, canary_fails_on_request)
{
	/* Fails only when make check asks, to prove the runners see it. */
	PV_EXPECT(t, !pvsync_inject_harness_failure());
}
