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
 * spurious wake-up, the owner's unlock, a stealer, a colliding lock's
 * head) at the exact moment the halted head would be asleep, and its
 * kick() records whom it would wake.  The tiny table's hash policy has a
 * hook too, run right after an entry is inserted or dropped, so a step
 * can also fall between hashing and setting S.  With the tiny table and
 * a hash that sends every lock to one bucket, the collision is certain,
 * not a matter of luck.  At every hook the invariants of the locks under
 * test are checked (inv_check()): a lock has at most one entry, and a
 * word holding S has its entry.  The production lock and these are one
 * template (pvqspinlock.hpp).
 *
 * One scripted case per real bug, each with its mutant:
 *   reused_entry_*, mutant_woken_head_*, mutant_unlock_ignoring_*
 *                            the design thread's race: a woken head's
 *                            unhash of a slot a colliding lock reuses
 *                            (seed_unhash_flaw); the kicked head's own
 *                            kick (unlock_ignores_slow)
 *   steal_after_kick_*       a stealer between the kick and the head's
 *                            retry (slow_every_pass)
 *   free_before_slow_*       the lock freed between hashing and S: the
 *                            xchg == 0 branch (unhash_before_locked)
 *   kick_races_spurious_*    pv_kick_node() against a node woken
 *                            spuriously (wake_stores_running: 2016's
 *                            double hash)
 *   wait_node_store_buffering  the StoreLoad pair on two CPUs
 *                            (wait_node_no_mb)
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
	/*
	 * Called from every wait() call, the n-th (from 1), halting or
	 * not (@halts: *ptr == val, so a real CPU would sleep now).
	 */
	void (*on_call)(unsigned int n, bool halts, McsNode *self);
	/* Called after the n-th insert or drop of a tiny-table entry. */
	void (*on_hash)(unsigned int n, const QSpinLockWord *lock);
	unsigned int waits;	/* wait() calls that would halt */
	unsigned int calls;	/* all wait() calls */
	unsigned int hash_changes;
	unsigned int kicks;
	McsNode *kicked;	/* the last kick's node */
};

Script script;

/*
 * The invariants, checked at every hook for the locks named here: at
 * most one entry per lock; a word holding S has its entry.  (Not inside
 * pv_unhash(): the unlocker that saw S owns the lock and has no hook
 * between its unhash and its release.)
 */
struct Invariants {
	const QSpinLockWord *locks[2];
	unsigned int violations;
	unsigned int max_entries;	/* most entries one lock had */
	unsigned int s_without_entry;	/* checks that saw S, no entry */
};

Invariants inv;

template <typename H>
void inv_check()
{
	for (const QSpinLockWord *w : inv.locks) {
		if (!w)
			continue;
		unsigned int n = pv_hash_count<H>(w);

		if (n > inv.max_entries)
			inv.max_entries = n;
		if (n > 1)
			inv.violations++;
		if (READ_ONCE(w->locked) == S && n != 1) {
			inv.violations++;
			inv.s_without_entry++;
		}
	}
}

void inv_reset(const QSpinLockWord *a, const QSpinLockWord *b)
{
	inv = Invariants{};
	inv.locks[0] = a;
	inv.locks[1] = b;
}

void inv_check_tiny();

struct ScriptedBackend {
	static __always_inline int available(char *, unsigned long) { return 0; }
	static __always_inline void quiesce() {}

	static __always_inline void wait(uint8_t *ptr, uint8_t val, McsNode *self)
	{
		bool halts = READ_ONCE(*ptr) == val;

		inv_check_tiny();
		script.calls++;
		if (halts)
			script.waits++;
		if (script.on_call)
			script.on_call(script.calls, halts, self);
		if (halts && script.on_wait)
			script.on_wait(script.waits, ptr, self);
		inv_check_tiny();
	}

	static __always_inline void kick(McsNode *node)
	{
		inv_check_tiny();
		script.kicks++;
		script.kicked = node;
	}
};

