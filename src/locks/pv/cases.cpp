// SPDX-License-Identifier: GPL-2.0
/*
 * cases.cpp - suite pvsync_pvqspinlock: the paravirt queued
 * spinlock's node states, its lock -> node hash, the race of seeds/002
 * replayed step by step, the emulated backend's halt and kick on a second
 * CPU, and stress runs in which the correct lock passes and its mutants
 * are caught.
 *
 * The step-by-step cases drive the lock with a scripted backend: its
 * wait() runs a hook that plays the other CPUs' parts (an injected
 * spurious wake-up, the owner's unlock, a colliding lock's head) at the
 * exact moment the halted head would be asleep, and its kick() records
 * whom it would wake.  With the tiny table and a hash that sends every
 * lock to one bucket, the collision is certain, not a matter of luck.
 * The production lock and these are one template (pvqspinlock.hpp).
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/crew.hpp"
#include "locks/experiment.hpp"
#include <pvsync/kapi.h>
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "locks/pv/pv_backend.hpp"
#include "locks/pv/pv_hash.hpp"
#include "locks/pv/pvqspinlock.hpp"
#include "locks/stress_expect.hpp"
#include "locks/stress.hpp"
#include "core/test.hpp"

using namespace pv;

namespace {

using Access = PvQSpinLockTestAccess;
using L = WordLayoutSmall;
using E = LockEvent;

constexpr uint8_t S = detail::_Q_SLOW_VAL;

/* ---------------------------------------------------------------- */
/* The scripted backend and the tiny colliding table                 */

struct Script {
	/* Called from wait() when *ptr == val, the n-th wait (from 1). */
	void (*on_wait)(unsigned int n, uint8_t *ptr, McsNode *self);
	unsigned int waits;	/* wait() calls that would halt */
	unsigned int kicks;
	McsNode *kicked;	/* the last kick's node */
};

Script script;

struct ScriptedBackend {
	static __always_inline int available(char *, unsigned long) { return 0; }
	static __always_inline void quiesce() {}

	static __always_inline void wait(uint8_t *ptr, uint8_t val, McsNode *self)
	{
		if (READ_ONCE(*ptr) != val)
			return;
		script.waits++;
		if (script.on_wait)
			script.on_wait(script.waits, ptr, self);
	}

	static __always_inline void kick(McsNode *node)
	{
		script.kicks++;
		script.kicked = node;
	}
};

void script_reset(void (*on_wait)(unsigned int, uint8_t *, McsNode *))
{
	script = Script{};
	script.on_wait = on_wait;
}

/* Two buckets of four entries; every lock hashes to tiny_bucket_start. */
alignas(64) PvHashEntry tiny_entries[8];
PvHashTable tiny_table = { tiny_entries, 3 };
uint32_t tiny_hash_value;

struct TinyHash {
	static __always_inline PvHashTable &table() { return tiny_table; }
	static __always_inline uint32_t hash(const QSpinLockWord *, uint32_t)
	{
		return READ_ONCE(tiny_hash_value);
	}
};

void tiny_reset(uint32_t hash_value)
{
	for (PvHashEntry &e : tiny_entries)
		e = PvHashEntry{};
	tiny_hash_value = hash_value;
}

/* The index in tiny_entries of @lock's entry, or -1. */
int tiny_slot_of(const QSpinLockWord *lock)
{
	for (unsigned int i = 0; i < 8; i++) {
		if (READ_ONCE(tiny_entries[i].lock) == lock)
			return static_cast<int>(i);
	}
	return -1;
}

/* A small spin threshold: the scripted cases halt after 16 tries. */
template <typename Flaw>
using TestLock = PvQSpinLock<ScriptedBackend, TinyHash, Flaw, 16>;

/* A node that stands for a queue head on another CPU. */
alignas(64) McsNode other_head;

uint8_t locked_of(QSpinLockWord &w)
{
	return READ_ONCE(w.locked);
}

/* The per-CPU event counts a case compares before and after. */
struct EventCounts {
	unsigned long n[lockevent_num];

	void read(unsigned int cpu)
	{
		for (unsigned int ev = 0; ev < lockevent_num; ev++)
			n[ev] = lockevent_read(static_cast<LockEvent>(ev), cpu);
	}

