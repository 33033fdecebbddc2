/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvqspinlock.hpp - the paravirt queued spinlock: a queued spinlock whose
 * waiters halt instead of spinning, for vCPUs that may not be running.
 *
 * The idea.  In a guest, the vCPU that holds a lock, or the one next in
 * the queue, may have been descheduled by the host.  A FIFO queue then
 * makes every waiter behind it burn its timeslice spinning, and the lock
 * waits for a CPU that is not even running (lock-holder and lock-waiter
 * preemption).  The paravirt form of the queued spinlock
 * (src/locks/qspinlock.hpp; Linux's kernel/locking/qspinlock_paravirt.h)
 * keeps the same 32-bit word and the same MCS queue but:
 *   - a waiter spins only SpinThreshold times (a constant, as the
 *     kernel's 1 << 15, or PvSpinTunable: a run-time setting), then halts (Backend::wait,
 *     pv_backend.hpp), giving its physical CPU back to the host;
 *   - whoever hands the lock to a halted waiter kicks it (Backend::kick);
 *   - a newcomer may steal a free lock ahead of the queue (the hybrid
 *     unfair trylock), so a halted queue head does not stall the lock.
 *
 * The word is the small layout of qspinlock_word.hpp, as the triple
 * (queue tail, pending, locked), written "t,p,l"; the locked byte takes a
 * third value, S = _Q_SLOW_VAL (3): "held, and the queue head is halted;
 * the unlocker must look the lock up in the hash table and kick".
 *
 * Node states (PvState, in the McsNode's spare words, pv_backend.hpp):
 *
 *   running  spinning, or about to                 (initial)
 *   halted   in, or about to enter, Backend::wait on its state byte
 *   hashed   halted, and its predecessor (the new owner) has hashed the
 *            lock for it and set S: the unlock will kick it
 *
 *   running -> halted    a queued waiter gave up spinning (pv_wait_node)
 *   halted  -> running   it woke up (its own cmpxchg)
 *   halted  -> hashed    the previous head, now owner, made it the head
 *                        while it was halted (pv_kick_node); the two
 *                        cmpxchg's decide which of the two happened
 *   *       -> running   the head spins for the lock again
 *   running -> hashed    the head hashed the lock itself and halts
 *
 * Transitions of the word (n, m tail codes, x "either", * "unchanged"):
 *
 *   steal    0,0,0 -> 0,0,1     fast path, or a newcomer's unfair trylock
 *                               while only a queue exists (n,0,0 -> n,0,1)
 *   queue    p,x,y -> n,x,y     every slow path queues; there is no
 *                               pending waiter outside the queue here
 *   head     n,0,y -> n,1,y     the head sets pending: no more stealing
 *            n,1,0 -> n,0,1     ... and takes the lock from it
 *            n,1,1 -> n,0,1     ... or, after SpinThreshold tries, clears
 *                               pending, hashes (lock -> node)
 *            n,0,1 -> n,0,S     and sets S, then halts
 *            n,0,0 -> n,0,S     (S set on a free lock: the head owns it;
 *            n,0,S -> n,0,1     it stores 1, then removes its own entry)
 *   kick     n,0,1 -> n,0,S     the owner that made a halted node the
 *                               head hashes for it (pv_kick_node)
 *   unlock   *,*,1 -> *,*,0     one cmpxchg; fails only on S:
 *            *,*,S -> *,*,0     unhash, release, kick the node's CPU
 *   claim    n,0,S -> 0,0,1     the head also owns the queue's end, or
 *            m,0,S -> m,0,1     hands over to its successor, as in the
 *                               native lock
 *
 * The hash (pv_hash.hpp): lock -> head node, open addressing over
 * 64-byte buckets, 4 x the CPUs.  It is a template parameter, so the
 * KUnit cases force collisions on a tiny table with this same code.
 *
 * Guarantees, and what shows them.  Each mutant (a Flaw policy below,
 * also a "variant" of the locks experiment) breaks one step; the check
 * named beside it fails for the reason named, deterministically:
 *
 *   guarantee                         mutant                  caught by
 *   mutual exclusion, acquire/        -                       stress engine, each backend,
 *   release, no lost update                                   2x vCPU overcommit (smokes)
 *   every halted waiter is kicked     unlock_ignores_slow     mutant_unlock_ignoring_slow_
 *     (the kicked head's own kick                             is_caught (no kick
 *     asserted)                                               of our node); stress_catches_unlock_
 *                                                             ignoring_slow and smoke
 *                                                             "lost kick"
 *   an unhash removes only its own    seed_unhash_flaw        mutant_woken_head_unhashing_
 *     lock's entry (the design                                is_caught (invariant;
 *     thread's race)                                          "missing entry")
 *   S and its entry are set once;     slow_every_pass         steal_after_kick_catches_slow_
 *     after a kick a stealer's 1 is                           every_pass (S without entry,
 *     never turned into S                                     no kick); smoke "missing entry"
 *   a word holding S has its entry    unhash_before_locked    free_before_slow_catches_
 *     at every instant (xchg == 0:                            unhash_before_locked
 *     1 stored before the unhash)                             (the drop sees S, no entry)
 *   at most one entry per lock: a     wake_stores_running     kick_races_spurious_wake_
 *     woken node keeps "hashed"                               catches_wake_stores_running
 *     (2016's double-hash fix)                                ("double entry", then "stale
 *                                                             entry")
 *   the StoreLoad pair of             wait_node_no_mb         wait_node_store_buffering:
 *     pv_wait_node()/pv_kick_node()                           never "both missed" with the
 *                                                             barrier; the mutant's count
 *                                                             is measured and logged only
 *                                                             (see Documentation)
 *   no entry left when a run stops    -                       destroy(): "stale entry"
 *
 * The invariants "at most one entry per lock" and "a word holding S has
 * its entry" are checked at every step of every scripted case (cases.cpp:
 * at each wait(), kick() and hash insert/drop); node state machine:
 * node_states_follow_kick_and_wake; hash insert, find, remove,
 * collisions, wrap-around, full table:
 * hash_collides_wraps_and_removes_only_own.
 *
 * Where the kernel BUG()s (hash full, entry missing, corrupted locked
 * byte) this lock records the failure (pv_record_failure()), WARNs once
 * and continues: the run fails, the machine does not.
 *
 * Events: as QSpinLock's, the Events policy (lock_events.hpp) counts the
 * lock's pv_* events and lock_slowpath (here once per waiter that became
 * the queue head, where the kernel's paravirt lock counts it) and times
 * the unlock's kick with the cheap clock; EventsOff compiles them out.
 * The backend's own counts, behind a halt, stay.
 *
 * Preemption: as QSpinLock, the caller of lock() and unlock() has
 * preemption disabled.  A task-context waiter halts with irqs enabled;
 * a waiter in hard irq polls (see the backends).
 */
