// SPDX-License-Identifier: GPL-2.0
/*
 * stress.cpp - "pvsync-user stress KIND": the lock stress engine
 * (src/locks/stress.hpp) on pinned threads, the same code the module
 * runs, with a probe in every critical section for ThreadSanitizer.
 *
 * The probe.  Each lock kind runs wrapped in Probed<Lock>, whose lock()
 * and unlock() add plain, unmarked reads and writes of the section's own
 * data (ProbeData) right after the lock's acquire and right before its
 * release.  The stress engine's own bookkeeping uses READ_ONCE and
 * WRITE_ONCE, marked accesses that TSan, like KCSAN, does not report; the
 * probe's are the data a lock exists to protect.  If the lock's acquire
 * or release is too weak, two holders' probe accesses are not ordered by
 * happens-before, and TSan reports a data race whose stacks name
 * critical_section_enter()/critical_section_leave(): that is the reason
 * ucheck requires of an ordering mutant.
 *
 * The precondition.  A mutant that weakens one path's ordering can only
 * be caught when the lock passes from one thread to another through that
 * path.  The probe counts such hand-overs per path (fast, pending, queue:
 * told apart by this vCPU's lock_pending and lock_slowpath events across
 * the lock() call), and "precondition=N" repeats stress runs until the
 * mutant's path has carried N hand-overs, so that a catch never rests on
 * timing luck: ucheck fails the check when the precondition was not met.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>
#include "locks/busted_lock.hpp"
#include "locks/lock_events.hpp"
#include "locks/pv/pv_backend_futex.hpp"
#include "locks/pv/pv_hash.hpp"
#include "locks/pv/pvqspinlock.hpp"
#include "locks/qspinlock.hpp"
#include "locks/stress.hpp"
#include "locks/tas_lock.hpp"
#include "locks/ticket_lock.hpp"
#include "user/user.hpp"

namespace pv::user {

namespace {

enum Path : unsigned int { path_fast, path_pending, path_queue, nr_paths };

constexpr const char *path_names[nr_paths] = { "fast", "pending", "queue" };

/* The critical section's data: plain on purpose (see the top). */
struct alignas(64) ProbeData {
	uint64_t value;
	uint32_t last_holder;		/* vCPU + 1 */
	uint64_t handovers[nr_paths];	/* from another vCPU, per path */
};

/* Summed over the runs of this process, at each lock's destroy(). */
uint64_t handovers_total[nr_paths];

__attribute__((noinline)) void critical_section_enter(ProbeData *d,
						      uint32_t me, Path path)
{
	uint32_t last = d->last_holder;

	d->last_holder = me;
	d->value = d->value + 1;
	if (last && last != me)
		d->handovers[path]++;
}

__attribute__((noinline)) void critical_section_leave(ProbeData *d)
{
	d->value = d->value + 1;
}

template <typename Lock>
struct Probed : Lock {
	static constexpr const char *name = Lock::name;

	ProbeData data;

	__always_inline void lock()
	{
		unsigned int cpu = this_cpu();
		unsigned long pending = lockevent_read(LockEvent::lock_pending, cpu);
		unsigned long slow = lockevent_read(LockEvent::lock_slowpath, cpu);
		Path path;

		Lock::lock();
		if (lockevent_read(LockEvent::lock_slowpath, cpu) != slow)
			path = path_queue;
		else if (lockevent_read(LockEvent::lock_pending, cpu) != pending)
			path = path_pending;
		else
			path = path_fast;
		critical_section_enter(&data, cpu + 1, path);
	}

	__always_inline void unlock()
	{
		critical_section_leave(&data);
		Lock::unlock();
	}

	/* Every thread has been joined: the counts are final. */
	__always_inline void destroy()
	{
		for (unsigned int p = 0; p < nr_paths; p++)
			handovers_total[p] += data.handovers[p];
		Lock::destroy();
	}
};

/* What must have happened before a run counts as a check of the kind. */
enum Need : unsigned int {
	need_none,
	need_fast,		/* hand-overs through the fast path */
	need_pending,		/* ... through the pending waiter */
	need_queue,		/* ... through the MCS queue */
	need_any,		/* hand-overs through any path */
	need_halts,		/* paravirt waiters that slept */
	need_node2,		/* slow paths nested on a vCPU's 2nd node */
};

constexpr const char *need_names[] = {
	"none", "handovers_fast", "handovers_pending", "handovers_queue",
	"handovers_any", "pv_halts", "lock_use_node2",
};

