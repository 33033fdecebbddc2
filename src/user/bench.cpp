// SPDX-License-Identifier: GPL-2.0
/*
 * bench.cpp - "pvsync-user bench": the tables of make ubench, measured on
 * the real CPU (Documentation/userspace.rst, Documentation/results.rst).
 *
 *   uncontended  one lock+unlock pair of each lock kind, against the
 *                physical limit (a bare lock cmpxchg + release store, the
 *                fast path's two instructions) and glibc's
 *                pthread_spin_lock();
 *   upcall       one mask/unmask pair of src/upcall/upcall.hpp per
 *                barrier kind;
 *   overcommit   throughput of pvqspinlock (futex backend), qspinlock and
 *                test-and-set with every vCPU contending, at 1x, 2x and
 *                4x vCPUs (threads) per host CPU.
 *
 * The loops run on one pinned thread, every kind once per repetition in
 * turn, so that a disturbance hits all kinds alike.  Each loop is timed
 * with RDTSCP+LFENCE; the median of the same number of iterations of an
 * empty loop is subtracted; min/median/max over the repetitions are
 * printed, in TSC ticks and in ns (the TSC frequency is measured against
 * CLOCK_MONOTONIC at start).  Nothing is tuned: the figures are what this
 * run measured, on whatever else the machine was doing.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/measure.hpp"
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>
#include "locks/pv/pv_backend_futex.hpp"
#include "locks/pv/pv_hash.hpp"
#include "locks/pv/pvqspinlock.hpp"
#include "locks/qspinlock.hpp"
#include "locks/stress.hpp"
#include "locks/tas_lock.hpp"
#include "locks/ticket_lock.hpp"
#include "upcall/upcall.hpp"
#include "user/user.hpp"

namespace pv::user {

namespace {

constexpr unsigned int max_reps = 31;

/* Repeated samples of one figure; min/median/max. */
struct Samples {
	uint64_t v[max_reps];
	unsigned int n;

	void add(uint64_t x)
	{
		if (n < max_reps)
			v[n++] = x;
	}

	void sort()
	{
		for (unsigned int i = 1; i < n; i++)
			for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
				uint64_t t = v[j];

				v[j] = v[j - 1];
				v[j - 1] = t;
			}
	}

	uint64_t min() { sort(); return n ? v[0] : 0; }
	uint64_t med() { sort(); return n ? v[n / 2] : 0; }
	uint64_t max() { sort(); return n ? v[n - 1] : 0; }
};

struct Settings {
	unsigned int reps, pairs, duration_ms, hold_ns, gap_ns;
};

template <typename Body>
__always_inline uint64_t time_loop(Body body, unsigned int pairs)
{
	uint64_t t0 = rdtsc_ordered();

	for (unsigned int i = 0; i < pairs; i++)
		body();
	return rdtsc_ordered() - t0;
}

/* Ticks x 100 per iteration, baseline subtracted, not below 0. */
uint64_t per_pair_x100(uint64_t ticks, uint64_t base, unsigned int pairs)
{
	return ticks > base ? measure::mul_div(ticks - base, 100, pairs) : 0;
}

/* ns x 100 from ticks x 100. */
uint64_t ns_x100(uint64_t ticks_x100)
{
	uint64_t khz = pvk_tsc_khz();

	return khz ? measure::mul_div(ticks_x100, 1000000, khz) : 0;
}

/* "12.34" from x 100; one of eight rotating buffers (one printed line). */
const char *fix2(uint64_t x100)
{
	static char buf[8][32];
	static unsigned int i;
	char *b = buf[i++ % 8];

	pvk_snprintf(b, 32, "%llu.%02llu", (unsigned long long)(x100 / 100),
		     (unsigned long long)(x100 % 100));
	return b;
}

/* Uncontended rows, in the order printed. */
enum Row : unsigned int {
	row_bare, row_qspinlock, row_qspinlock_large, row_ticket, row_tas,
	row_pvqspinlock, row_pthread_spin, nr_rows,
};

constexpr const char *row_names[nr_rows] = {
	"bare cmpxchg+store", "qspinlock", "qspinlock_large", "ticket",
	"tas", "pvqspinlock(futex)", "glibc pthread_spin",
};

enum Bar : unsigned int { bar_compiler, bar_lfence, bar_mfence, bar_locked_add, nr_bars };

constexpr const char *bar_names[nr_bars] = {
	"compiler", "lfence", "mfence", "locked_add",
};

struct OneCpu {
	Settings s;
	Samples lock[nr_rows];		/* ticks x 100 per pair */
	Samples bar[nr_bars];		/* ticks x 100 per pair */
	Samples base, cbase;		/* empty loops: C++ and C, ticks */
};

OneCpu one;