#ifndef PVSYNC_PVQSPINLOCK_HPP
#define PVSYNC_PVQSPINLOCK_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include <pvsync/kapi.h>
#include "core/linkage.hpp"
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "locks/pv/pv_backend.hpp"
#include "locks/pv/pv_hash.hpp"
#include "locks/qspinlock.hpp"
#include "locks/qspinlock_word.hpp"

namespace pv {

/*
 * The correct lock: no flaw.  Each mutant below is PvNoFlaw with one
 * step broken; the guarantees table above names the check that catches it.
 */
struct PvNoFlaw {
	static constexpr const char name[] = "correct";
	static constexpr bool unhash_after_wake = false;
	static constexpr bool unlock_ignores_slow = false;
	static constexpr bool slow_every_pass = false;
	static constexpr bool wake_stores_running = false;
	static constexpr bool wait_node_no_mb = false;
	static constexpr bool unhash_before_locked = false;
	static constexpr bool unlock_skips_kick = false;
};

/*
 * Mutant: a queue head that took the lock after a wake-up clears the hash
 * slot it filled before halting, although the unlocker, having seen S,
 * already removed that entry and another lock may own the slot now (the
 * slow_set-less unhash of seeds/002).
 */
struct PvFlawSeedUnhash : PvNoFlaw {
	static constexpr const char name[] = "seed_unhash_flaw";
	static constexpr bool unhash_after_wake = true;
};

/*
 * Mutant: unlock stores 0 over S and never kicks the halted head.  It
 * also leaves the entry, so a later hash of the lock finds it: whichever
 * of "double entry" and "lost kick" is seen first names the run.
 */
struct PvFlawUnlockIgnoresSlow : PvNoFlaw {
	static constexpr const char name[] = "unlock_ignores_slow";
	static constexpr bool unlock_ignores_slow = true;
};

/*
 * Mutant: the unlock slow path unhashes and releases but does not kick.
 * Nothing else is wrong, so every wait that only a kick can end is a
 * lost kick, and nothing else fails first.
 */
struct PvFlawUnlockSkipsKick : PvNoFlaw {
	static constexpr const char name[] = "unlock_skips_kick";
	static constexpr bool unlock_skips_kick = true;
};

/*
 * Mutant: the head sets S on every halting pass, not only on the pass
 * that hashed (the xchg moved out of the "hash once" block).  After a
 * kick, a newcomer that stole the lock holds it when the head spins out:
 * the xchg turns its 1 into S with no entry; the stealer's unlock finds
 * none (the kernel BUG()s) and nobody kicks the head.
 */
struct PvFlawSlowEveryPass : PvNoFlaw {
	static constexpr const char name[] = "slow_every_pass";
	static constexpr bool slow_every_pass = true;
};

/*
 * Mutant: a node woken in pv_wait_node() stores "running" over its
 * state instead of the halted -> running cmpxchg (before Linux's 2016
 * double-hash fix).  When pv_kick_node() made it hashed meanwhile, the
 * store forgets that: as head it hashes the lock a second time.
 */
struct PvFlawWakeStoresRunning : PvNoFlaw {
	static constexpr const char name[] = "wake_stores_running";
	static constexpr bool wake_stores_running = true;
};

/*
 * Mutant: no full barrier between pv_wait_node()'s halted store and its
 * load of node->locked (the kernel's smp_store_mb()).  The store can sit
 * in the store buffer while the load reads 0 and the new owner's cmpxchg
 * reads "running": the owner does not hash, the node halts, nobody kicks.
 */
struct PvFlawWaitNodeNoMb : PvNoFlaw {
	static constexpr const char name[] = "wait_node_no_mb";
	static constexpr bool wait_node_no_mb = true;
};

/*
 * Mutant: where the head's xchg of S found the lock free, it removes its
 * entry before it stores _Q_LOCKED_VAL over S (this code's order before
 * issue 11): for that instant the word holds S and the lock has no entry.
 */
struct PvFlawUnhashBeforeLocked : PvNoFlaw {
	static constexpr const char name[] = "unhash_before_locked";
	static constexpr bool unhash_before_locked = true;
};

struct PvQSpinLockTestAccess;

namespace detail {

using PvL = WordLayoutSmall;

/* The locked byte's value "held, head halted: look me up and kick". */
inline constexpr uint8_t _Q_SLOW_VAL = 3;

/*
 * The number of spins before a waiter halts: SpinThreshold, or, for
 * SpinThreshold == PvSpinTunable, the run-time setting
 * pv_spin_threshold.set() (pv_hash.hpp), which the stress experiment
 * lowers so that contended waiters halt on every machine.
 */
template <unsigned int SpinThreshold>
static __always_inline unsigned int pv_spins()
{
	if constexpr (SpinThreshold != PvSpinTunable)
		return SpinThreshold;
	else
		return pv_spin_threshold.get();
}

/* Check the predecessor's state every this many spins. */
inline constexpr unsigned int PV_PREV_CHECK_MASK = 0xff;

/* n,0,y -> n,1,y: the head stops lock stealing.  A byte store. */
static __always_inline void pv_set_pending(QSpinLockWord *lock)
{
	WRITE_ONCE(lock->pending, 1);
}

/*
 * n,1,0 -> n,0,1: the head takes the free lock from its pending bit.
 * Acquire: pairs with the release in unlock(), like a trylock.
 */
static __always_inline bool pv_trylock_clear_pending(QSpinLockWord *lock)
{
	return !READ_ONCE(lock->locked) &&
	       cmpxchg_acquire(&lock->locked_pending,
			       static_cast<uint16_t>(PvL::_Q_PENDING_VAL),
			       static_cast<uint16_t>(PvL::_Q_LOCKED_VAL)) ==
		       PvL::_Q_PENDING_VAL;
}

/*
 * The hybrid unfair trylock, what a newcomer does before queueing:
 * steal a free lock (*,0,0 -> *,0,1) as long as nobody is pending; spin
 * while there is a queue whose head has not yet set pending (it may be a
 * halted vCPU); give up, and queue, once there is no queue or pending is
 * set.  Acquire: pairs with the release in unlock().
 */
template <typename E>
static __always_inline bool pv_hybrid_queued_unfair_trylock(QSpinLockWord *lock)
{
	/* model: pvq.unfair_trylock */
	for (;;) {
		uint32_t val = READ_ONCE(lock->val);

		if (!(val & PvL::_Q_LOCKED_PENDING_MASK) &&
		    cmpxchg_acquire(&lock->locked, static_cast<uint8_t>(0),
				    static_cast<uint8_t>(PvL::_Q_LOCKED_VAL)) == 0) {
			E::inc(LockEvent::pv_lock_stealing);
			return true;
		}
		if (!(val & PvL::_Q_TAIL_MASK) || (val & PvL::_Q_PENDING_MASK))
			return false;
		cpu_relax();
	}
}

/* pv_init_node - running, on this CPU. */
static __always_inline void pv_init_node(McsNode *node, unsigned int cpu)
{
	PvNodeState *pn = pv_node(node);

	/*
	 * Marked: a successor's pv_wait_early() and a kicker read these
	 * concurrently, ordered only as the MCS node's own fields are (see
	 * queued_spin_lock_slowpath()).
	 */
	WRITE_ONCE(pn->cpu, cpu);
	WRITE_ONCE(pn->state, vcpu_running);
	/* A late kick for the node's previous use is not for this one. */
	WRITE_ONCE(pn->kick_stamp, 0ULL);
}

/* Halt early, without spinning out, when the predecessor is not running. */
static __always_inline bool pv_wait_early(McsNode *prev, unsigned int loop)
{
	if ((loop & PV_PREV_CHECK_MASK) != 0)
		return false;
	return READ_ONCE(pv_node(prev)->state) != vcpu_running;
}

/*
 * pv_halt_then_check - pv_wait_node()'s half of the store-buffering pair:
 * running -> halted, then load node->locked.  Full barrier between the
 * two (the kernel's smp_store_mb()): either pv_claim_halted()'s cmpxchg
 * sees halted and the owner hashes for us, or we see locked set here and
 * do not halt.  Pairs with the smp_mb__before_atomic() + cmpxchg in
 * pv_claim_halted(), which follows the owner's store of node->locked.
 * Returns the node->locked it read.  The litmus case
 * wait_node_store_buffering runs this very function.
 */
template <typename F>
static __always_inline uint32_t pv_halt_then_check(McsNode *node)
{
	/* model: pvq.wait_node.store_halted */
	WRITE_ONCE(pv_node(node)->state, vcpu_halted);
	if (!F::wait_node_no_mb)
		smp_mb();
	return READ_ONCE(node->locked);
}

/*
 * pv_claim_halted - pv_kick_node()'s half of that pair: halted -> hashed,
 * after the owner's store of node->locked.  True if the node was halted
 * (the owner must now hash for it).
 */
static __always_inline bool pv_claim_halted(McsNode *node)
{
	/*
	 * Order the earlier store of node->locked before reading the state
	 * in the cmpxchg (relaxed, so the barrier is explicit).  Pairs with
	 * the smp_mb() in pv_halt_then_check().
	 */
	smp_mb__before_atomic();
	/* model: pvq.kick_node.cmpxchg_hashed */
	return cmpxchg_relaxed(&pv_node(node)->state,
			       static_cast<uint8_t>(vcpu_halted),
			       static_cast<uint8_t>(vcpu_hashed)) == vcpu_halted;
}

/*
 * pv_wait_node - a queued node waits to become the head: spin, then halt.
 * Returns once node->locked is set (the caller's acquire load follows).
 */
template <typename B, unsigned int SpinThreshold, typename E,
	  typename F = PvNoFlaw>
static __always_inline void pv_wait_node(McsNode *node, McsNode *prev)
{
	PvNodeState *pn = pv_node(node);
	unsigned int cpu = pn->cpu;

	for (;;) {
		bool wait_early = false;

		for (unsigned int loop = pv_spins<SpinThreshold>(); loop; loop--) {
			if (READ_ONCE(node->locked))
				return;
			if (pv_wait_early(prev, loop)) {
				wait_early = true;
				break;
			}
			cpu_relax();
		}

		/* running -> halted, then re-check locked (see above). */
		if (!pv_halt_then_check<F>(node)) {
			E::inc_cpu(cpu, LockEvent::pv_wait_node);
			E::cond_inc(LockEvent::pv_wait_early, wait_early);
			B::wait(&pn->state, vcpu_halted, node);
		}

		/*
		 * halted -> running, unless pv_kick_node() made it hashed:
		 * then the lock is hashed for us, and the unlock will kick
		 * us again as the head; pv_wait_head_or_lock() sees hashed
		 * and does not hash a second time.  (The mutant's plain
		 * store forgets hashed: the double hash.)
		 */
		/* model: pvq.wait_node.cmpxchg_running */
		if (F::wake_stores_running)
			WRITE_ONCE(pn->state, vcpu_running);
		else
			(void)cmpxchg(&pn->state,
				      static_cast<uint8_t>(vcpu_halted),
				      static_cast<uint8_t>(vcpu_running));

		if (READ_ONCE(node->locked))
			return;
		/* Woken (or returned) while still not the head. */
		E::inc_cpu(cpu, LockEvent::pv_spurious_wakeup);
	}
}

/*
 * pv_kick_node - the new owner has just made @node the head
 * (node->locked = 1).  If @node is halted, it will not see that until
 * kicked: make sure our unlock kicks it, by hashing the lock for it and
 * setting S.  n,0,1 -> n,0,S.  Precondition: we hold @lock.
 */
template <typename H>
static __always_inline void pv_kick_node(QSpinLockWord *lock, McsNode *node)
{
	/* If the node's re-check missed locked, this sees it halted. */
	if (!pv_claim_halted(node))
		return;

	/*
	 * Hash, then set S.  Plain stores suffice: the unlocker that will
	 * read S and then the entry is this CPU.  If the table is full
	 * (failure recorded), leave the word 1: the node's lost kick is
	 * then caught by the backend.
	 */
	/* model: pvq.kick_node.hash */
	if (pv_hash<H>(lock, node))
		WRITE_ONCE(lock->locked, _Q_SLOW_VAL);
}

/*
 * pv_wait_head_or_lock - the head spins for the lock with pending set
 * (no stealing meanwhile), and halts after SpinThreshold tries with the
 * lock hashed and S set.  Returns the word, with the lock ours (locked
 * byte 1 or S); the caller claims it as the native head does.
 */
template <typename B, typename H, typename F, unsigned int SpinThreshold,
	  typename E>
static __always_inline uint32_t pv_wait_head_or_lock(QSpinLockWord *lock,
						     McsNode *node)
{
	PvNodeState *pn = pv_node(node);
	unsigned int cpu = pn->cpu;
	PvHashEntry *lp = nullptr;
	/* pv_kick_node() hashed the lock for us already. */
	bool hashed = READ_ONCE(pn->state) == vcpu_hashed;
	unsigned int waitcnt;

	/*
	 * lock_slowpath, where the kernel's paravirt lock counts it: once
	 * per waiter that queued and became the head (the native lock
	 * counts at its queue: label, which the paravirt path skips).
	 */
	E::inc_cpu(cpu, LockEvent::lock_slowpath);

	for (waitcnt = 0;; waitcnt++) {
		/* For our successor's pv_wait_early(): we are running. */
		WRITE_ONCE(pn->state, vcpu_running);

		/* n,0,y -> n,1,y: stop the stealing while we spin. */
		pv_set_pending(lock);
		for (unsigned int loop = pv_spins<SpinThreshold>(); loop; loop--) {
			if (pv_trylock_clear_pending(lock))
				goto gotlock;
			cpu_relax();
		}
		/* n,1,y -> n,0,y: let newcomers steal while we halt. */
		PvL::clear_pending(lock);

		/*
		 * Hash and set S once only.  After a kick, the unlocker has
		 * removed our entry, and a stealer may hold the lock (*,*,1):
		 * S now would be S without an entry (the mutant
		 * slow_every_pass).  Then we do not halt again: wait() below
		 * returns at once, as the word is not S, and we spin.
		 */
		if (!hashed || F::slow_every_pass) {
			if (!hashed) {
				/* model: pvq.wait_head.hash */
				lp = pv_hash<H>(lock, node);
				if (!lp)
					continue; /* table full: recorded */
				hashed = true;
			}
			/*
			 * n,0,1 -> n,0,S, or n,0,0 -> n,0,S (ours).
			 *
			 * The entry must be visible before S: the unlocker
			 * that reads S then reads the entry.  The xchg is a
			 * full barrier after the entry's stores; pairs with
			 * the smp_rmb() in pv_unlock_slowpath().
			 */
			/* model: pvq.wait_head.xchg_slow */
			if (xchg(&lock->locked, _Q_SLOW_VAL) == 0) {
				/*
				 * The lock was free, and S was never seen by
				 * an unlocker: our entry is still ours to
				 * remove.  The xchg acquired the lock.  Back
				 * to 1 first, then unhash, so that at every
				 * instant a word holding S has its entry.
				 * Both plain stores: we own the lock, and an
				 * unlocker reads the entry only after S.
				 */
				if (!F::unhash_before_locked)
					WRITE_ONCE(lock->locked,
						   static_cast<uint8_t>(PvL::_Q_LOCKED_VAL));
				/* model: pvq.wait_head.xchg0_unhash */
				pv_hash_drop<H>(lp, lock);
				if (F::unhash_before_locked)
					WRITE_ONCE(lock->locked,
						   static_cast<uint8_t>(PvL::_Q_LOCKED_VAL));
				lp = nullptr;
				goto gotlock;
			}
		}
		WRITE_ONCE(pn->state, vcpu_hashed);
		E::inc_cpu(cpu, LockEvent::pv_wait_head);
		E::cond_inc(LockEvent::pv_wait_again, waitcnt != 0);
		/* model: pvq.wait_head.halt */
		B::wait(&lock->locked, _Q_SLOW_VAL, node);
		/*
		 * Kicked, or spuriously woken; either way spin again.  The
		 * unlocker that kicked us removed our entry; on a spurious
		 * wake-up it is still there and S still set, so we must not
		 * hash again (hashed stays true).
		 */
	}

gotlock:
	/*
	 * The mutant of seeds/002: "we were woken and got the lock: unhash".
	 * But an unlocker that saw S already removed our entry, and a
	 * colliding lock may own that slot by now: this removes its entry.
	 */
	if (F::unhash_after_wake && waitcnt != 0 && lp)
		WRITE_ONCE(lp->lock, static_cast<QSpinLockWord *>(nullptr));
	return READ_ONCE(lock->val) | PvL::_Q_LOCKED_VAL;
}

/*
 * PvSlowpathHooks - the paravirt steps of the one queued-spinlock slow
 * path (qspinlock.hpp's queued_spin_lock_slowpath()): no pending path,
 * the hybrid trylock, and the node and head waits above.
 */
template <typename B, typename H, typename F, unsigned int SpinThreshold,
	  typename E>
struct PvSlowpathHooks {
	static constexpr bool paravirt = true;