	unsigned long grew(LockEvent ev, unsigned int cpu) const
	{
		return lockevent_read(ev, cpu) - n[static_cast<unsigned int>(ev)];
	}
};

} /* namespace */

/* ---------------------------------------------------------------- */
/* Node states                                                       */

namespace {

McsNode sm_node, sm_prev;

/* wait_node: 1st wait an injected spurious wake-up, 2nd made the head. */
void sm_on_wait(unsigned int n, uint8_t *, McsNode *self)
{
	if (n >= 2)
		smp_store_release(&self->locked, 1U);
}

} /* namespace */

PV_CASE(pvqspinlock, node_states_follow_kick_and_wake)
{
	PreemptGuard g;
	unsigned int cpu = this_cpu();
	TestLock<PvNoFlaw> lock;
	QSpinLockWord &w = Access::word(lock);
	EventCounts before;

	pv_failures_reset(true);
	tiny_reset(0);
	script_reset(nullptr);

	/* init: running, on this CPU. */
	Access::init_node(&sm_node, cpu);
	PV_EXPECT_EQ(t, pv_node(&sm_node)->state, vcpu_running);
	PV_EXPECT_EQ(t, pv_node(&sm_node)->cpu, cpu);

	/* kick_node on a running node: nothing (it will see locked). */
	WRITE_ONCE(w.val, L::triple(L::encode_tail(cpu, 0), 0, 1));
	Access::kick_node<TinyHash>(&w, &sm_node);
	PV_EXPECT_EQ(t, pv_node(&sm_node)->state, vcpu_running);
	PV_EXPECT_EQ(t, locked_of(w), 1);
	PV_EXPECT_EQ(t, pv_hash_count<TinyHash>(&w), 0u);

	/* halted -> hashed: the owner hashes for it, n,0,1 -> n,0,S. */
	WRITE_ONCE(pv_node(&sm_node)->state, vcpu_halted);
	Access::kick_node<TinyHash>(&w, &sm_node);
	PV_EXPECT_EQ(t, pv_node(&sm_node)->state, vcpu_hashed);
	PV_EXPECT_EQ(t, locked_of(w), S);
	PV_EXPECT_EQ(t, pv_hash_count<TinyHash>(&w), 1u);

	/* The owner's unlock: n,0,S -> n,0,0, unhash, kick that node. */
	lock.unlock();
	PV_EXPECT_EQ(t, locked_of(w), 0);
	PV_EXPECT_EQ(t, pv_hash_count<TinyHash>(&w), 0u);
	PV_EXPECT_EQ(t, script.kicks, 1u);
	PV_EXPECT(t, script.kicked == &sm_node);
	WRITE_ONCE(w.val, 0u);

	/*
	 * wait_node: the predecessor is halted, so the node halts early
	 * (loop 512 & 0xff == 0 at once); an injected spurious wake-up
	 * sends it back to halt; then it is made the head.
	 */
	script_reset(sm_on_wait);
	before.read(cpu);
	Access::init_node(&sm_node, cpu);
	sm_node.locked = 0;
	Access::init_node(&sm_prev, cpu);
	WRITE_ONCE(pv_node(&sm_prev)->state, vcpu_halted);
	Access::wait_node<ScriptedBackend, 512>(&sm_node, &sm_prev);
	PV_EXPECT_EQ(t, sm_node.locked, 1u);
	PV_EXPECT_EQ(t, script.waits, 2u);
	PV_EXPECT_EQ(t, before.grew(E::pv_wait_node, cpu), 2u);
	PV_EXPECT_EQ(t, before.grew(E::pv_wait_early, cpu), 2u);
	PV_EXPECT_EQ(t, before.grew(E::pv_spurious_wakeup, cpu), 1u);
	/* halted -> running on the way out. */
	PV_EXPECT_EQ(t, pv_node(&sm_node)->state, vcpu_running);
	PV_EXPECT_EQ(t, pv_failures_total(), 0u);
	script_reset(nullptr);
}

/* ---------------------------------------------------------------- */
/* The hash                                                          */