template <typename Lock>
uint64_t lock_ticks(Lock *l, unsigned int pairs)
{
	return time_loop([l] {
		l->lock();
		l->unlock();
	}, pairs);
}

template <typename B>
uint64_t upcall_ticks(upcall::Vcpu *v, unsigned int pairs)
{
	using G = upcall::Guest<B, upcall::NoAssert>;

	return time_loop([v] {
		G::mask(v);
		G::unmask(v);
	}, pairs);
}

struct UncontendedLocks {
	uint32_t bare;
	alignas(64) QSpinLock<> qs;
	alignas(64) QSpinLock<WordLayoutLarge> qsl;
	alignas(64) TicketLock ticket;
	alignas(64) TasLock tas;
	alignas(64) PvQSpinLock<PvBackendFutex> pvq;
	alignas(64) upcall::Vcpu vcpu;
};

/* On vCPU 0, pinned: every kind once per repetition, in turn. */
int one_cpu_thread(void *)
{
	auto *m = static_cast<UncontendedLocks *>(pvk_zalloc(sizeof(UncontendedLocks)));
	unsigned int pairs = one.s.pairs;
	uint64_t raw[nr_rows][max_reps], rawbar[nr_bars][max_reps];

	if (!m || !m->pvq.init())
		return -12;
	upcall::vcpu_init(&m->vcpu, 0, 1);
	for (unsigned int r = 0; r < one.s.reps; r++) {
		uint32_t *w = &m->bare;

		one.base.add(time_loop([] { barrier(); }, pairs));
		one.cbase.add(pvu_empty_loop_ticks(pairs));
		/*
		 * The physical limit: the fast path's lock cmpxchg and the
		 * unlock's release store, nothing else.
		 */
		raw[row_bare][r] = time_loop([w] {
			uint32_t v = 0;

			try_cmpxchg_acquire(w, &v, 1U);
			smp_store_release(w, 0U);
		}, pairs);
		raw[row_qspinlock][r] = lock_ticks(&m->qs, pairs);
		raw[row_qspinlock_large][r] = lock_ticks(&m->qsl, pairs);
		raw[row_ticket][r] = lock_ticks(&m->ticket, pairs);
		raw[row_tas][r] = lock_ticks(&m->tas, pairs);
		raw[row_pvqspinlock][r] = lock_ticks(&m->pvq, pairs);
		raw[row_pthread_spin][r] = pvu_pthread_spin_ticks(pairs);
		rawbar[bar_compiler][r] =
			upcall_ticks<upcall::CompilerBarrier>(&m->vcpu, pairs);
		rawbar[bar_lfence][r] = upcall_ticks<upcall::Lfence>(&m->vcpu, pairs);
		rawbar[bar_mfence][r] = upcall_ticks<upcall::Mfence>(&m->vcpu, pairs);
		rawbar[bar_locked_add][r] =
			upcall_ticks<upcall::LockedAdd>(&m->vcpu, pairs);
	}
	uint64_t base = one.base.med(), cbase = one.cbase.med();

	for (unsigned int r = 0; r < one.s.reps; r++) {
		for (unsigned int k = 0; k < nr_rows; k++)
			one.lock[k].add(per_pair_x100(raw[k][r],
						      k == row_pthread_spin ? cbase : base,
						      pairs));
		for (unsigned int b = 0; b < nr_bars; b++)
			one.bar[b].add(per_pair_x100(rawbar[b][r], base, pairs));
	}
	m->pvq.destroy();
	pvk_free(m);
	return 0;
}

/* Overcommit: kinds, in the order printed. */
enum OcKind : unsigned int { oc_pv, oc_qs, oc_tas, nr_oc };

constexpr const char *oc_names[nr_oc] = { "pvqspinlock(futex)", "qspinlock", "tas" };
constexpr unsigned int oc_factors[] = { 1, 2, 4 };
constexpr unsigned int nr_factors = 3;

Samples oc_tput[nr_factors][nr_oc];	/* acquisitions/s */
Samples oc_p99[nr_factors][nr_oc];	/* ns */
unsigned int oc_failed[nr_factors][nr_oc];

template <typename Lock>
int oc_run(const stress::Config &cfg, stress::Result *res)
{
	pv_failures_reset();
	int ret = stress::run<Lock>(cfg, res);

	res->failures = pv_failures_total();
	res->failure_reason = pv_failure_reason();
	return ret;
}

/* Ratio x 100 of two medians. */
uint64_t ratio_x100(uint64_t a, uint64_t b)
{
	return b ? measure::mul_div(a, 100, b) : 0;
}

} /* namespace */

/*
 * bench [reps=N] [pairs=N] [duration_ms=N] [hold_ns=N] [gap_ns=N]
 */