	static __always_inline bool trylock(QSpinLockWord *lock)
	{
		return pv_hybrid_queued_unfair_trylock<E>(lock);
	}

	static __always_inline void init_node(McsNode *node, unsigned int cpu)
	{
		pv_init_node(node, cpu);
	}

	static __always_inline void wait_node(McsNode *node, McsNode *prev)
	{
		pv_wait_node<B, SpinThreshold, E, F>(node, prev);
	}

	static __always_inline uint32_t wait_head_or_lock(QSpinLockWord *lock,
							  McsNode *node)
	{
		return pv_wait_head_or_lock<B, H, F, SpinThreshold, E>(lock,
									     node);
	}

	static __always_inline void kick_node(QSpinLockWord *lock, McsNode *node)
	{
		pv_kick_node<H>(lock, node);
	}
};

/*
 * pv_unlock_slowpath - the unlock cmpxchg found @locked != 1.
 * *,*,S -> *,*,0: unhash, release, kick.
 */
template <typename B, typename H, typename E, bool Kick = true>
static __attribute__((noinline)) void pv_unlock_slowpath(QSpinLockWord *lock,
							 uint8_t locked)
{
	McsNode *node;

	if (__builtin_expect(locked != _Q_SLOW_VAL, 0)) {
		/* The kernel WARNs and leaves the lock alone; so do we. */
		pv_record_failure(PvFailure::bad_unlock_val);
		return;
	}

	/*
	 * Read the entry only after S: the head stored the entry before
	 * its xchg of S (or, in pv_kick_node(), this CPU did).  Pairs with
	 * that xchg.
	 */
	smp_rmb();
	/* model: pvq.unlock.unhash */
	node = pv_unhash<H>(lock);
	if (!node) {
		/* Recorded; release so that the run can go on. */
		smp_store_release(&lock->locked, 0);
		return;
	}

	/*
	 * *,*,S -> *,*,0.  Release: publishes the critical section to the
	 * next owner, as the fast unlock does.
	 */
	smp_store_release(&lock->locked, 0);

	/* model: pvq.unlock.kick */
	if constexpr (!Kick) {
		return;		/* PvFlawUnlockSkipsKick */
	} else if constexpr (E::enabled) {
		unsigned int cpu = this_cpu();
		/* One CPU (preemption disabled): its clock does not step back. */
		uint64_t t0 = E::stamp_ns();

		E::inc_cpu(cpu, LockEvent::pv_kick_unlock);
		B::kick(node);
		E::add_cpu(cpu, LockEvent::pv_latency_kick, E::stamp_ns() - t0);
	} else {
		B::kick(node);
	}
}

} /* namespace detail */

template <typename Backend, typename Hash = PvHashDefault,
	  typename Flaw = PvNoFlaw, unsigned int SpinThreshold = (1U << 15),
	  typename Events = EventsOn>
class PvQSpinLock {
	using L = WordLayoutSmall;

public:
	static constexpr const char name[] = "pvqspinlock";