uint64_t need_count(Need need)
{
	switch (need) {
	case need_fast:
		return handovers_total[path_fast];
	case need_pending:
		return handovers_total[path_pending];
	case need_queue:
		return handovers_total[path_queue];
	case need_any:
		return handovers_total[path_fast] + handovers_total[path_pending] +
		       handovers_total[path_queue];
	case need_halts:
		return lockevent_sum(LockEvent::pv_wait_head) +
		       lockevent_sum(LockEvent::pv_wait_node);
	case need_node2:
		return lockevent_sum(LockEvent::lock_use_node2);
	default:
		return 0;
	}
}

template <typename Lock>
int run_plain(const stress::Config &cfg, stress::Result *res)
{
	return stress::run<Probed<Lock>>(cfg, res);
}

/* The paravirt lock reports what it detected itself, as in the module. */
template <typename Lock>
int run_pv(const stress::Config &cfg, stress::Result *res)
{
	pv_failures_reset();
	int ret = stress::run<Probed<Lock>>(cfg, res);

	res->failures = pv_failures_total();
	res->failure_reason = pv_failure_reason();
	return ret;
}

struct Kind {
	const char *name;
	int (*run)(const stress::Config &cfg, stress::Result *res);
	Need need;		/* the precondition of its check */
	const char *what;
};

template <typename M>
using QsMutant = QSpinLock<WordLayoutSmall, 512, M>;

constexpr Kind kinds[] = {
	{ "qspinlock", run_plain<QSpinLock<>>, need_queue,
	  "the queued spinlock" },
	{ "qspinlock_large", run_plain<QSpinLock<WordLayoutLarge>>, need_queue,
	  "the queued spinlock, >= 16K CPUs word layout" },
	{ "ticket", run_plain<TicketLock>, need_any, "the ticket lock" },
	{ "tas", run_plain<TasLock>, need_any,
	  "test-and-set (virt_spin_lock)" },
	{ "pvqspinlock_futex", run_pv<PvQSpinLock<PvBackendFutex>>, need_halts,
	  "the paravirt queued spinlock, futex backend" },
	{ "pvqspinlock_native", run_pv<PvQSpinLock<PvBackendNative>>, need_queue,
	  "the paravirt queued spinlock, native backend" },
	{ "busted", run_plain<BustedLock>, need_none,
	  "negative control: no lock at all" },
	{ "qspinlock_mutant_pending",
	  run_plain<QsMutant<QSpinLockMutantPendingNoWait>>, need_pending,
	  "mutant: the pending waiter does not wait for the owner" },
	{ "qspinlock_mutant_head",
	  run_plain<QsMutant<QSpinLockMutantHeadNoWait>>, need_queue,
	  "mutant: the queue head does not wait for the owner" },
	{ QSpinLockOrderFastRelaxed::name,
	  run_plain<QsMutant<QSpinLockOrderFastRelaxed>>, need_fast,
	  "ordering mutant: fast path cmpxchg_acquire -> relaxed" },
	{ QSpinLockOrderUnlockRelaxed::name,
	  run_plain<QsMutant<QSpinLockOrderUnlockRelaxed>>, need_any,
	  "ordering mutant: unlock store-release -> relaxed store" },
	{ QSpinLockOrderPendingRelaxed::name,
	  run_plain<QsMutant<QSpinLockOrderPendingRelaxed>>, need_pending,
	  "ordering mutant: pending waiter's acquire -> relaxed" },
	{ QSpinLockOrderHeadRelaxed::name,
	  run_plain<QsMutant<QSpinLockOrderHeadRelaxed>>, need_queue,
	  "ordering mutant: queue head's acquire -> relaxed" },
	{ QSpinLockOrderHandoffRelaxed::name,
	  run_plain<QsMutant<QSpinLockOrderHandoffRelaxed>>, need_queue,
	  "ordering mutant: MCS hand-over store-release -> relaxed" },
};

} /* namespace */

void list_kinds()
{
	for (const Kind &k : kinds)
		pvu_printf("%-34s %s\n", k.name, k.what);
}

/*
 * stress KIND [threads=N] [vcpus=N] [duration_ms=N] [hold_ns=N] [gap_ns=N]
 *             [irq_every_us=N] [precondition=N] [max_runs=N] [nested=1]
 *
 * vcpus defaults to the host CPUs, threads to vcpus, and may not exceed
 * it.  Runs until the
 * kind's precondition count reaches precondition=N (default 0: one run),
 * at most max_runs (default 20) runs; nested=1 makes the precondition
 * lock_use_node2 instead (slow paths nested in a signal "irq").  Exit status 0 when every run
 * passed, 1 when one failed, 3 when the precondition was not met.
 */