PV_CASE(pvqspinlock, hash_collides_wraps_and_removes_only_own)
{
	PreemptGuard g;
	unsigned int cpu = this_cpu();
	QSpinLockWord locks[10];
	McsNode *nodes = &sm_node;	/* any node: only stored */
	EventCounts before;

	pv_failures_reset(true);
	/* Every lock hashes to entry 7, i.e. the bucket of entries 4-7. */
	tiny_reset(7);
	before.read(cpu);

	/* Five colliding locks: 4, 5, 6, 7, then wrap around to 0. */
	for (unsigned int i = 0; i < 5; i++)
		PV_EXPECT(t, pv_hash<TinyHash>(&locks[i], nodes) ==
				     &tiny_entries[(4 + i) % 8]);
	PV_EXPECT_EQ(t, before.grew(E::pv_hash_hops, cpu), 1u + 2 + 3 + 4 + 5);
	for (unsigned int i = 0; i < 5; i++)
		PV_EXPECT_EQ(t, pv_hash_count<TinyHash>(&locks[i]), 1u);

	/* Remove the middle one: only its entry goes. */
	PV_EXPECT(t, pv_unhash<TinyHash>(&locks[2]) == nodes);
	PV_EXPECT_EQ(t, pv_hash_count<TinyHash>(&locks[2]), 0u);
	PV_EXPECT_EQ(t, tiny_slot_of(&locks[0]), 4);
	PV_EXPECT_EQ(t, tiny_slot_of(&locks[1]), 5);
	PV_EXPECT_EQ(t, tiny_slot_of(&locks[3]), 7);
	PV_EXPECT_EQ(t, tiny_slot_of(&locks[4]), 0);

	/* The next insert reuses the freed entry, the first free one. */
	PV_EXPECT(t, pv_hash<TinyHash>(&locks[5], nodes) == &tiny_entries[6]);

	/* Fill the table (entries 1, 2, 3), then one more: full. */
	for (unsigned int i = 6; i < 9; i++)
		PV_EXPECT(t, pv_hash<TinyHash>(&locks[i], nodes) ==
				     &tiny_entries[i - 5]);
	PV_EXPECT(t, pv_hash<TinyHash>(&locks[9], nodes) == nullptr);
	PV_EXPECT_EQ(t, pv_failures(PvFailure::hash_full), 1u);

	/* Removing a lock that has no entry touches nothing: recorded. */
	PV_EXPECT(t, pv_unhash<TinyHash>(&locks[9]) == nullptr);
	PV_EXPECT_EQ(t, pv_failures(PvFailure::unhash_missing), 1u);
	for (unsigned int i = 0; i < 9; i++)
		PV_EXPECT_EQ(t, pv_hash_count<TinyHash>(&locks[i]),
			     i == 2 ? 0u : 1u);

	/* Purge frees exactly one lock's entries. */
	pv_hash_purge<TinyHash>(&locks[4]);
	PV_EXPECT_EQ(t, tiny_slot_of(&locks[4]), -1);
	PV_EXPECT_EQ(t, tiny_slot_of(&locks[3]), 7);
	pv_failures_reset();
	tiny_reset(0);
}

/* ---------------------------------------------------------------- */
/* The race of seeds/002                                             */