	/* An unlocked lock, (0,0,0); needs no run-time initialisation. */
	constexpr PvQSpinLock() : word_() {}

	PvQSpinLock(const PvQSpinLock &) = delete;
	PvQSpinLock &operator=(const PvQSpinLock &) = delete;

	/* The backend can run here and the hash holds 4 x the CPUs. */
	__always_inline bool init()
	{
		char why[128];

		if (Backend::available(why, sizeof(why)))
			return false;
		return (1U << Hash::table().bits) >= 4 * pvk_nr_cpu_ids();
	}

	/*
	 * No kick in flight, no entry of ours left.  Nobody uses the lock
	 * now, so an entry that names it is stale (a double hash, or an
	 * unlock that did not unhash): recorded as a failure of the run
	 * before it is purged, so that a later lock at this address does
	 * not find it.
	 */
	__always_inline void destroy()
	{
		Backend::quiesce();
		if (pv_hash_count<Hash>(&word_))
			pv_record_failure(PvFailure::stale_entry);
		pv_hash_purge<Hash>(&word_);
	}

	/*
	 * lock - acquire.  Precondition: preemption disabled.
	 * 0,0,0 -> 0,0,1, else the slow path.
	 */
	__always_inline void lock()
	{
		uint32_t val = 0;

		/* Acquire: pairs with the release in unlock(). */
		if (__builtin_expect(try_cmpxchg_acquire(&word_.val, &val,
							 L::_Q_LOCKED_VAL), 1))
			return;
		detail::queued_spin_lock_slowpath<
			L, 0, QSpinLockCorrect,
			Events,
			detail::PvSlowpathHooks<Backend, Hash, Flaw,
						SpinThreshold, Events>>(&word_,
									val);
	}