void script_reset(void (*on_wait)(unsigned int, uint8_t *, McsNode *))
{
	script = Script{};
	script.on_wait = on_wait;
	inv = Invariants{};
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
	/* After an insert or a drop: check, then play the script's step. */
	static __always_inline void changed(const QSpinLockWord *lock)
	{
		inv_check<TinyHash>();
		script.hash_changes++;
		if (script.on_hash)
			script.on_hash(script.hash_changes, lock);
		inv_check<TinyHash>();
	}
};

void script_finish(QSpinLockWord *w)
{
	script_reset(nullptr);
	pv_hash_purge<TinyHash>(w);
	WRITE_ONCE(w->val, 0u);
	pv_failures_reset();
}

void inv_check_tiny()
{
	inv_check<TinyHash>();
}

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
 * The invariants, checked at every hook (inv_check()): a lock has at
 * most one entry; a lock word holding S has its entry.  And the kick of
 * wait #2 must be ours: asserted, not just counted.
 */
struct SeedRun {
	QSpinLockWord *a, *b;
	void (*unlock_a)();
	int a_slot, b_slot;		/* entries A, then B, took */
	bool a_one_entry_after_spurious;
	bool a_head_kicked;		/* A's unlock kicked our node */
};

SeedRun seed;

void seed_on_wait(unsigned int n, uint8_t *, McsNode *self)
{
	unsigned int kicks;

	if (n == 1) {
		seed.a_slot = tiny_slot_of(seed.a);
		return;		/* the injected spurious wake-up */
	}
	if (n != 2)
		return;
	seed.a_one_entry_after_spurious = pv_hash_count<TinyHash>(seed.a) == 1;
	/* A's owner, on its CPU: unhash A, release, kick us. */
	kicks = script.kicks;
	seed.unlock_a();
	seed.a_head_kicked = script.kicks == kicks + 1 && script.kicked == self;
	/* B's head, on its CPU: hash B (the slot A just left), then S. */
	Access::init_node(&other_head, 0);
	WRITE_ONCE(pv_node(&other_head)->state, vcpu_hashed);
	pv_hash<TinyHash>(seed.b, &other_head);
	seed.b_slot = tiny_slot_of(seed.b);
	xchg(&seed.b->locked, S);
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
	bool a_head_kicked;
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
	inv_reset(&a, &b);
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
	inv_check<TinyHash>();
	out.kicked_b_head = false;
	script.kicked = nullptr;

	l.a.unlock();
	l.b.unlock();				/* B's owner */
	out.kicked_b_head = script.kicked == &other_head;

	inv_check<TinyHash>();
	out.violations = inv.violations;
	out.a_head_kicked = seed.a_head_kicked;
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
	/* A's owner kicked our node, and nothing else kicked it. */
	PV_EXPECT(t, o.a_head_kicked);
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

PV_CASE(pvqspinlock, mutant_unlock_ignoring_slow_is_caught)
{
	SeedOutcome o = run_seed<PvFlawUnlockIgnoresSlow>();

	/* The same scenario up to wait #2 ... */
	PV_EXPECT_EQ(t, o.waits, 2u);
	PV_EXPECT_EQ(t, o.a_slot, 0);
	/* ... where A's unlock stored 0 over S: our node is never kicked. */
	PV_EXPECT(t, !o.a_head_kicked);
	PV_EXPECT_EQ(t, o.kicks, 0u);
	pv::test::log(t, "unlock_ignores_slow: the halted head of A was not kicked (lost kick)");
}

/* ---------------------------------------------------------------- */
/* A stealer between the kick and the head's retry                   */

namespace {

/*
 * Lock A held by its owner; we are its only queued waiter, the head.
 *
 *   pass 0   we spin out, hash A, set S (n,0,1 -> n,0,S), halt
 *   call 1   (halts) A's owner unlocks: n,0,S -> n,0,0, unhash, kick us;
 *            before we run again a newcomer steals A: n,0,0 -> n,0,1
 *            (pending is clear while we halt)
 *   pass 1   we spin out again against the stealer.  We hashed once
 *            already: no new entry, no S; wait() returns at once
 *   call 2   (does not halt) the stealer unlocks: n,0,1 -> n,0,0
 *   pass 2   we take A
 *
 * The mutant slow_every_pass sets S in pass 1 (n,0,1 -> n,0,S) with no
 * entry: call 2 halts, the stealer's unlock finds no entry (recorded)
 * and kicks nobody: a lost kick.
 */
struct StealRun {
	void (*unlock)();
	QSpinLockWord *w;
	McsNode *head;
	bool kicked_first;	/* the owner's unlock kicked our node */
	bool stolen;
	bool halted_again;	/* call 2 would halt */
	bool kicked_again;	/* ... and someone kicked us */
};

StealRun steal;

template <typename Flaw>
TestLock<Flaw> steal_lock;

template <typename Flaw>
void steal_unlock()
{
	steal_lock<Flaw>.unlock();
}

void steal_on_call(unsigned int n, bool halts, McsNode *self)
{
	unsigned int kicks = script.kicks;

	if (n == 1 && halts) {
		steal.head = self;
		steal.unlock();			/* A's owner */
		steal.kicked_first = script.kicks == kicks + 1 &&
				     script.kicked == self;
		steal.stolen = Access::steal(steal.w);	/* a newcomer */
		return;
	}
	if (n == 2) {
		steal.halted_again = halts;
		steal.unlock();			/* the stealer */
		steal.kicked_again = script.kicks == kicks + 1 &&
				     script.kicked == self;
	}
}

struct StealOutcome {
	unsigned int calls, waits, kicks;
	unsigned int violations, s_without_entry;
	bool kicked_first, stolen, halted_again, kicked_again;
	uint32_t word_after_lock;
	unsigned int entries_after;
	uint32_t unhash_missing;
};

template <typename Flaw>
StealOutcome run_steal()
{
	QSpinLockWord &w = Access::word(steal_lock<Flaw>);
	StealOutcome out = {};
	PreemptGuard g;

	pv_failures_reset(true);
	tiny_reset(0);
	script_reset(nullptr);
	script.on_call = steal_on_call;
	inv_reset(&w, nullptr);
	steal = StealRun{};
	steal.unlock = steal_unlock<Flaw>;
	steal.w = &w;
	WRITE_ONCE(w.val, L::triple(0, 0, 1));	/* held by A's owner */

	steal_lock<Flaw>.lock();
	out.word_after_lock = READ_ONCE(w.val);
	inv_check<TinyHash>();
	steal_lock<Flaw>.unlock();
	inv_check<TinyHash>();

	out.calls = script.calls;
	out.waits = script.waits;
	out.kicks = script.kicks;
	out.violations = inv.violations;
	out.s_without_entry = inv.s_without_entry;
	out.kicked_first = steal.kicked_first;
	out.stolen = steal.stolen;
	out.halted_again = steal.halted_again;
	out.kicked_again = steal.kicked_again;
	out.entries_after = pv_hash_count<TinyHash>(&w);
	out.unhash_missing = pv_failures(PvFailure::unhash_missing);
	script_finish(&w);
	return out;
}

} /* namespace */

PV_CASE(pvqspinlock, steal_after_kick_keeps_slow_with_entry)
{
	StealOutcome o = run_steal<PvNoFlaw>();

	/* The scenario happened as scripted: kicked, stolen, retried. */
	PV_EXPECT(t, o.kicked_first);
	PV_EXPECT(t, o.stolen);
	PV_EXPECT_EQ(t, o.calls, 2u);
	PV_EXPECT_EQ(t, o.waits, 1u);
	/* Pass 1 did not set S over the stealer's 1, so did not halt. */
	PV_EXPECT(t, !o.halted_again);
	PV_EXPECT_EQ(t, o.kicks, 1u);
	PV_EXPECT_EQ(t, o.word_after_lock, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, o.violations, 0u);
	PV_EXPECT_EQ(t, o.unhash_missing, 0u);
	PV_EXPECT_EQ(t, o.entries_after, 0u);
}

PV_CASE(pvqspinlock, steal_after_kick_catches_slow_every_pass)
{
	StealOutcome o = run_steal<PvFlawSlowEveryPass>();

	/* The same scenario ... */
	PV_EXPECT(t, o.kicked_first);
	PV_EXPECT(t, o.stolen);
	PV_EXPECT_EQ(t, o.calls, 2u);
	/* ... where pass 1 set S with no entry and halted: caught. */
	PV_EXPECT(t, o.halted_again);
	PV_EXPECT(t, o.s_without_entry > 0);
	PV_EXPECT_EQ(t, o.unhash_missing, 1u);
	PV_EXPECT(t, !o.kicked_again);		/* the lost kick */
	pv::test::log(t, "slow_every_pass: S without entry at %u checks; the stealer's unlock found no entry; the halted head was not kicked",
		      o.s_without_entry);
}

/* ---------------------------------------------------------------- */
/* The lock freed between hashing and setting S: xchg == 0           */

namespace {

/*
 * Lock A held by its owner; we are its head.  We spin out and hash A;
 * right after the insert (the hash policy's hook) A's owner unlocks,
 * n,0,1 -> n,0,0, by the fast path: it has not seen S.  Our xchg of S
 * then finds 0: we own A, and remove our own entry.  The correct lock
 * stores 1 over S first, so that at the drop (hook again) the word
 * holds 1 and no entry: the invariant holds at every instant.  The
 * mutant unhash_before_locked drops first: S with no entry, seen.
 */
struct FreeRun {
	void (*unlock)();
	bool freed;		/* the owner's unlock took the fast path */
	unsigned int changes;	/* hash inserts + drops seen */
	uint8_t locked_at_drop;
};

FreeRun freerun;

template <typename Flaw>
TestLock<Flaw> free_lock;

template <typename Flaw>
void free_unlock()
{
	free_lock<Flaw>.unlock();
}

void free_on_hash(unsigned int n, const QSpinLockWord *lock)
{
	freerun.changes = n;
	if (n == 1) {
		freerun.unlock();	/* A's owner, on its CPU */
		freerun.freed = READ_ONCE(lock->locked) == 0;
	} else if (n == 2) {
		freerun.locked_at_drop = READ_ONCE(lock->locked);
	}
}

struct FreeOutcome {
	unsigned int calls, kicks, changes;
	unsigned int violations, s_without_entry;
	bool freed;
	uint8_t locked_at_drop;
	uint32_t word_after_lock;
	unsigned int entries_after;
	uint32_t failures;
};

template <typename Flaw>
FreeOutcome run_free()
{
	QSpinLockWord &w = Access::word(free_lock<Flaw>);
	FreeOutcome out = {};
	PreemptGuard g;

	pv_failures_reset(true);
	tiny_reset(0);
	script_reset(nullptr);
	script.on_hash = free_on_hash;
	inv_reset(&w, nullptr);
	freerun = FreeRun{};
	freerun.unlock = free_unlock<Flaw>;
	WRITE_ONCE(w.val, L::triple(0, 0, 1));	/* held by A's owner */

	free_lock<Flaw>.lock();
	out.word_after_lock = READ_ONCE(w.val);
	inv_check<TinyHash>();
	free_lock<Flaw>.unlock();

	out.calls = script.calls;
	out.kicks = script.kicks;
	out.changes = freerun.changes;
	out.violations = inv.violations;
	out.s_without_entry = inv.s_without_entry;
	out.freed = freerun.freed;
	out.locked_at_drop = freerun.locked_at_drop;
	out.entries_after = pv_hash_count<TinyHash>(&w);
	out.failures = pv_failures_total();
	script_finish(&w);
	return out;
}

} /* namespace */

PV_CASE(pvqspinlock, free_before_slow_takes_lock_cleanly)
{
	FreeOutcome o = run_free<PvNoFlaw>();

	/* Hashed, freed by the owner, then the xchg found 0 and dropped. */
	PV_EXPECT(t, o.freed);
	PV_EXPECT_EQ(t, o.changes, 2u);
	PV_EXPECT_EQ(t, o.calls, 0u);		/* never halted */
	PV_EXPECT_EQ(t, o.kicks, 0u);
	/* 1, not S, when the entry went; and the lock is ours. */
	PV_EXPECT_EQ(t, o.locked_at_drop, 1);
	PV_EXPECT_EQ(t, o.word_after_lock, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, o.violations, 0u);
	PV_EXPECT_EQ(t, o.entries_after, 0u);
	PV_EXPECT_EQ(t, o.failures, 0u);
}

PV_CASE(pvqspinlock, free_before_slow_catches_unhash_before_locked)
{
	FreeOutcome o = run_free<PvFlawUnhashBeforeLocked>();

	PV_EXPECT(t, o.freed);
	PV_EXPECT_EQ(t, o.changes, 2u);
	/* S in the word, its entry gone: the invariant broke. */
	PV_EXPECT_EQ(t, o.locked_at_drop, S);
	PV_EXPECT(t, o.s_without_entry > 0);
	pv::test::log(t, "unhash_before_locked: the word held S with no entry at the drop");
}

/* ---------------------------------------------------------------- */
/* pv_kick_node() against a spuriously woken node                    */

namespace {

/*
 * Our node waits behind prev (running) for lock A, which A's owner
 * holds.  Steps, on the scripted backend:
 *
 *   wait_node  spin out; running -> halted; halt
 *   call 1     a spurious wake-up, and before our node runs on, A's
 *              owner makes it the head (node->locked = 1) and runs
 *              pv_kick_node(): halted -> hashed, hash A, n,0,1 -> n,0,S
 *              Our node's halted -> running cmpxchg then fails: it stays
 *              hashed, and sees locked
 *   head       hashed: spin out, do not hash again, halt on S
 *   call 2     A's owner unlocks: unhash, n,0,S -> n,0,0, kick us
 *   head       take A; then we unlock it
 *
 * Asserted through the head's whole wait: at most one entry for A at
 * every hook, our kick, no entry left.  The mutant wake_stores_running
 * stores running over hashed: the head hashes A a second time (the
 * insert sees A's entry: double entry recorded), the owner's unlock
 * removes one, the other is left behind: stale.
 */
struct RaceRun {
	void (*unlock)();
	QSpinLockWord *w;
	bool kicked_head;	/* call 2's unlock kicked our node */
	uint8_t state_after_wake;
};

RaceRun race;

alignas(64) McsNode race_node, race_prev;

template <typename Flaw>
TestLock<Flaw> race_lock;

template <typename Flaw>
void race_unlock()
{
	race_lock<Flaw>.unlock();
}

void race_on_call(unsigned int n, bool halts, McsNode *self)
{
	unsigned int kicks = script.kicks;

	if (n == 1 && halts) {
		/* A's owner, on its CPU, makes us the head (qspinlock.hpp). */
		smp_store_release(&self->locked, 1U);
		Access::kick_node<TinyHash>(race.w, self);
		return;	/* our wait() returns: the spurious wake-up */
	}
	if (n == 2 && halts) {
		race.unlock();
		race.kicked_head = script.kicks == kicks + 1 &&
				   script.kicked == self;
	}
}

struct RaceOutcome {
	unsigned int calls, waits, kicks;
	unsigned int violations, max_entries;
	bool kicked_head;
	uint8_t state_after_wake;
	unsigned int entries_after;
	uint32_t double_entry;
};

template <typename Flaw>
RaceOutcome run_race()
{
	QSpinLockWord &w = Access::word(race_lock<Flaw>);
	RaceOutcome out = {};
	PreemptGuard g;
	unsigned int cpu = this_cpu();

	pv_failures_reset(true);
	tiny_reset(0);
	script_reset(nullptr);
	script.on_call = race_on_call;
	inv_reset(&w, nullptr);
	race = RaceRun{};
	race.unlock = race_unlock<Flaw>;
	race.w = &w;
	/* Held by A's owner; our node is the tail. */
	WRITE_ONCE(w.val, L::triple(L::encode_tail(cpu, 0), 0, 1));
	Access::init_node(&race_node, cpu);
	race_node.locked = 0;
	Access::init_node(&race_prev, cpu);

	Access::wait_node<ScriptedBackend, 16, Flaw>(&race_node, &race_prev);
	out.state_after_wake = READ_ONCE(pv_node(&race_node)->state);
	(void)Access::wait_head_or_lock<ScriptedBackend, TinyHash, Flaw, 16>(
		&w, &race_node);
	inv_check<TinyHash>();
	/* We own A (locked byte 1): n,0,1 -> n,0,0. */
	race_lock<Flaw>.unlock();
	inv_check<TinyHash>();

	out.calls = script.calls;
	out.waits = script.waits;
	out.kicks = script.kicks;
	out.violations = inv.violations;
	out.max_entries = inv.max_entries;
	out.kicked_head = race.kicked_head;
	out.entries_after = pv_hash_count<TinyHash>(&w);
	out.double_entry = pv_failures(PvFailure::double_entry);
	script_finish(&w);
	return out;
}

} /* namespace */

PV_CASE(pvqspinlock, kick_races_spurious_wake_one_entry)
{
	RaceOutcome o = run_race<PvNoFlaw>();

	/* The woken node kept hashed: pv_kick_node() won the cmpxchg. */
	PV_EXPECT_EQ(t, o.state_after_wake, vcpu_hashed);
	PV_EXPECT_EQ(t, o.calls, 2u);
	PV_EXPECT_EQ(t, o.waits, 2u);
	/* One entry at most, through the head's whole wait, and our kick. */
	PV_EXPECT_EQ(t, o.max_entries, 1u);
	PV_EXPECT_EQ(t, o.violations, 0u);
	PV_EXPECT(t, o.kicked_head);
	PV_EXPECT_EQ(t, o.kicks, 1u);
	PV_EXPECT_EQ(t, o.entries_after, 0u);
	PV_EXPECT_EQ(t, o.double_entry, 0u);
}

PV_CASE(pvqspinlock, kick_races_spurious_wake_catches_wake_stores_running)
{
	RaceOutcome o = run_race<PvFlawWakeStoresRunning>();

	/* The plain store forgot hashed ... */
	PV_EXPECT_EQ(t, o.state_after_wake, vcpu_running);
	/* ... so the head hashed A again: two entries, one left stale. */
	PV_EXPECT_EQ(t, o.max_entries, 2u);
	PV_EXPECT(t, o.violations > 0);
	PV_EXPECT_EQ(t, o.double_entry, 1u);
	PV_EXPECT_EQ(t, o.entries_after, 1u);
	pv::test::log(t, "wake_stores_running: %u entries for one lock (double entry), %u left after its unlock (stale entry)",
		      o.max_entries, o.entries_after);
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
/* The store-buffering pair of pv_wait_node() / pv_kick_node()       */

namespace {

/*
 * Two CPUs, many rounds.  Each round starts from a running node with
 * locked 0; then, at the same moment (a two-CPU rendezvous, then a small
 * pseudo-random delay on each side so that every overlap is tried):
 *
 *   waiter (pv_halt_then_check)     owner (qspinlock.hpp + pv_claim_halted)
 *   state = halted                  store-release node->locked = 1
 *   smp_mb()                        smp_mb__before_atomic()
 *   r0 = node->locked               r1 = cmpxchg(state, halted, hashed)
 *
 * "Both missed" is r0 == 0 and r1 failed: the waiter halts, and the owner
 * does not hash for it, so nobody will kick it.  The barrier forbids it;
 * the mutant wait_node_no_mb does not.  These are the lock's own
 * functions, not a copy.
 */
struct SbRun {
	alignas(64) McsNode node;
	alignas(64) uint32_t arrive;
	alignas(64) uint32_t depart;
	alignas(64) uint32_t owner_saw_halted;
	uint32_t abort;
	uint32_t done[2];
	uint64_t deadline_ns;
	bool no_mb;
	/* Tallies, by the waiter: outcomes (r0, r1). */
	uint64_t rounds, both_missed, waiter_only, owner_only, both_saw;
};

SbRun sb;

constexpr unsigned int sb_max_rounds = 1000000;
constexpr uint64_t sb_budget_ns = 1500000000ULL;	/* per variant */

/* Rendezvous: both sides add 1; go on when both of round @r did. */
bool sb_meet(uint32_t *ctr, uint32_t target)
{
	(void)atomic_fetch_add(ctr, 1U);	/* full barrier */
	while (READ_ONCE(*ctr) < target) {
		if (READ_ONCE(sb.abort))
			return false;
		cpu_relax();
	}
	return true;
}

void sb_delay(uint32_t *x)
{
	*x = *x * 1103515245U + 12345U;
	for (unsigned int i = (*x >> 16) & 31; i; i--)
		barrier();
}

int sb_waiter(void *)
{
	uint32_t x = 1;

	for (uint32_t r = 1; r <= sb_max_rounds; r++) {
		uint32_t r0, r1;

		WRITE_ONCE(sb.node.locked, 0U);
		WRITE_ONCE(pv_node(&sb.node)->state, vcpu_running);
		if (!sb_meet(&sb.arrive, 2 * r))
			break;
		sb_delay(&x);
		r0 = sb.no_mb ? Access::halt_then_check<PvFlawWaitNodeNoMb>(&sb.node) :
				Access::halt_then_check<PvNoFlaw>(&sb.node);
		if (!sb_meet(&sb.depart, 2 * r))
			break;
		r1 = READ_ONCE(sb.owner_saw_halted);
		sb.rounds++;
		if (!r0 && !r1)
			sb.both_missed++;
		else if (r0 && r1)
			sb.both_saw++;
		else if (r0)
			sb.waiter_only++;
		else
			sb.owner_only++;
		if ((r & 1023) == 0 && pvk_now_ns() > sb.deadline_ns)
			break;
	}
	WRITE_ONCE(sb.abort, 1U);
	smp_store_release(&sb.done[0], 1U);
	while (!pvk_thread_should_stop())
		pvk_msleep_interruptible(1);
	return 0;
}

int sb_owner(void *)
{
	uint32_t x = 7;

	for (uint32_t r = 1; r <= sb_max_rounds; r++) {
		if (!sb_meet(&sb.arrive, 2 * r))
			break;
		sb_delay(&x);
		/* arch_mcs_spin_unlock_contended() in qspinlock.hpp */
		smp_store_release(&sb.node.locked, 1U);
		WRITE_ONCE(sb.owner_saw_halted,
			   Access::claim_halted(&sb.node) ? 1U : 0U);
		if (!sb_meet(&sb.depart, 2 * r))
			break;
	}
	WRITE_ONCE(sb.abort, 1U);
	smp_store_release(&sb.done[1], 1U);
	while (!pvk_thread_should_stop())
		pvk_msleep_interruptible(1);
	return 0;
}

/* One litmus run of @no_mb on CPUs @a (waiter) and @b (owner). */
bool sb_run(bool no_mb, unsigned int a, unsigned int b)
{
	pvk_thread *tw, *to;

	sb = SbRun{};
	sb.no_mb = no_mb;
	Access::init_node(&sb.node, a);
	sb.deadline_ns = pvk_now_ns() + sb_budget_ns;
	tw = pvk_thread_start(sb_waiter, nullptr, a, "pvsync/sb-wait");
	if (!tw)
		return false;
	to = pvk_thread_start(sb_owner, nullptr, b, "pvsync/sb-own");
	if (!to)
		WRITE_ONCE(sb.abort, 1U);
	wait_flag(&sb.done[0], 10000);
	if (to)
		wait_flag(&sb.done[1], 10000);
	pvk_thread_stop(tw);
	if (to)
		pvk_thread_stop(to);
	return to != nullptr && smp_load_acquire(&sb.done[0]) &&
	       smp_load_acquire(&sb.done[1]);
}

} /* namespace */

PV_CASE(pvqspinlock, wait_node_store_buffering)
{
	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	unsigned int a = pvk_nth_online_cpu(0), b = pvk_nth_online_cpu(1);
	uint64_t rounds, missed, w_only, o_only, both;

	/* The lock's barrier: never both missed. */
	PV_ASSERT(t, sb_run(false, a, b));
	rounds = sb.rounds;
	missed = sb.both_missed;
	w_only = sb.waiter_only;
	o_only = sb.owner_only;
	both = sb.both_saw;
	PV_EXPECT(t, rounds >= 1000);
	PV_EXPECT_EQ(t, missed, 0ULL);
	pv::test::log(t, "correct: %llu rounds: both missed %llu, waiter saw locked only %llu, owner saw halted only %llu, both saw %llu",
		      (unsigned long long)rounds, (unsigned long long)missed,
		      (unsigned long long)w_only, (unsigned long long)o_only,
		      (unsigned long long)both);

	/*
	 * Without it, both missed is allowed (x86 store buffering); how
	 * often it shows depends on the machine (under QEMU TCG, on the
	 * host's store buffer and on both vCPU threads running at once),
	 * so it is measured and logged, not asserted.
	 */
	PV_ASSERT(t, sb_run(true, a, b));
	PV_EXPECT(t, sb.rounds >= 1000);
	pv::test::log(t, "wait_node_no_mb: %llu rounds: both missed %llu (the lost kick's precondition), waiter only %llu, owner only %llu, both saw %llu",
		      (unsigned long long)sb.rounds,
		      (unsigned long long)sb.both_missed,
		      (unsigned long long)sb.waiter_only,
		      (unsigned long long)sb.owner_only,
		      (unsigned long long)sb.both_saw);
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
	pv::test::log(t, "%llu acquisitions, %llu in irq, %lu halts, verdict: %s",
		      (unsigned long long)res.acquisitions,
		      (unsigned long long)res.irq_acquisitions,
		      lockevent_sum(E::pv_wait_head) + lockevent_sum(E::pv_wait_node),
		      res.reason() ? res.reason() : "PASS");
}

constexpr Option<pv::test::Body> pv_backends[] = {
	{ "emulated", expect_pv_passes<locks::backend_emulated> },
	{ "native", expect_pv_passes<locks::backend_native> },
};

} /* namespace */

PV_PARAM_CASE(pvqspinlock, stress_excludes_and_kicks,
	      PVSYNC_PARAMS_PV_BACKENDS, pv_backends)

PV_CASE(pvqspinlock, stress_catches_unlock_skipping_kick)
{
	/*
	 * The production lock's code with a spin threshold of 64, so that
	 * contended waiters halt on any machine, overcommitted or not.  The
	 * run goes on until a waiter has halted at least once (min_halts):
	 * with an unlock that unhashes but never kicks, every halt is a
	 * waiter nobody kicks and nothing else fails first, so the lost
	 * kick is certain, not a matter of timing.  (unlock_ignores_slow
	 * also leaks the entry; its scripted case is
	 * mutant_unlock_ignoring_slow_is_caught.)
	 */
	using Mutant = PvQSpinLock<PvBackendEmulated<>, PvHashDefault,
				   PvFlawUnlockSkipsKick, 64>;
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
	PV_EXPECT_EQ(t, pv_failures_total(), pv_failures(PvFailure::lost_kick));
	PV_EXPECT(t, pv_failures(PvFailure::lost_kick) > 0);
	PV_EXPECT(t, !res.passed());
	PV_EXPECT_EQ(t, res.threads_wedged, 0u);
	pv::test::log(t, "unlock_skips_kick: %u failures, first: %s",
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
