/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qspinlock.hpp - the queued spinlock: an MCS lock squeezed into 32 bits.
 *
 * The idea.  An MCS lock queues its waiters in a linked list of per-waiter
 * nodes, and each waiter spins on its own node, so a contended lock does
 * not bounce one cache line among all waiters and is handed over in FIFO
 * order.  But an MCS lock is a pointer (the tail), and the lock word of
 * a kernel spinlock must stay 32 bits.  The queued spinlock keeps the MCS
 * queue and shrinks the pointer:
 *
 *   - a waiter's node is one of four per-CPU nodes (one per context that
 *     can nest: task, softirq, hardirq, NMI; src/locks/mcs_node.hpp),
 *     so the tail is (cpu + 1, idx) in 16 or 23 bits, not a pointer;
 *   - the owner is a byte, "locked", so unlock is one release store;
 *   - a "pending" bit lets the first waiter spin on the lock word itself,
 *     without touching an MCS node: two CPUs, the common contended case,
 *     never pay for the queue.
 *
 * The word is the triple (queue tail, pending, locked), written "t,p,l";
 * src/locks/qspinlock_word.hpp gives its two layouts (< 16K and
 * >= 16K CPUs), which are the template's Layout parameter.  Every
 * transition in this file is written in that notation; n and m are tail
 * codes, x and y "either value", * "unchanged":
 *
 *   path      transition         who, how
 *   fast      0,0,0 -> 0,0,1     lock() or trylock(): one cmpxchg_acquire
 *   pending   0,0,1 -> 0,1,1     the second CPU sets pending, spins on
 *                                the word itself
 *             0,1,1 -> 0,1,0     the owner unlocks
 *             0,1,0 -> 0,0,1     the pending CPU takes over (one store)
 *   queue     p,x,y -> n,x,y     a further CPU swaps its node n in as the
 *                                tail and links behind p's node, if any;
 *                                it spins on its own node until it is the
 *                                head of the queue
 *             n,x,y -> n,0,0     owner and pending CPU leave; the head
 *                                spins on the word for this
 *             n,0,0 -> 0,0,1     the head is also the tail: it takes the
 *                                lock and empties the queue in one cmpxchg
 *             m,0,0 -> m,0,1     others are queued: the head takes only
 *                                the locked byte and hands the head of the
 *                                queue to its successor's node
 *   unlock    *,*,1 -> *,*,0     one release store of the locked byte
 *
 * What was traded away:
 *   - a waiter needs a free per-CPU node: a fifth nesting level (nested
 *     NMIs) finds none and falls back to spinning on trylock, unfair but
 *     correct (lock_no_node);
 *   - the pending waiter is not queued, so it may overtake queued waiters
 *     that arrived while the owner still held the lock; FIFO holds among
 *     the queued ones;
 *   - at most PendingLoops spins are spent waiting out a pending->locked
 *     hand-over (0,1,0) before queueing, for forward progress.
 *
 * The guarantees, and what shows them:
 *   - mutual exclusion, with acquire on lock and release on unlock, so a
 *     critical section sees all of the previous one's stores: the stress
 *     engine's mutual-exclusion checks (not in this suite; they also catch
 *     BustedLock, the negative control);
 *   - uncontended lock/unlock is (0,0,0) -> (0,0,1) -> (0,0,0) for both
 *     layouts: KUnit qspinlock/lock_unlock_single_cpu;
 *   - trylock never waits and fails on any non-zero word:
 *     qspinlock/trylock_fails_while_held;
 *   - the second CPU sets pending and takes the lock from it,
 *     (0,0,1) -> (0,1,1) -> (0,1,0) -> (0,0,1):
 *     qspinlock/pending_set_by_second_waiter;
 *   - the third CPU queues with its own node as the tail,
 *     (0,1,1) -> (n,1,1), and the head claims the lock when the owner and
 *     the pending waiter are gone: qspinlock/tail_set_by_queued_waiter;
 *   - a nested slow path takes the next node (lock_use_node2), and with
 *     all four busy falls back to trylock (lock_no_node), giving the node
 *     count back: qspinlock/nested_slowpath_uses_next_node and
 *     qspinlock/no_node_fallback_uses_trylock.
 *
 * Mutants built into the code as the Mutation policy, each a lock kind of
 * the locks experiment that the stress engine's mutual-exclusion checks
 * catch in every run (make check's smokes, and KUnit
 * qspinlock/stress_catches_qspinlock_mutants):
 *   - QSpinLockMutantPendingNoWait ("qspinlock_mutant_pending"): the
 *     pending waiter takes the lock without waiting for the owner;
 *   - QSpinLockMutantHeadNoWait ("qspinlock_mutant_head"): the queue head
 *     takes the lock without waiting for the owner and pending waiter.
 *
 * Ordering mutants, also Mutation policies: each weakens one acquire or
 * release to relaxed.  x86 (TSO) hides every one of them, so the kernel's
 * stress cannot fail them; the user-space build under ThreadSanitizer
 * (src/user/, Documentation/userspace.rst) runs them, only there, and
 * TSan must report a data race on the critical section's data:
 *   - QSpinLockOrderFastRelaxed ("qspinlock_order_fast_relaxed"): the
 *     fast path's cmpxchg_acquire is relaxed;
 *   - QSpinLockOrderUnlockRelaxed ("qspinlock_order_unlock_relaxed"):
 *     unlock's release store is a relaxed (plain on x86) store;
 *   - QSpinLockOrderPendingRelaxed ("qspinlock_order_pending_relaxed"):
 *     the pending waiter's wait for the owner is a relaxed load;
 *   - QSpinLockOrderHeadRelaxed ("qspinlock_order_head_relaxed"): the
 *     queue head's wait for owner and pending waiter is relaxed;
 *   - QSpinLockOrderHandoffRelaxed ("qspinlock_order_handoff_relaxed"):
 *     the MCS hand-over's store-release of next->locked is relaxed.
 *
 * Mutants each of which that suite was seen to catch (by hand, on 4
 * vCPUs; not automated):
 *   - clear_pending_set_locked() leaves pending set: the word helpers,
 *     pending and tail cases (the latter wedges and is forced open);
 *   - the pending waiter does not wait for the owner to leave: pending
 *     and tail cases;
 *   - the head never empties the queue (always set_locked()): tail case
 *     (wedged waiting for a successor, forced open);
 *   - the node is not given back: tail, nested and no-node cases;
 *   - the no-node test off by one (idx > MAX_NODES): no-node case (the
 *     fifth level queues a bogus tail);
 *   - a nested slow path reusing node 0: nested case.
 *
 * Preemption: the caller of lock() has preemption disabled (the nodes and
 * the node count are this CPU's); the stress engine does so around every
 * lock kind alike.  Interrupts may stay enabled: a nesting interrupt takes
 * the next node.
 *
 * Events: the lock's Events policy (lock_events.hpp) counts the slow
 * path's events, lock_pending, lock_slowpath, lock_use_node2..4 and
 * lock_no_node, where the kernel's qspinlock.c counts them; EventsOff
 * (the benchmark's instantiation) compiles them out.
 *
 * The uniform lock interface (every lock kind has it, so the stress engine
 * takes the lock as a type): name, constexpr default constructor, init(),
 * destroy(), lock(), trylock(), unlock(), is_locked(), is_contended().
 */
#ifndef PVSYNC_QSPINLOCK_HPP
#define PVSYNC_QSPINLOCK_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/linkage.hpp"
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "locks/qspinlock_word.hpp"

namespace pv {

struct QSpinLockTestAccess;

/*
 * The Mutation policy: which step of the slow path to break.  The
 * production lock is QSpinLockCorrect; the others exist to show that the
 * stress checks catch a lock that lets two owners in.
 */
struct QSpinLockCorrect {
	/* The lock kind's name: the layout's for the production lock. */
	static constexpr const char *label(const char *layout_name)
	{
		return layout_name;
	}

	static constexpr bool pending_waits_for_owner = true;
	static constexpr bool head_waits_for_owner = true;

	/* The orderings the ordering mutants weaken to relaxed. */
	static constexpr bool fast_path_acquire = true;
	static constexpr bool unlock_release = true;
	static constexpr bool pending_wait_acquire = true;
	static constexpr bool head_wait_acquire = true;
	static constexpr bool handoff_release = true;
};

struct QSpinLockMutantPendingNoWait : QSpinLockCorrect {
	static constexpr bool pending_waits_for_owner = false;
	static constexpr const char name[] = "qspinlock_mutant_pending";
	static constexpr const char *label(const char *) { return name; }
};

struct QSpinLockMutantHeadNoWait : QSpinLockCorrect {
	static constexpr bool head_waits_for_owner = false;
	static constexpr const char name[] = "qspinlock_mutant_head";
	static constexpr const char *label(const char *) { return name; }
};

/* Ordering mutants: run only in the user-space TSan build (see above). */
struct QSpinLockOrderFastRelaxed : QSpinLockCorrect {
	static constexpr bool fast_path_acquire = false;
	static constexpr const char name[] = "qspinlock_order_fast_relaxed";
	static constexpr const char *label(const char *) { return name; }
};

struct QSpinLockOrderUnlockRelaxed : QSpinLockCorrect {
	static constexpr bool unlock_release = false;
	static constexpr const char name[] = "qspinlock_order_unlock_relaxed";
	static constexpr const char *label(const char *) { return name; }
};

struct QSpinLockOrderPendingRelaxed : QSpinLockCorrect {
	static constexpr bool pending_wait_acquire = false;
	static constexpr const char name[] = "qspinlock_order_pending_relaxed";
	static constexpr const char *label(const char *) { return name; }
};

struct QSpinLockOrderHeadRelaxed : QSpinLockCorrect {
	static constexpr bool head_wait_acquire = false;
	static constexpr const char name[] = "qspinlock_order_head_relaxed";
	static constexpr const char *label(const char *) { return name; }
};

struct QSpinLockOrderHandoffRelaxed : QSpinLockCorrect {
	static constexpr bool handoff_release = false;
	static constexpr const char name[] = "qspinlock_order_handoff_relaxed";
	static constexpr const char *label(const char *) { return name; }
};

/*
 * The operations are free functions on the word, named as the kernel's.
 * They are static and QSpinLock's members __always_inline, so that no
 * object carries an out-of-line copy with vague linkage (see linkage.hpp):
 * each object that takes a queued spinlock has its own slow path.
 */
namespace detail {

/*
 * queued_spin_trylock - 0,0,0 -> 0,0,1 or fail; never waits.
 *
 * Fails on any non-zero word: a waiter that is pending or queued has
 * precedence, and 0,1,0 is a hand-over in progress.
 */
template <typename L>
static __always_inline bool queued_spin_trylock(QSpinLockWord *lock)
{
	uint32_t val = READ_ONCE(lock->val);

	if (__builtin_expect(val != 0, 0))
		return false;
	/* Acquire: pairs with the release of the locked byte in unlock(). */
	return __builtin_expect(try_cmpxchg_acquire(&lock->val, &val,
						    L::_Q_LOCKED_VAL), 1);
}

/*
 * The slow path's paravirt hooks, as the kernel's pv_*() calls in
 * qspinlock.c: the native lock's do nothing, and the paravirt lock
 * (pvqspinlock.hpp) supplies its own, so both locks run this one slow
 * path.  paravirt: skip the pending path, every waiter queues; trylock:
 * the trylock of the no-node fallback and of the last try before
 * queueing; init_node, wait_node, kick_node: node state around the queue;
 * wait_head_or_lock: the head's wait, returning the word with the lock
 * taken, or 0 to do the native wait.
 */
template <typename L>
struct NativeSlowpathHooks {
	static constexpr bool paravirt = false;

	static __always_inline bool trylock(QSpinLockWord *lock)
	{
		return queued_spin_trylock<L>(lock);
	}

	static __always_inline void init_node(McsNode *, unsigned int) {}
	static __always_inline void wait_node(McsNode *, McsNode *) {}

	static __always_inline uint32_t wait_head_or_lock(QSpinLockWord *,
							  McsNode *)
	{
		return 0;
	}

	static __always_inline void kick_node(QSpinLockWord *, McsNode *) {}
};

/*
 * queued_spin_lock_slowpath - acquire @lock, whose fast path found
 * @val != 0.  Precondition: preemption disabled.
 *
 * Out of line, as the kernel's, so that lock() inlines to the cmpxchg and
 * a call.
 */
template <typename L, unsigned int PendingLoops, typename M, typename E,
	  typename Hooks = NativeSlowpathHooks<L>>
static __attribute__((noinline)) void
queued_spin_lock_slowpath(QSpinLockWord *lock, uint32_t val)
{
	McsNode *prev, *next, *node, *node0;
	uint32_t old, tail;
	unsigned int cpu, idx;

	/* The paravirt lock has no pending path: every waiter queues. */
	if (Hooks::paravirt)
		goto queue;

	/*
	 * A pending waiter is taking over from the owner right now,
	 * 0,1,0 -> 0,0,1: wait for that, a bounded number of spins so
	 * that a stream of such hand-overs cannot starve us.
	 */
	if (val == L::_Q_PENDING_VAL) {
		int cnt = PendingLoops;

		val = atomic_cond_read_relaxed(
			&lock->val, [&cnt](uint32_t v) {
				return v != L::_Q_PENDING_VAL || !cnt--;
			});
	}

	/* Anyone pending or queued: queue behind them. */
	if (val & ~L::_Q_LOCKED_MASK)
		goto queue;

	/*
	 * Nobody waits: become the pending waiter, 0,0,y -> 0,1,y.  If
	 * the owner has already left (y == 0) this is as good as a trylock.
	 */
	val = L::queued_fetch_set_pending_acquire(lock);

	/*
	 * Someone else was pending or queued after all.  Undo the
	 * pending bit if it was ours, and queue: while it was set, a
	 * queue head's n,0,0 -> 0,0,1 claim could not succeed, so that
	 * head now waits for a successor, which we are about to be.
	 */
	if (__builtin_expect(val & ~L::_Q_LOCKED_MASK, 0)) {
		if (!(val & L::_Q_PENDING_MASK))
			L::clear_pending(lock);
		goto queue;
	}

	/*
	 * We are pending; wait for the owner to leave.
	 *
	 * 0,1,1 -> 0,1,0
	 *
	 * Acquire: pairs with the owner's release of the locked byte in
	 * unlock(); clear_pending_set_locked() below is a plain store
	 * in the small layout and orders nothing by itself.
	 */
	if ((val & L::_Q_LOCKED_MASK) && M::pending_waits_for_owner &&
	    M::pending_wait_acquire)
		atomic_cond_read_acquire(&lock->val, [](uint32_t v) {
			return !(v & L::_Q_LOCKED_MASK);
		});
	else if ((val & L::_Q_LOCKED_MASK) && M::pending_waits_for_owner)
		atomic_cond_read_relaxed(&lock->val, [](uint32_t v) {
			return !(v & L::_Q_LOCKED_MASK);
		});

	/*
	 * Take ownership and clear pending.
	 *
	 * 0,1,0 -> 0,0,1 (or n,1,0 -> n,0,1 if a waiter queued
	 * meanwhile: it waits for both bits to clear).
	 */
	L::clear_pending_set_locked(lock);
	E::inc(LockEvent::lock_pending);
	return;

	/* End of the pending path; from here on, the MCS queue. */
queue:
	cpu = this_cpu();
	/*
	 * As the kernel: the native slow path counts every waiter that
	 * gets here; the paravirt one skips this count and counts in its
	 * head wait (pv_wait_head_or_lock()), once per waiter that reached
	 * the queue head, not those whose last trylock succeeded.
	 */
	if (!Hooks::paravirt)
		E::inc_cpu(cpu, LockEvent::lock_slowpath);
	node0 = grab_node(cpu, 0);
	idx = node0->count++;

	/*
	 * All MAX_NODES nodes of this CPU are in use (NMIs nested
	 * deeper than the contexts we planned for).  Spin on the lock
	 * word with trylock instead: no node, no queue, no fairness.
	 */
	if (__builtin_expect(idx >= MAX_NODES, 0)) {
		E::inc_cpu(cpu, LockEvent::lock_no_node);
		while (!Hooks::trylock(lock))
			cpu_relax();
		goto release;
	}

	node = grab_node(cpu, idx);
	tail = L::encode_tail(cpu, idx);

	/* Count the nested uses: lock_use_node2..4 for idx 1..3. */
	static_assert(static_cast<unsigned int>(LockEvent::lock_use_node4) ==
		      static_cast<unsigned int>(LockEvent::lock_use_node2) +
			      MAX_NODES - 2);
	if (idx)
		E::inc_cpu(cpu, static_cast<LockEvent>(
			static_cast<unsigned int>(LockEvent::lock_use_node2) +
			idx - 1));

	/*
	 * Claim node idx (the count++ above) before initialising it:
	 * if the compiler sank the increment below these stores, an
	 * interrupt taking a lock in between would pick the same idx
	 * and overwrite our node.
	 */
	barrier();

	/*
	 * Marked stores: the successor's WRITE_ONCE(prev->next) and the
	 * predecessor's store of node->locked race with them by design,
	 * ordered only by the smp_wmb() below and an address dependency,
	 * which C11 cannot express; unmarked, TSan would report that race.
	 */
	WRITE_ONCE(node->locked, 0U);
	WRITE_ONCE(node->next, static_cast<McsNode *>(nullptr));
	Hooks::init_node(node, cpu);

	/*
	 * We touched a probably cold line of per-CPU nodes; the owner
	 * may have left meanwhile.  One more trylock before queueing (the
	 * paravirt lock's steals, rather than queue behind a halted head).
	 */
	if (Hooks::trylock(lock))
		goto release;

	/*
	 * Finish initialising our node before publishing it.  Once the
	 * tail below names it, a successor may store to node->next;
	 * once prev->next names it, our predecessor may store
	 * node->locked = 1.  Neither may be overwritten by our zeroing.
	 * Pairs with the address dependency from each of those CPUs'
	 * read of the tail or of prev->next to its store into our node.
	 */
	smp_wmb();

	/*
	 * Swap our node in as the tail, p,x,y -> n,x,y.  Having paid for
	 * the node's line already, we do not go back to try for pending.
	 */
	/* model: pvq.slowpath.xchg_tail */
	old = L::xchg_tail(lock, tail);
	next = nullptr;

	/*
	 * A previous tail: link behind it and wait to become the head
	 * of the queue.
	 */
	if (old & L::_Q_TAIL_MASK) {
		prev = decode_tail<L>(old);

		/* Our predecessor reads this in its hand-over below. */
		WRITE_ONCE(prev->next, node);

		/* Paravirt: spin, then halt until made the head. */
		Hooks::wait_node(node, prev);

		/*
		 * arch_mcs_spin_lock_contended(): wait until the
		 * predecessor passes the head to us.  Acquire: pairs with
		 * its smp_store_release(&next->locked, 1) below, so we see
		 * what it saw of the lock word.
		 */
		smp_cond_load_acquire(&node->locked,
				      [](uint32_t v) { return v != 0; });

		/*
		 * A successor may have linked itself while we waited:
		 * load it now, and prefetch its line for writing, to
		 * shorten our own hand-over later.
		 */
		next = READ_ONCE(node->next);
		if (next)
			__builtin_prefetch(next, 1);
	}

	/*
	 * We are the head of the queue: wait for the owner and the
	 * pending waiter to leave.
	 *
	 * *,x,y -> *,0,0
	 *
	 * Acquire: pairs with the owner's release of the locked byte in
	 * unlock(), because set_locked() below is a plain store and
	 * would order nothing.
	 */
	/*
	 * The paravirt head spins with pending set and halts, and returns
	 * with the lock taken (its xchg or cmpxchg of the locked byte is
	 * the acquire, pairing with the release in unlock()): n,0,l.
	 */
	val = Hooks::wait_head_or_lock(lock, node);
	if (val)
		goto locked;
	if (M::head_waits_for_owner && M::head_wait_acquire)
		val = atomic_cond_read_acquire(&lock->val, [](uint32_t v) {
			return !(v & L::_Q_LOCKED_PENDING_MASK);
		});
	else if (M::head_waits_for_owner)
		val = atomic_cond_read_relaxed(&lock->val, [](uint32_t v) {
			return !(v & L::_Q_LOCKED_PENDING_MASK);
		});
	else
		val = READ_ONCE(lock->val);
locked:

	/*
	 * Take the lock, one of two ways:
	 *
	 * n,0,0 -> 0,0,1   we are still the tail (n is ours): take the
	 *                  lock and empty the queue together
	 * m,0,0 -> m,0,1   someone queued behind us: take only the lock
	 *
	 * The first is one cmpxchg that fails if the word moved (the
	 * kernel's atomic_try_cmpxchg_relaxed; relaxed because the
	 * acquire above already ordered us after the previous owner).
	 * Pending is 0 in val, so a CPU setting it meanwhile makes the
	 * cmpxchg fail; that CPU then sees our tail and queues behind
	 * us, so a successor will appear.
	 */
	/* model: pvq.slowpath.claim */
	if ((val & L::_Q_TAIL_MASK) == tail) {
		if (cmpxchg_relaxed(&lock->val, val, L::_Q_LOCKED_VAL) ==
		    val)
			goto release;	/* no contention */
	}

	/*
	 * Someone queued behind us, or set pending and will queue:
	 * only take the locked byte, leaving the tail theirs.
	 */
	L::set_locked(lock);

	/*
	 * Contended: wait for the successor to link itself, if we have
	 * not seen it yet.  Relaxed: it wrote next after initialising
	 * its node (its smp_wmb() before xchg_tail()), and we only
	 * store to its node.
	 */
	if (!next)
		next = smp_cond_load_relaxed(&node->next,
					     [](McsNode *n) {
						     return n != nullptr;
					     });

	/*
	 * arch_mcs_spin_unlock_contended(): make the successor the
	 * head.  Release: pairs with its smp_cond_load_acquire() of
	 * node->locked above, so it sees our claim of the lock word.
	 */
	/* model: pvq.slowpath.handover */
	if (M::handoff_release)
		smp_store_release(&next->locked, 1U);
	else
		WRITE_ONCE(next->locked, 1U);
	/* Paravirt: if it halted, arrange for our unlock to kick it. */
	Hooks::kick_node(lock, next);

release:
	/*
	 * Give the node back.  The same CPU (preemption is disabled),
	 * and any interrupt that nested here has given its node back.
	 */
	node0->count--;
}

} /* namespace detail */

template <typename Layout = WordLayoutSmall, unsigned int PendingLoops = 512,
	  typename Mutation = QSpinLockCorrect, typename Events = EventsOn>
class QSpinLock {
	using L = Layout;

	static_assert(L::max_idx == MAX_NODES,
		      "the tail's idx field names one of a CPU's nodes");

public:
	static constexpr const char *name = Mutation::label(L::qspinlock_name);

	/* An unlocked lock, (0,0,0); needs no run-time initialisation. */
	constexpr QSpinLock() : word_() {}

	QSpinLock(const QSpinLock &) = delete;
	QSpinLock &operator=(const QSpinLock &) = delete;

	/* Nothing to allocate: for the uniform interface. */
	__always_inline bool init() { return true; }
	__always_inline void destroy() {}

	/*
	 * lock - acquire.  Precondition: preemption disabled.
	 *
	 * 0,0,0 -> 0,0,1 ; the uncontended fast path, else the slow path.
	 */
	__always_inline void lock()
	{
		uint32_t val = 0;

		/*
		 * Acquire: pairs with the release store of the locked byte in
		 * unlock(), so this critical section sees the previous one.
		 */
		if (__builtin_expect(Mutation::fast_path_acquire ?
				     try_cmpxchg_acquire(&word_.val, &val,
							 L::_Q_LOCKED_VAL) :
				     try_cmpxchg_relaxed(&word_.val, &val,
							 L::_Q_LOCKED_VAL), 1))
			return;
		detail::queued_spin_lock_slowpath<L, PendingLoops, Mutation,
						  Events>(&word_, val);
	}

	/* trylock - 0,0,0 -> 0,0,1 or fail; see queued_spin_trylock(). */
	__always_inline bool trylock()
	{
		return detail::queued_spin_trylock<L>(&word_);
	}

	/*
	 * unlock - *,*,1 -> *,*,0
	 *
	 * Release: publishes the critical section to the next owner, whose
	 * acquire is the fast path's cmpxchg_acquire, the pending waiter's
	 * or the queue head's atomic_cond_read_acquire() in the slow path,
	 * or a trylock's cmpxchg_acquire.  Only the locked byte is written,
	 * so a concurrent pending or tail update is not lost.
	 */
	__always_inline void unlock()
	{
		if (Mutation::unlock_release)
			smp_store_release(&word_.locked, 0);
		else
			WRITE_ONCE(word_.locked, 0);
	}

	/*
	 * is_locked - any non-zero word: held, or about to be (a pending
	 * waiter or queue head can own it before "locked" is visible).
	 */
	__always_inline bool is_locked() const
	{
		return READ_ONCE(word_.val) != 0;
	}

	/* is_contended - someone is pending or queued. */
	__always_inline bool is_contended() const
	{
		return (READ_ONCE(word_.val) & ~L::_Q_LOCKED_MASK) != 0;
	}

private:
	friend struct QSpinLockTestAccess;

	QSpinLockWord word_;
};

/*
 * QSpinLockTestAccess - the KUnit seam: reach the word and the slow path,
 * and preset a CPU's node count (to force the nested and no-node paths).
 */
struct QSpinLockTestAccess {
	template <typename L, unsigned int P, typename M, typename E>
	static __always_inline QSpinLockWord &word(QSpinLock<L, P, M, E> &lock)
	{
		return lock.word_;
	}

	template <typename L, unsigned int P, typename M, typename E>
	static __always_inline void slowpath(QSpinLock<L, P, M, E> &lock,
					     uint32_t val)
	{
		detail::queued_spin_lock_slowpath<L, P, M, E>(&lock.word_, val);
	}

	/* Precondition: on @cpu with irqs disabled, or @cpu idle. */
	static __always_inline uint32_t node_count(unsigned int cpu)
	{
		return READ_ONCE(grab_node(cpu, 0)->count);
	}

	static __always_inline void set_node_count(unsigned int cpu,
						   uint32_t count)
	{
		WRITE_ONCE(grab_node(cpu, 0)->count, count);
	}
};

} /* namespace pv */

#endif /* PVSYNC_QSPINLOCK_HPP */