	/* trylock - 0,0,0 -> 0,0,1 or fail; never waits. */
	__always_inline bool trylock()
	{
		return detail::queued_spin_trylock<L>(&word_);
	}

	/*
	 * unlock - *,*,1 -> *,*,0 with one cmpxchg; *,*,S takes the slow
	 * path.  Release: pairs with the next owner's acquire.
	 */
	__always_inline void unlock()
	{
		if (Flaw::unlock_ignores_slow) {
			smp_store_release(&word_.locked, 0);
			return;
		}
		/* model: pvq.unlock.cmpxchg */
		uint8_t locked = cmpxchg_release(&word_.locked,
						 static_cast<uint8_t>(L::_Q_LOCKED_VAL),
						 static_cast<uint8_t>(0));
		if (__builtin_expect(locked == L::_Q_LOCKED_VAL, 1))
			return;
		detail::pv_unlock_slowpath<Backend, Hash, Events,
					   !Flaw::unlock_skips_kick>(&word_, locked);
	}

	__always_inline bool is_locked() const
	{
		return READ_ONCE(word_.val) != 0;
	}

	/*
	 * The failures the paravirt lock detects itself (lost kicks, hash
	 * table full or entry missing; pv_hash.hpp), one record for every
	 * lock of every kind: the stress engine resets it before a run and
	 * reports it after (stress.hpp, SelfCheckingLock).
	 */
	static void failures_reset(bool quiet) { pv_failures_reset(quiet); }
	static uint32_t failures() { return pv_failures_total(); }
	static const char *failure_reason() { return pv_failure_reason(); }