namespace {

/*
 * Lock A: we are its queue head; its owner is played by the script.
 * Lock B: collides with A in the one bucket; its head (on "another CPU",
 * other_head) and owner are played by the script too.
 *
 *   A: 0,0,1 -> n,0,1 -> n,0,S     we queue, hash A into entry 0, halt
 *      wait #1: injected spurious wake-up: we spin and halt again,
 *               without hashing again (A keeps exactly one entry)
 *      wait #2: A's owner unlocks: n,0,S -> n,0,0, A's entry freed,
 *               we are kicked; B's head hashes B into entry 0 (the
 *               first free entry of the same bucket) and sets S on B
 *   A: n,0,0 -> 0,0,1                  we take A
 *   B: its owner unlocks *,*,S: must find B's entry and kick B's head
 *
 * The invariants, checked at every step: a lock has at most one entry;
 * a lock word holding S has its entry.
 */
struct SeedRun {
	QSpinLockWord *a, *b;
	void (*unlock_a)();
	unsigned int violations;	/* invariant breaches seen */
	int a_slot, b_slot;		/* entries A, then B, took */
	bool a_one_entry_after_spurious;
};

SeedRun seed;

template <typename H>
void check_invariants(QSpinLockWord *w)
{
	unsigned int n = pv_hash_count<H>(w);

	if (n > 1)
		seed.violations++;
	if (READ_ONCE(w->locked) == S && n != 1)
		seed.violations++;
}

void seed_on_wait(unsigned int n, uint8_t *, McsNode *)
{
	check_invariants<TinyHash>(seed.a);
	check_invariants<TinyHash>(seed.b);
	if (n == 1) {
		seed.a_slot = tiny_slot_of(seed.a);
		return;		/* the injected spurious wake-up */
	}
	if (n != 2)
		return;
	seed.a_one_entry_after_spurious = pv_hash_count<TinyHash>(seed.a) == 1;
	/* A's owner, on its CPU: unhash A, release, kick us. */
	seed.unlock_a();
	/* B's head, on its CPU: hash B (the slot A just left), then S. */
	Access::init_node(&other_head, 0);
	WRITE_ONCE(pv_node(&other_head)->state, vcpu_hashed);
	pv_hash<TinyHash>(seed.b, &other_head);
	seed.b_slot = tiny_slot_of(seed.b);
	xchg(&seed.b->locked, S);
	check_invariants<TinyHash>(seed.a);
	check_invariants<TinyHash>(seed.b);
}

template <typename Flaw>
struct SeedLocks {
	TestLock<Flaw> a, b;
};

template <typename Flaw>
SeedLocks<Flaw> seed_locks;

template <typename Flaw>
void seed_unlock_a()
{
	seed_locks<Flaw>.a.unlock();
}

struct SeedOutcome {
	unsigned int violations;
	int a_slot, b_slot;
	bool a_one_entry_after_spurious;
	unsigned int waits, kicks;
	bool kicked_b_head;
	uint32_t a_word;
	uint32_t unhash_missing;
	unsigned long spurious_waits;	/* pv_wait_again */
};

template <typename Flaw>
SeedOutcome run_seed()
{
	SeedLocks<Flaw> &l = seed_locks<Flaw>;
	QSpinLockWord &a = Access::word(l.a), &b = Access::word(l.b);
	SeedOutcome out = {};
	PreemptGuard g;
	unsigned int cpu = this_cpu();
	EventCounts before;

	pv_failures_reset(true);
	tiny_reset(0);
	script_reset(seed_on_wait);
	seed = SeedRun{};
	seed.a = &a;
	seed.b = &b;
	seed.unlock_a = seed_unlock_a<Flaw>;
	seed.a_slot = seed.b_slot = -1;
	WRITE_ONCE(a.val, L::triple(0, 0, 1));	/* held by A's owner */
	WRITE_ONCE(b.val, L::triple(0, 0, 1));	/* held by B's owner */
	before.read(cpu);

	l.a.lock();				/* we are A's head */
	out.a_word = READ_ONCE(a.val);
	check_invariants<TinyHash>(&a);
	check_invariants<TinyHash>(&b);
	out.kicked_b_head = false;
	script.kicked = nullptr;

	l.a.unlock();
	l.b.unlock();				/* B's owner */
	out.kicked_b_head = script.kicked == &other_head;

	out.violations = seed.violations;
	out.a_slot = seed.a_slot;
	out.b_slot = seed.b_slot;
	out.a_one_entry_after_spurious = seed.a_one_entry_after_spurious;
	out.waits = script.waits;
	out.kicks = script.kicks;
	out.unhash_missing = pv_failures(PvFailure::unhash_missing);
	out.spurious_waits = before.grew(E::pv_wait_again, cpu);
	script_reset(nullptr);
	pv_hash_purge<TinyHash>(&a);
	pv_hash_purge<TinyHash>(&b);
	WRITE_ONCE(a.val, 0u);
	WRITE_ONCE(b.val, 0u);
	pv_failures_reset();
	return out;
}

} /* namespace */

PV_CASE(pvqspinlock, reused_entry_after_spurious_wake_is_kicked)
{
	SeedOutcome o = run_seed<PvNoFlaw>();

	/* The scenario happened as scripted. */
	PV_EXPECT_EQ(t, o.waits, 2u);
	PV_EXPECT_EQ(t, o.spurious_waits, 1u);
	PV_EXPECT(t, o.a_one_entry_after_spurious);
	PV_EXPECT_EQ(t, o.a_slot, 0);
	PV_EXPECT_EQ(t, o.b_slot, 0);		/* B took A's old entry */
	PV_EXPECT_EQ(t, o.a_word, L::triple(0, 0, 1));
	/* The invariants held throughout, and B's owner kicked B's head. */
	PV_EXPECT_EQ(t, o.violations, 0u);
	PV_EXPECT_EQ(t, o.unhash_missing, 0u);
	PV_EXPECT(t, o.kicked_b_head);
}