int stress_main(int argc, char **argv)
{
	const Kind *kind = nullptr;
	unsigned int vcpus = pvu_host_cpus(), threads = 0;
	unsigned int need_min = 0, max_runs = 20, nested = 0;
	stress::Config cfg = {
		.threads = 0,
		.duration_ms = 300,
		.hold_ns = 100,
		.gap_ns = 200,
		.irq_every_us = 0,
		.min_halts = 0,
	};

	for (const Kind &k : kinds) {
		if (streq(argv[0], k.name))
			kind = &k;
	}
	if (!kind) {
		pvk_log(PVK_LOG_ERR, "no lock kind %s (pvsync-user list)", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!parse_uint(a, "threads", &threads) &&
		    !parse_uint(a, "vcpus", &vcpus) &&
		    !parse_uint(a, "duration_ms", &cfg.duration_ms) &&
		    !parse_uint(a, "hold_ns", &cfg.hold_ns) &&
		    !parse_uint(a, "gap_ns", &cfg.gap_ns) &&
		    !parse_uint(a, "irq_every_us", &cfg.irq_every_us) &&
		    !parse_uint(a, "precondition", &need_min) &&
		    !parse_uint(a, "max_runs", &max_runs) &&
		    !parse_uint(a, "nested", &nested)) {
			pvk_log(PVK_LOG_ERR, "bad argument %s", a);
			return 2;
		}
	}
	cfg.threads = threads ? threads : vcpus;
	/*
	 * A thread per vCPU at most: the kernel's threads sharing a CPU
	 * never meet inside a lock, because they disable preemption; user
	 * threads cannot, and would share the vCPU's MCS nodes.
	 */
	if (cfg.threads > vcpus) {
		pvk_log(PVK_LOG_ERR, "threads=%u > vcpus=%u: in user space each thread needs a vCPU of its own",
			cfg.threads, vcpus);
		return 2;
	}
	if (pvu_set_vcpus(vcpus) || cfg.threads > stress::max_threads ||
	    cfg.duration_ms < 10 || max_runs < 1) {
		pvk_log(PVK_LOG_ERR, "bad settings");
		return 2;
	}

	Need need = nested ? need_node2 : kind->need;
	bool all_passed = true;
	unsigned int runs = 0;
	stress::Result res, shown;

	lockevents_reset();
	do {
		if (kind->run(cfg, &res)) {
			pvk_log(PVK_LOG_ERR, "%s: the run could not start", kind->name);
			return 2;
		}
		runs++;
		pvu_printf("run %u: %s acquisitions %llu violations %u counter_lost %llu failures %u\n",
			   runs, res.passed() ? "PASS" : "FAIL",
			   (unsigned long long)res.acquisitions,
			   res.violations + res.irq_violations,
			   (unsigned long long)(res.acquisitions - res.counter),
			   res.failures);
		/* Show the first failing run, or the last one. */
		if (all_passed)
			shown = res;
		all_passed &= res.passed();
		if (res.threads_wedged)
			break;
	} while (need_count(need) < need_min && runs < max_runs);

	bool met = need_count(need) >= need_min;

	pvu_printf("kind: %s (%s)\n", kind->name, kind->what);
	pvu_printf("vcpus: %u on %u host CPUs\n", vcpus, pvu_host_cpus());
	print_result(shown);
	for (unsigned int p = 0; p < nr_paths; p++)
		pvu_printf("handovers_%s: %llu\n", path_names[p],
			   (unsigned long long)handovers_total[p]);
	pvu_printf("pv_halts: %lu\n", lockevent_sum(LockEvent::pv_wait_head) +
					      lockevent_sum(LockEvent::pv_wait_node));
	pvu_printf("pv_kick_wake: %lu\n", lockevent_sum(LockEvent::pv_kick_wake));
	pvu_printf("runs: %u\n", runs);
	pvu_printf("lock_use_node2: %lu\n", lockevent_sum(LockEvent::lock_use_node2));
	pvu_printf("precondition: %s >= %u: %s (%llu)\n", need_names[need],
		   need_min, met ? "met" : "NOT met",
		   (unsigned long long)need_count(need));
	pvu_printf("overall: %s\n", all_passed ? "PASS" : "FAIL");
	if (!met)
		return 3;
	return all_passed ? 0 : 1;
}

} /* namespace pv::user */