	/*
	 * halts - waits so far that only a kick could end (every lock of
	 * this kind, all CPUs): what a stress run with Config::min_halts
	 * is driven by.  A snapshot; the engine takes differences.
	 */
	static __always_inline unsigned long halts()
	{
		return lockevent_sum(LockEvent::pv_halted);
	}

	__always_inline bool is_contended() const
	{
		return (READ_ONCE(word_.val) & ~L::_Q_LOCKED_MASK) != 0;
	}

private:
	friend struct PvQSpinLockTestAccess;

	QSpinLockWord word_;
};

/* The KUnit seam: the word and the algorithm's steps. */
struct PvQSpinLockTestAccess {
	template <typename B, typename H, typename F, unsigned int T,
		  typename E>
	static __always_inline QSpinLockWord &word(PvQSpinLock<B, H, F, T, E> &l)
	{
		return l.word_;
	}

	static __always_inline void init_node(McsNode *node, unsigned int cpu)
	{
		detail::pv_init_node(node, cpu);
	}

	template <typename B, unsigned int T, typename F = PvNoFlaw,
		  typename E = EventsOn>
	static __always_inline void wait_node(McsNode *node, McsNode *prev)
	{
		detail::pv_wait_node<B, T, E, F>(node, prev);
	}

	template <typename B, typename H, typename F, unsigned int T>
	static __always_inline uint32_t wait_head_or_lock(QSpinLockWord *lock,
							  McsNode *node)
	{
		return detail::pv_wait_head_or_lock<B, H, F, T, EventsOn>(lock,
									node);
	}

	/* A newcomer's steal: the hybrid unfair trylock. */
	static __always_inline bool steal(QSpinLockWord *lock)
	{
		return detail::pv_hybrid_queued_unfair_trylock<EventsOn>(lock);
	}

	/* The two halves of the store-buffering pair, for the litmus. */
	template <typename F>
	static __always_inline uint32_t halt_then_check(McsNode *node)
	{
		return detail::pv_halt_then_check<F>(node);
	}

	static __always_inline bool claim_halted(McsNode *node)
	{
		return detail::pv_claim_halted(node);
	}

	template <typename H>
	static __always_inline void kick_node(QSpinLockWord *lock,
					      McsNode *node)
	{
		detail::pv_kick_node<H>(lock, node);
	}
};

} /* namespace pv */

#endif /* PVSYNC_PVQSPINLOCK_HPP */