PV_CASE(pvqspinlock, mutant_woken_head_unhashing_is_caught)
{
	SeedOutcome o = run_seed<PvFlawSeedUnhash>();

	/* The same scenario ... */
	PV_EXPECT_EQ(t, o.waits, 2u);
	PV_EXPECT_EQ(t, o.a_slot, 0);
	PV_EXPECT_EQ(t, o.b_slot, 0);
	/* ... in which the woken head removed B's entry: caught. */
	PV_EXPECT(t, o.violations > 0);
	PV_EXPECT_EQ(t, o.unhash_missing, 1u);
	PV_EXPECT(t, !o.kicked_b_head);
	pv::test::log(t, "seed_unhash_flaw: %u invariant violations, B's head never kicked",
		      o.violations);
}

/* ---------------------------------------------------------------- */
/* The emulated backend on two CPUs                                  */

namespace {

constexpr unsigned int short_bound_ms = 300;
using ShortEmulated = PvBackendEmulated<short_bound_ms>;

alignas(64) McsNode halt_node;

struct HaltRun {
	uint8_t byte;			/* waited on: stays 1 */
	uint64_t waited_ns;
	uint32_t failures;
	uint32_t done;
};

HaltRun halt_run;

int halt_waiter(void *)
{
	{
		PreemptGuard g;
		uint64_t t0 = pvk_now_ns();

		ShortEmulated::wait(&halt_run.byte, 1, &halt_node);
		halt_run.waited_ns = pvk_now_ns() - t0;
		halt_run.failures = pv_failures_total();
	}
	smp_store_release(&halt_run.done, 1U);
	while (!pvk_thread_should_stop())
		pvk_msleep_interruptible(1);
	return 0;
}

} /* namespace */

PV_CASE(pvqspinlock, emulated_kick_wakes_halted_waiter)
{
	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	unsigned int b = pvk_nth_online_cpu(1);
	EventCounts before;

	pv_failures_reset(true);
	halt_run = HaltRun{};
	halt_run.byte = 1;
	Access::init_node(&halt_node, b);
	before.read(b);

	pvk_thread *th = pvk_thread_start(halt_waiter, nullptr, b, "pvsync/pv-halt");

	PV_ASSERT(t, th);
	/* It halts; it must stay halted, ticks or not, until kicked. */
	PV_EXPECT(t, wait_flag(&pv_node(&halt_node)->waiting, 1000));
	pvk_msleep_interruptible(50);
	PV_EXPECT(t, !smp_load_acquire(&halt_run.done));
	ShortEmulated::kick(&halt_node);
	PV_EXPECT(t, wait_flag(&halt_run.done, 2000));
	pvk_thread_stop(th);

	PV_EXPECT_EQ(t, halt_run.failures, 0u);
	PV_EXPECT(t, halt_run.waited_ns >= 50000000ULL);
	PV_EXPECT(t, halt_run.waited_ns < short_bound_ms * 1000000ULL);
	PV_EXPECT_EQ(t, before.grew(E::pv_kick_wake, b), 1u);
	pv::test::log(t, "halted %llu us, woken %lu ns after the kick, %lu spurious wake-ups meanwhile",
		      (unsigned long long)(halt_run.waited_ns / 1000),
		      before.grew(E::pv_latency_wake, b),
		      before.grew(E::pv_spurious_wakeup, b));

	/* A kick that comes before the wait is not lost: no halt at all. */
	{
		PreemptGuard g;
		uint64_t t0;

		Access::init_node(&halt_node, this_cpu());
		ShortEmulated::kick(&halt_node);
		t0 = pvk_now_ns();
		ShortEmulated::wait(&halt_run.byte, 1, &halt_node);
		PV_EXPECT(t, pvk_now_ns() - t0 < short_bound_ms * 1000000ULL / 2);
	}
	PV_EXPECT_EQ(t, pv_failures_total(), 0u);
	PV_EXPECT(t, pvk_kick_ipis_idle(1000));
	pv_failures_reset();
}