int bench_main(int argc, char **argv)
{
	Settings s = { 11, 200000, 1000, 500, 1000 };
	unsigned int host = pvu_host_cpus();

	for (int i = 0; i < argc; i++) {
		if (!parse_uint(argv[i], "reps", &s.reps) &&
		    !parse_uint(argv[i], "pairs", &s.pairs) &&
		    !parse_uint(argv[i], "duration_ms", &s.duration_ms) &&
		    !parse_uint(argv[i], "hold_ns", &s.hold_ns) &&
		    !parse_uint(argv[i], "gap_ns", &s.gap_ns)) {
			pvk_log(PVK_LOG_ERR, "bad argument %s", argv[i]);
			return 2;
		}
	}
	if (s.reps < 1 || s.reps > max_reps || s.pairs < 1000 ||
	    s.duration_ms < 10 || host * 4 > stress::max_threads) {
		pvk_log(PVK_LOG_ERR, "bad settings (reps 1..%u, pairs >= 1000)",
			max_reps);
		return 2;
	}
	one.s = s;

	pvu_printf("TSC: %lu kHz (measured against CLOCK_MONOTONIC); %u host CPUs\n",
		   pvk_tsc_khz(), host);

	/* One CPU: locks and upcall pairs. */
	pvu_set_vcpus(host);
	pvk_thread *t = pvk_thread_start(one_cpu_thread, nullptr, 0, "bench");

	if (!t || pvk_thread_stop(t)) {
		pvk_log(PVK_LOG_ERR, "the one-CPU measurements could not run");
		return 2;
	}
	pvu_printf("\nUncontended lock+unlock, one pinned thread, %u pairs x %u repetitions,\n"
		   "empty-loop baseline subtracted (%llu ticks per %u iterations):\n",
		   s.pairs, s.reps, (unsigned long long)one.base.med(), s.pairs);
	pvu_printf("  %-20s  %8s %8s %8s   %8s %8s %8s  %9s\n", "kind", "ticks",
		   "min", "max", "ns", "min", "max", "/physical");
	for (unsigned int k = 0; k < nr_rows; k++) {
		Samples &x = one.lock[k];
		uint64_t med = x.med();

		pvu_printf("  %-20s  %8s %8s %8s   %8s %8s %8s  %9s\n", row_names[k],
			   fix2(med), fix2(x.min()), fix2(x.max()),
			   fix2(ns_x100(med)), fix2(ns_x100(x.min())),
			   fix2(ns_x100(x.max())),
			   fix2(ratio_x100(med, one.lock[row_bare].med())));
	}

	pvu_printf("\nUpcall mask/unmask pair (src/upcall/upcall.hpp), per barrier kind, same thread:\n");
	pvu_printf("  %-20s  %8s %8s %8s   %8s %8s %8s  %9s\n", "barrier", "ticks",
		   "min", "max", "ns", "min", "max", "/compiler");
	for (unsigned int b = 0; b < nr_bars; b++) {
		Samples &x = one.bar[b];
		uint64_t med = x.med();

		pvu_printf("  %-20s  %8s %8s %8s   %8s %8s %8s  %9s\n", bar_names[b],
			   fix2(med), fix2(x.min()), fix2(x.max()),
			   fix2(ns_x100(med)), fix2(ns_x100(x.min())),
			   fix2(ns_x100(x.max())),
			   fix2(ratio_x100(med, one.bar[bar_compiler].med())));
	}

	/* Overcommit: every vCPU contends; kinds in turn per repetition. */
	unsigned int oc_reps = s.reps < 3 ? s.reps : 3;

	for (unsigned int f = 0; f < nr_factors; f++) {
		unsigned int vcpus = host * oc_factors[f];
		stress::Config cfg = {
			.threads = vcpus,
			.duration_ms = s.duration_ms,
			.hold_ns = s.hold_ns,
			.gap_ns = s.gap_ns,
			.irq_every_us = 0,
			.min_halts = 0,
		};

		pvu_set_vcpus(vcpus);
		for (unsigned int r = 0; r < oc_reps; r++) {
			for (unsigned int k = 0; k < nr_oc; k++) {
				stress::Result res;
				int ret = k == oc_pv ?
					oc_run<PvQSpinLock<PvBackendFutex>>(cfg, &res) :
					k == oc_qs ? oc_run<QSpinLock<>>(cfg, &res) :
						     oc_run<TasLock>(cfg, &res);

				if (ret || !res.passed())
					oc_failed[f][k]++;
				if (ret)
					continue;
				oc_tput[f][k].add(measure::mul_div(res.acquisitions,
					1000000000ULL, res.elapsed_ns ? res.elapsed_ns : 1));
				oc_p99[f][k].add(res.lat_p99_ns);
			}
		}
	}
	pvu_set_vcpus(host);

	pvu_printf("\nOvercommit: every vCPU (pinned thread) contends, vCPU c on host CPU c mod %u,\n"
		   "hold %u ns, gap %u ns, %u ms x %u repetitions; acquisitions/s median (min-max):\n",
		   host, s.hold_ns, s.gap_ns, s.duration_ms, oc_reps);
	pvu_printf("  %-6s %-5s", "per", "vCPUs");
	for (unsigned int k = 0; k < nr_oc; k++)
		pvu_printf(" %-30s", oc_names[k]);
	pvu_printf(" %7s %7s\n", "pv/qs", "pv/tas");
	for (unsigned int f = 0; f < nr_factors; f++) {
		char cell[64];

		pvu_printf("  %-6s %-5u", oc_factors[f] == 1 ? "1x" : oc_factors[f] == 2 ? "2x" : "4x",
			   host * oc_factors[f]);
		for (unsigned int k = 0; k < nr_oc; k++) {
			Samples &x = oc_tput[f][k];

			pvk_snprintf(cell, sizeof(cell), "%llu (%llu-%llu)%s",
				     (unsigned long long)x.med(),
				     (unsigned long long)x.min(),
				     (unsigned long long)x.max(),
				     oc_failed[f][k] ? " FAIL" : "");
			pvu_printf(" %-30s", cell);
		}
		pvu_printf(" %7s %7s\n",
			   fix2(ratio_x100(oc_tput[f][oc_pv].med(), oc_tput[f][oc_qs].med())),
			   fix2(ratio_x100(oc_tput[f][oc_pv].med(), oc_tput[f][oc_tas].med())));
	}
	pvu_printf("\np99 acquire latency, ns, median (log-linear histogram bucket bounds):\n");
	pvu_printf("  %-6s", "per");
	for (unsigned int k = 0; k < nr_oc; k++)
		pvu_printf(" %-20s", oc_names[k]);
	pvu_printf("\n");
	for (unsigned int f = 0; f < nr_factors; f++) {
		pvu_printf("  %-6s", oc_factors[f] == 1 ? "1x" : oc_factors[f] == 2 ? "2x" : "4x");
		for (unsigned int k = 0; k < nr_oc; k++)
			pvu_printf(" %-20llu", (unsigned long long)oc_p99[f][k].med());
		pvu_printf("\n");
	}

	/* The goals, from this run's medians. */
	uint64_t g1 = ratio_x100(one.lock[row_qspinlock].med(), one.lock[row_bare].med());
	uint64_t g2 = ratio_x100(one.bar[bar_mfence].med(), one.bar[bar_compiler].med());
	uint64_t g3 = ratio_x100(oc_tput[1][oc_pv].med(), oc_tput[1][oc_qs].med());
	uint64_t g4 = ratio_x100(oc_tput[1][oc_pv].med(), oc_tput[1][oc_tas].med());

	/* The same two ratios from the minima: on a busy machine the least
	 * disturbed repetition, for reading; the verdicts use the medians. */
	uint64_t m1 = ratio_x100(one.lock[row_qspinlock].min(), one.lock[row_bare].min());
	uint64_t m2 = ratio_x100(one.bar[bar_mfence].min(), one.bar[bar_compiler].min());

	pvu_printf("\nGoals (medians of this run; ratio of the minima in brackets):\n");
	pvu_printf("  %-48s %8s  %-8s %s\n", "goal", "measured", "target", "");
	pvu_printf("  %-48s %8s  %-8s %s (%s)\n", "uncontended qspinlock / physical limit", fix2(g1),
		   "<= 1.20", g1 <= 120 ? "met" : "SHORT", fix2(m1));
	pvu_printf("  %-48s %8s  %-8s %s (%s)\n", "mfence pair / compiler-only pair", fix2(g2),
		   ">= 5.00", g2 >= 500 ? "met" : "SHORT", fix2(m2));
	pvu_printf("  %-48s %8s  %-8s %s\n", "pvqspinlock / qspinlock at 2x overcommit", fix2(g3),
		   ">= 2.00", g3 >= 200 ? "met" : "SHORT");
	pvu_printf("  %-48s %8s  %-8s %s\n", "pvqspinlock / test-and-set at 2x overcommit", fix2(g4),
		   ">= 1.00", g4 >= 100 ? "met" : "SHORT");

	unsigned int failed = 0;

	for (unsigned int f = 0; f < nr_factors; f++)
		for (unsigned int k = 0; k < nr_oc; k++)
			failed += oc_failed[f][k];
	if (failed)
		pvu_printf("\n%u overcommit runs FAILED the stress checks\n", failed);
	return failed ? 1 : 0;
}

} /* namespace pv::user */