PV_CASE(pvqspinlock, emulated_lost_kick_is_recorded)
{
	uint8_t byte = 1;
	uint64_t waited;

	pv_failures_reset(true);
	{
		PreemptGuard g;
		uint64_t t0 = pvk_now_ns();

		Access::init_node(&halt_node, this_cpu());
		ShortEmulated::wait(&byte, 1, &halt_node);
		waited = pvk_now_ns() - t0;
	}
	/* Nobody kicks: it returns after the bound, failure recorded. */
	PV_EXPECT(t, waited >= short_bound_ms * 1000000ULL);
	PV_EXPECT(t, waited < 5 * short_bound_ms * 1000000ULL);
	PV_EXPECT_EQ(t, pv_failures(PvFailure::lost_kick), 1u);
	PV_EXPECT(t, pv_failure_reason() != nullptr);
	pv_failures_reset();
}

/* ---------------------------------------------------------------- */
/* Stress runs                                                       */

namespace {

constexpr stress::Config pv_short_run = {
	.threads = 4,
	.duration_ms = 300,
	.hold_ns = 100,
	.gap_ns = 200,
	.irq_every_us = 100,
};

template <unsigned int backend>
void expect_pv_passes(struct pvsync_test *t)
{
	stress::Result res;
	stress::Config cfg = pv_short_run;

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	cfg.threads = pvk_num_online_cpus();
	PV_ASSERT(t, locks::run_pv(backend, locks::variant_correct, cfg, &res) == 0);
	stress::expect_clean_run(t, res);
	pv::test::log(t, "%llu acquisitions, %llu in irq, %lu halts",
		      (unsigned long long)res.acquisitions,
		      (unsigned long long)res.irq_acquisitions,
		      lockevent_sum(E::pv_wait_head) + lockevent_sum(E::pv_wait_node));
}

constexpr Option<pv::test::Body> pv_backends[] = {
	{ "emulated", expect_pv_passes<locks::backend_emulated> },
	{ "native", expect_pv_passes<locks::backend_native> },
};

} /* namespace */

PV_PARAM_CASE(pvqspinlock, stress_excludes_and_kicks,
	      PVSYNC_PARAMS_PV_BACKENDS, pv_backends)

PV_CASE(pvqspinlock, stress_catches_unlock_ignoring_slow)
{
	/*
	 * The production lock's code with a spin threshold of 64, so that
	 * contended waiters halt on any machine, overcommitted or not.  The
	 * run goes on until a waiter has halted at least once (min_halts):
	 * with this unlock every halt is a waiter nobody kicks, so the
	 * lost kick is certain, not a matter of timing.
	 */
	using Mutant = PvQSpinLock<PvBackendEmulated<>, PvHashDefault,
				   PvFlawUnlockIgnoresSlow, 64>;
	stress::Result res;
	stress::Config cfg = pv_short_run;

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	cfg.threads = pvk_num_online_cpus();
	cfg.hold_ns = 20000;
	cfg.irq_every_us = 0;
	cfg.min_halts = 1;
	/* The engine resets the lock's failure record and reports it. */
	PV_ASSERT(t, stress::run<Mutant>(cfg, &res, true) == 0);
	PV_EXPECT(t, res.halts >= 1);
	PV_EXPECT(t, pv_failures(PvFailure::lost_kick) > 0);
	PV_EXPECT(t, !res.passed());
	PV_EXPECT_EQ(t, res.threads_wedged, 0u);
	pv::test::log(t, "unlock_ignores_slow: %u failures, first: %s",
		      res.failures,
		      res.failure_reason ? res.failure_reason : "none");
	pv_failures_reset();
}

PV_CASE(pvqspinlock, host_backend_runs_or_says_why)
{
	char why[128] = "";
	stress::Result res;
	stress::Config cfg = pv_short_run;

	if (PvBackendHost::available(why, sizeof(why))) {
		PV_EXPECT(t, why[0] != 0);
		PV_EXPECT_EQ(t, locks::run_pv(locks::backend_host,
					      locks::variant_correct, cfg, &res),
			     -19);
		pv::test::log(t, "host backend unavailable: %s", why);
		return;
	}
	cfg.threads = pvk_num_online_cpus();
	PV_ASSERT(t, locks::run_pv(locks::backend_host, locks::variant_correct,
				   cfg, &res) == 0);
	PV_EXPECT(t, res.passed());
}
