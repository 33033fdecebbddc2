// SPDX-License-Identifier: GPL-2.0
/*
 * cases_qspinlock.cpp - suite pvsync_qspinlock: the queued spinlock's word
 * layouts, nodes and event counters, each of its state transitions on one
 * and on several CPUs, and the other lock kinds' reported state.
 *
 * Cases that need several CPUs script each CPU's part in a thread bound
 * to it; the thread that holds the lock also watches the word, so the
 * test thread itself never spins with preemption disabled and only needs
 * to sleep until the parts are done.  Every wait has a deadline: a part
 * that misses one records the failure and releases what it holds, so a
 * broken lock fails the case instead of hanging the machine.  Mutual
 * exclusion under load is the stress engine's to show, not this suite's.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "locks/busted_lock.hpp"
#include "core/cpu.hpp"
#include "core/crew.hpp"
#include <pvsync/kapi.h>
#include "locks/kernel_spinlock.hpp"
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "locks/qspinlock.hpp"
#include "locks/qspinlock_word.hpp"
#include "core/test.hpp"
#include "locks/ticket_lock.hpp"

using namespace pv;

namespace {

using Access = QSpinLockTestAccess;
using E = LockEvent;

constexpr unsigned long long NSEC_PER_MSEC = 1000000ULL;

/*
 * Runs @check once per word layout; when it fails, says which layout, since
 * the failure lines of the two runs are otherwise the same.
 */
template <typename L>
void run_for_layout(struct pvsync_test *t, void (*check)(struct pvsync_test *))
{
	unsigned int before = t->failures;

	check(t);
	if (t->failures != before)
		pv::test::log(t, "the failures above are with %s",
			      L::qspinlock_name);
}

#define PV_FOR_EACH_LAYOUT(t, check)                                       \
	do {                                                               \
		run_for_layout<WordLayoutSmall>(t, check<WordLayoutSmall>); \
		run_for_layout<WordLayoutLarge>(t, check<WordLayoutLarge>); \
	} while (0)

template <typename L>
uint32_t word_of(QSpinLock<L> &lock)
{
	return READ_ONCE(Access::word(lock).val);
}

bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Spin, without sleeping, until @pred holds or @timeout_ns passes. */
template <typename Pred>
bool spin_until(Pred pred, unsigned long long timeout_ns)
{
	unsigned long long start = pvk_now_ns();

	while (!pred()) {
		if (pvk_now_ns() - start > timeout_ns)
			return pred();
		cpu_relax();
	}
	return true;
}

/*
 * In a pvk_thread, preemptibly: wait until @pred holds, @timeout_ns
 * passes, or the thread is asked to stop.
 */
template <typename Pred>
bool poll_until(Pred pred, unsigned long long timeout_ns)
{
	unsigned long long start = pvk_now_ns();

	while (!pred()) {
		if (pvk_thread_should_stop() ||
		    pvk_now_ns() - start > timeout_ns)
			return pred();
		pvk_cond_resched();
		cpu_relax();
	}
	return true;
}

/* The per-CPU event counts a case compares before and after. */
struct EventCounts {
	unsigned long n[lockevent_num];

	void read(unsigned int cpu)
	{
		for (unsigned int ev = 0; ev < lockevent_num; ev++)
			n[ev] = lockevent_read(static_cast<LockEvent>(ev), cpu);
	}

	unsigned long operator[](LockEvent ev) const
	{
		return n[static_cast<unsigned int>(ev)];
	}
};

/* How much @ev grew on @cpu since @before was read there. */
unsigned long grew(const EventCounts &before, LockEvent ev, unsigned int cpu)
{
	return lockevent_read(ev, cpu) - before[ev];
}

} /* namespace */

/* ------------------------------------------------------------------ */
/* The word                                                            */

namespace {

/* Every field of @L round-trips through triple() and the masks. */
template <typename L>
void check_fields_round_trip(struct pvsync_test *t)
{
	const uint32_t tails[] = { 0, L::encode_tail(0, 0),
				   L::encode_tail(L::max_cpus - 1, 3) };
	const uint32_t lockeds[] = { 0, L::_Q_LOCKED_VAL, 0xff };

	for (uint32_t tail : tails) {
		for (uint32_t pending = 0; pending <= 1; pending++) {
			for (uint32_t locked : lockeds) {
				uint32_t v = L::triple(tail, pending, locked);

				PV_EXPECT_EQ(t, v & L::_Q_TAIL_MASK, tail);
				PV_EXPECT_EQ(t, (v & L::_Q_PENDING_MASK) >>
						     L::_Q_PENDING_OFFSET,
					     pending);
				PV_EXPECT_EQ(t, v & L::_Q_LOCKED_MASK, locked);
			}
		}
	}

	/* Disjoint masks that cover the word, each where the kernel has it. */
	const uint32_t masks[] = { L::_Q_LOCKED_MASK, L::_Q_PENDING_MASK,
				   L::_Q_TAIL_IDX_MASK, L::_Q_TAIL_CPU_MASK };
	uint32_t all = 0;

	for (uint32_t m : masks) {
		PV_EXPECT_EQ(t, all & m, 0u);
		all |= m;
	}
	PV_EXPECT_EQ(t, all, 0xffffffffu);
	PV_EXPECT_EQ(t, L::_Q_TAIL_MASK,
		     L::_Q_TAIL_IDX_MASK | L::_Q_TAIL_CPU_MASK);
	PV_EXPECT_EQ(t, L::_Q_LOCKED_PENDING_MASK,
		     L::_Q_LOCKED_MASK | L::_Q_PENDING_MASK);
	PV_EXPECT_EQ(t, L::_Q_LOCKED_VAL, 1u);
	PV_EXPECT_EQ(t, L::_Q_PENDING_VAL, 0x100u);

	/* The locked byte is byte 0 of the word in both layouts. */
	QSpinLockWord w;

	w.locked = 0xff;
	PV_EXPECT_EQ(t, w.val, L::_Q_LOCKED_MASK);
}

void check_small_layout(struct pvsync_test *t)
{
	using L = WordLayoutSmall;

	check_fields_round_trip<L>(t);
	PV_EXPECT_EQ(t, L::_Q_PENDING_MASK, 0x0000ff00u);
	PV_EXPECT_EQ(t, L::_Q_TAIL_IDX_MASK, 0x00030000u);
	PV_EXPECT_EQ(t, L::_Q_TAIL_CPU_MASK, 0xfffc0000u);
	PV_EXPECT_EQ(t, L::max_cpus, 16383u);

	/* The sub-word views the helpers store through line up with the
	 * fields: pending byte, locked+pending half-word, tail half-word. */
	QSpinLockWord w;

	w.val = L::triple(L::encode_tail(5, 2), 1, 1);
	PV_EXPECT_EQ(t, w.locked, 1);
	PV_EXPECT_EQ(t, w.pending, 1);
	PV_EXPECT_EQ(t, w.locked_pending, 0x0101);
	PV_EXPECT_EQ(t, w.tail, L::encode_tail(5, 2) >> 16);
	w.pending = 0xff;
	w.locked = 0;
	w.tail = 0;
	PV_EXPECT_EQ(t, w.val, L::_Q_PENDING_MASK);
	w.val = 0;
	w.tail = 0xffff;
	PV_EXPECT_EQ(t, w.val, L::_Q_TAIL_MASK);
}

void check_large_layout(struct pvsync_test *t)
{
	using L = WordLayoutLarge;

	check_fields_round_trip<L>(t);
	PV_EXPECT_EQ(t, L::_Q_PENDING_MASK, 0x00000100u);
	PV_EXPECT_EQ(t, L::_Q_TAIL_IDX_MASK, 0x00000600u);
	PV_EXPECT_EQ(t, L::_Q_TAIL_CPU_MASK, 0xfffff800u);
	PV_EXPECT_EQ(t, L::max_cpus, (1u << 21) - 1);

	/* The tail starts right above the single pending bit. */
	PV_EXPECT_EQ(t, L::encode_tail(0, 0), 1u << 11);
	PV_EXPECT_EQ(t, L::encode_tail(0, 1), (1u << 11) | (1u << 9));
}

constexpr Option<pv::test::Body> word_layouts[] = {
	{ "small", check_small_layout },
	{ "large", check_large_layout },
};

} /* namespace */

PV_PARAM_CASE(qspinlock, word_layout_encodes_fields,
	      PVSYNC_PARAMS_WORD_LAYOUTS, word_layouts)

namespace {

template <typename L>
void check_helper_transitions(struct pvsync_test *t)
{
	QSpinLockWord w;
	const uint32_t n = L::encode_tail(3, 1), m = L::encode_tail(7, 2);
	uint32_t old;

	/* 0,0,0 -> 0,0,1 */
	L::set_locked(&w);
	PV_EXPECT_EQ(t, w.val, L::triple(0, 0, 1));

	/* 0,0,1 -> 0,1,1, returning 0,0,1 */
	old = L::queued_fetch_set_pending_acquire(&w);
	PV_EXPECT_EQ(t, old, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, w.val, L::triple(0, 1, 1));

	/* Already pending: returns it set, changes nothing. */
	old = L::queued_fetch_set_pending_acquire(&w);
	PV_EXPECT_EQ(t, old, L::triple(0, 1, 1));
	PV_EXPECT_EQ(t, w.val, L::triple(0, 1, 1));

	/* 0,1,1 -> n,1,1, returning no tail */
	old = L::xchg_tail(&w, n);
	PV_EXPECT_EQ(t, old & L::_Q_TAIL_MASK, 0u);
	PV_EXPECT_EQ(t, w.val, L::triple(n, 1, 1));

	/* n,1,1 -> m,1,1, returning n */
	old = L::xchg_tail(&w, m);
	PV_EXPECT_EQ(t, old & L::_Q_TAIL_MASK, n);
	PV_EXPECT_EQ(t, w.val, L::triple(m, 1, 1));

	/* m,1,1 -> m,0,1 */
	L::clear_pending(&w);
	PV_EXPECT_EQ(t, w.val, L::triple(m, 0, 1));

	/* m,1,0 -> m,0,1: pending takes over, the tail stays */
	w.val = L::triple(m, 1, 0);
	L::clear_pending_set_locked(&w);
	PV_EXPECT_EQ(t, w.val, L::triple(m, 0, 1));

	/* m,0,0 -> m,0,1 */
	w.val = L::triple(m, 0, 0);
	L::set_locked(&w);
	PV_EXPECT_EQ(t, w.val, L::triple(m, 0, 1));
}

} /* namespace */

PV_CASE(qspinlock, word_helpers_make_their_transitions)
{
	PV_FOR_EACH_LAYOUT(t, check_helper_transitions);
}

namespace {

template <typename L>
void check_every_tail(struct pvsync_test *t)
{
	unsigned int bad = 0;
	uint32_t prev = 0;

	/* Strictly increasing in (cpu, idx), so no two nodes share a code. */
	for (uint32_t cpu = 0; cpu < L::max_cpus; cpu++) {
		for (uint32_t idx = 0; idx < L::max_idx; idx++) {
			uint32_t tail = L::encode_tail(cpu, idx);

			if (tail > prev && (tail & ~L::_Q_TAIL_MASK) == 0 &&
			    L::decode_tail_cpu(tail) == cpu &&
			    L::decode_tail_idx(tail) == idx) {
				prev = tail;
				continue;
			}
			if (bad++ < 4)
				pv::test::fail(t, __FILE__, __LINE__,
					       "tail 0x%x of cpu %u idx %u decodes to cpu %u idx %u",
					       tail, cpu, idx,
					       L::decode_tail_cpu(tail),
					       L::decode_tail_idx(tail));
			prev = tail;
		}
	}
	PV_EXPECT_EQ(t, bad, 0u);
	/* The largest code is the last one the field can hold. */
	PV_EXPECT_EQ(t, prev, L::_Q_TAIL_MASK);
}

} /* namespace */

PV_CASE(qspinlock, tail_round_trips_every_cpu_and_idx)
{
	PV_FOR_EACH_LAYOUT(t, check_every_tail);
}

namespace {

template <typename L>
void check_tail_nodes(struct pvsync_test *t)
{
	McsNode *prev_base = nullptr;
	unsigned int checked = 0;

	for (unsigned int cpu = 0; cpu < pvk_nr_cpu_ids(); cpu++) {
		if (!pvk_cpu_possible(cpu))
			continue;
		McsNode *base = grab_node(cpu, 0);

		PV_EXPECT_EQ(t, reinterpret_cast<uintptr_t>(base) % 64, 0u);
		for (unsigned int idx = 0; idx < MAX_NODES; idx++)
			PV_EXPECT(t, decode_tail<L>(L::encode_tail(cpu, idx)) ==
					     base + idx);
		/* Another CPU's four nodes do not overlap ours. */
		if (prev_base)
			PV_EXPECT(t, base >= prev_base + MAX_NODES ||
					     base + MAX_NODES <= prev_base);
		prev_base = base;
		checked++;
	}
	PV_EXPECT(t, checked >= pvk_num_online_cpus());
}

} /* namespace */

PV_CASE(qspinlock, tail_decodes_to_that_cpus_node)
{
	PV_ASSERT(t, mcs_nodes_ready());
	PV_FOR_EACH_LAYOUT(t, check_tail_nodes);
}

PV_CASE(qspinlock, lockevents_count_per_cpu_and_reset)
{
	PV_ASSERT(t, lockevents_ready());

	/* Named as the kernel's, in the kernel's order. */
	static const char *const kernel_names[] = {
		"lock_pending", "lock_slowpath", "lock_use_node2",
		"lock_use_node3", "lock_use_node4", "lock_no_node",
	};
	constexpr unsigned int nr = sizeof(kernel_names) / sizeof(kernel_names[0]);

	static_assert(nr <= lockevent_num);
	for (unsigned int i = 0; i < nr; i++)
		PV_EXPECT(t, str_eq(lockevent_name(static_cast<LockEvent>(i)),
				    kernel_names[i]));

	{
		IrqSaveGuard g;	/* nothing else counts on this CPU meanwhile */
		unsigned int cpu = this_cpu();
		EventCounts before;
		unsigned long sum_before = lockevent_sum(E::lock_use_node3);

		before.read(cpu);
		lockevent_inc(LockEvent::lock_use_node3);
		lockevent_inc(LockEvent::lock_use_node3);
		lockevent_inc_cpu(cpu, LockEvent::lock_use_node3);
		lockevent_cond_inc(LockEvent::lock_use_node3, false);
		lockevent_cond_inc(LockEvent::lock_use_node4, true);
		PV_EXPECT_EQ(t, grew(before, E::lock_use_node3, cpu), 3u);
		PV_EXPECT_EQ(t, grew(before, E::lock_use_node4, cpu), 1u);
		PV_EXPECT_EQ(t, grew(before, E::lock_pending, cpu), 0u);
		PV_EXPECT(t, lockevent_sum(LockEvent::lock_use_node3) >=
				     sum_before + 3);
	}

	lockevents_reset();
	for (unsigned int ev = 0; ev < lockevent_num; ev++)
		PV_EXPECT_EQ(t, lockevent_sum(static_cast<LockEvent>(ev)), 0u);
}

/* ------------------------------------------------------------------ */
/* The queued spinlock on one CPU                                      */

namespace {

template <typename L>
void check_lock_unlock(struct pvsync_test *t)
{
	QSpinLock<L> lock;
	PreemptGuard g;
	unsigned int cpu = this_cpu();
	EventCounts before;

	before.read(cpu);
	PV_EXPECT_EQ(t, word_of(lock), L::triple(0, 0, 0));
	PV_EXPECT(t, !lock.is_locked());

	lock.lock();			/* 0,0,0 -> 0,0,1 */
	PV_EXPECT_EQ(t, word_of(lock), L::triple(0, 0, 1));
	PV_EXPECT(t, lock.is_locked());
	PV_EXPECT(t, !lock.is_contended());

	lock.unlock();			/* 0,0,1 -> 0,0,0 */
	PV_EXPECT_EQ(t, word_of(lock), L::triple(0, 0, 0));
	PV_EXPECT(t, !lock.is_locked());

	/* The fast path alone: no slow-path event. */
	PV_EXPECT_EQ(t, grew(before, E::lock_pending, cpu), 0u);
	PV_EXPECT_EQ(t, grew(before, E::lock_slowpath, cpu), 0u);
}

} /* namespace */

PV_CASE(qspinlock, lock_unlock_single_cpu)
{
	PV_FOR_EACH_LAYOUT(t, check_lock_unlock);
}

namespace {

/*
 * One pending take-over of a free lock, by the slow path itself (entered
 * with val 0: 0,0,0 -> 0,1,0 -> 0,0,1), with Events policy @Ev: how much
 * lock_pending grew on this CPU.  No other event may grow.
 */
template <typename Ev>
unsigned long pending_counts_of_one_takeover(struct pvsync_test *t)
{
	QSpinLock<WordLayoutSmall, 512, QSpinLockCorrect, Ev> lock;
	PreemptGuard g;
	unsigned int cpu = this_cpu();
	EventCounts before;
	unsigned long n;

	before.read(cpu);
	Access::slowpath(lock, 0);
	PV_EXPECT_EQ(t, READ_ONCE(Access::word(lock).val),
		     WordLayoutSmall::triple(0, 0, 1));
	lock.unlock();
	n = grew(before, E::lock_pending, cpu);
	for (unsigned int ev = 0; ev < lockevent_num; ev++) {
		if (static_cast<E>(ev) != E::lock_pending)
			PV_EXPECT_EQ(t, grew(before, static_cast<E>(ev), cpu), 0u);
	}
	return n;
}

} /* namespace */

/*
 * The lock's Events policy: the same step counts lock_pending once with
 * EventsOn (the stress and KUnit instantiation) and nothing with
 * EventsOff (the benchmark's), whose counts are compiled out.
 */
PV_CASE(qspinlock, events_policy_counts_or_compiles_out)
{
	PV_EXPECT_EQ(t, pending_counts_of_one_takeover<EventsOn>(t), 1u);
	PV_EXPECT_EQ(t, pending_counts_of_one_takeover<EventsOff>(t), 0u);
}

namespace {

template <typename L>
void check_trylock(struct pvsync_test *t)
{
	QSpinLock<L> lock;
	QSpinLockWord &w = Access::word(lock);
	const uint32_t n = L::encode_tail(1, 0);
	PreemptGuard g;

	PV_EXPECT(t, lock.trylock());	/* 0,0,0 -> 0,0,1 */
	PV_EXPECT_EQ(t, word_of(lock), L::triple(0, 0, 1));
	PV_EXPECT(t, !lock.trylock());	/* held: no change */
	PV_EXPECT_EQ(t, word_of(lock), L::triple(0, 0, 1));
	lock.unlock();

	/*
	 * A pending waiter taking over (0,1,0) or a queue head about to claim
	 * (n,0,0) has precedence: trylock fails though locked is 0.
	 */
	WRITE_ONCE(w.val, L::triple(0, 1, 0));
	PV_EXPECT(t, !lock.trylock());
	PV_EXPECT(t, lock.is_locked());
	PV_EXPECT(t, lock.is_contended());
	PV_EXPECT_EQ(t, word_of(lock), L::triple(0, 1, 0));

	WRITE_ONCE(w.val, L::triple(n, 0, 0));
	PV_EXPECT(t, !lock.trylock());
	PV_EXPECT(t, lock.is_contended());
	PV_EXPECT_EQ(t, word_of(lock), L::triple(n, 0, 0));

	WRITE_ONCE(w.val, 0u);
	PV_EXPECT(t, lock.trylock());
	lock.unlock();
	PV_EXPECT_EQ(t, word_of(lock), 0u);
}

} /* namespace */

PV_CASE(qspinlock, trylock_fails_while_held)
{
	PV_FOR_EACH_LAYOUT(t, check_trylock);
}

/* ------------------------------------------------------------------ */
/* The queued spinlock on several CPUs                                 */

namespace {

constexpr unsigned long long hold_timeout_ns = 1000 * NSEC_PER_MSEC;
constexpr unsigned long long start_timeout_ns = 2000 * NSEC_PER_MSEC;
constexpr unsigned int done_timeout_ms = 5000;
constexpr unsigned int rescue_ms = 2000;

/* What a queue head stuck waiting for a successor is given to hand to. */
McsNode rescue_node;

/*
 * Force @lock open once, for every spin a CPU of @parts can be stuck in:
 *  - the owner or pending waiter never leaves: clear locked and pending
 *    (*,x,y -> *,0,0), letting a pending waiter or queue head through;
 *  - no predecessor passes the head: node->locked = 1 on every node of
 *    the parts' CPUs;
 *  - a head waits for a successor that never links: give it rescue_node;
 *  - once @hard, a trylock needs the whole word free: zero it.
 */
template <typename L>
void force_open(QSpinLock<L> &lock, const Crew &parts, bool hard)
{
	QSpinLockWord &w = Access::word(lock);

	if (hard)
		WRITE_ONCE(w.val, 0u);
	else
		atomic_andnot(&w.val, L::_Q_LOCKED_PENDING_MASK);
	for (unsigned int i = 0; i < parts.size(); i++) {
		for (unsigned int idx = 0; idx < MAX_NODES; idx++) {
			McsNode *node = grab_node(parts.cpu(i), idx);

			cmpxchg(&node->next, static_cast<McsNode *>(nullptr),
				&rescue_node);
			smp_store_release(&node->locked, 1u);
		}
	}
}

/*
 * Release the parts (one Crew member per CPU), wait for every part to
 * finish, then stop its thread.
 *
 * A part can only hang inside lock(), spinning with preemption disabled,
 * and only if the lock is broken.  Then force the lock open every
 * millisecond for up to rescue_ms (force_open()): exclusion is lost, but
 * the case has already failed and the machine stays usable.  A part still
 * stuck after that is left running, and so is its shared state (which is
 * why that state is static): stopping it would wait for ever, and the
 * module is pinned (safe_to_free()) so that rmmod cannot free it.
 *
 * Return: true when every part finished and was stopped.
 */
template <typename L>
bool finish_parts(struct pvsync_test *t, QSpinLock<L> &lock, Crew &parts)
{
	parts.go();
	if (!parts.wait_finished(done_timeout_ms)) {
		pv::test::fail(t, __FILE__, __LINE__,
			       "a CPU is stuck in lock(); forcing the lock open");
		for (unsigned int ms = 0; ms < rescue_ms; ms++) {
			if (parts.all_finished())
				break;
			force_open(lock, parts, ms >= rescue_ms / 2);
			pvk_msleep_interruptible(1);
		}
	}
	if (!safe_to_free(parts.finish(0) != 0,
			  "a qspinlock test thread is stuck in lock()")) {
		pv::test::fail(t, __FILE__, __LINE__,
			       "a CPU is still stuck in lock(); its thread is left running and pvsync stays loaded");
		return false;
	}
	return true;
}

/*
 * The holder's watch: spin until @mask shows in @lock's word, or
 * hold_timeout_ns pass, and record in *@word the word at that moment.
 * Return: whether @mask showed in time.
 */
template <typename L>
bool watch_for(QSpinLock<L> &lock, uint32_t mask, uint32_t *word)
{
	bool saw = spin_until([&lock, mask] {
		return (word_of(lock) & mask) != 0;
	}, hold_timeout_ns);

	*word = word_of(lock);
	return saw;
}

/*
 * A waiter's part: once the holder's release of *@go says the lock is in
 * the state this waiter must find (or, after @timeout_ns, not at all),
 * take @lock and record in *@word the word it saw as the owner.
 */
template <typename L>
void lock_when(QSpinLock<L> &lock, const uint32_t *go,
	       unsigned long long timeout_ns, uint32_t *word)
{
	/* Pairs with the holder's release of *@go. */
	if (poll_until([go] { return smp_load_acquire(go) != 0; },
		       timeout_ns)) {
		PreemptGuard g;

		lock.lock();
		*word = word_of(lock);
		lock.unlock();
	}
}

/*
 * pending_set_by_second_waiter: the holder (CPU a) takes the lock and
 * watches the word; the waiter (CPU b) then calls lock().
 *
 *   0,0,1 -> 0,1,1   the waiter sets pending     (holder sees it)
 *   0,1,1 -> 0,1,0   the holder unlocks
 *   0,1,0 -> 0,0,1   the waiter takes over      (waiter sees 0,0,1)
 */
template <typename L>
struct PendingRun {
	QSpinLock<L> lock;
	uint32_t held = 0;		/* holder owns the lock */
	bool saw_pending = false;	/* holder saw pending in time */
	uint32_t holder_word = 0;	/* the word when pending appeared */
	uint32_t waiter_word = 0;	/* the word once the waiter owned it */
	Crew parts = {};		/* the waiter, then the holder */
	bool wedged = false;		/* an earlier run left a thread stuck */

	void reset()
	{
		WRITE_ONCE(Access::word(lock).val, 0u);
		held = holder_word = waiter_word = 0;
		saw_pending = false;
		parts.reset();
	}
};

/* Static: a stuck thread may outlive the case (see finish_parts()). */
template <typename L>
PendingRun<L> pending_run;

template <typename L>
void pending_holder(void *arg)
{
	auto *r = static_cast<PendingRun<L> *>(arg);

	{
		PreemptGuard g;

		r->lock.lock();
		/* Pairs with the waiter's acquire: it calls lock() only now. */
		smp_store_release(&r->held, 1u);
		r->saw_pending = watch_for(r->lock, L::_Q_PENDING_MASK,
					   &r->holder_word);
		r->lock.unlock();
	}
}

template <typename L>
void pending_waiter(void *arg)
{
	auto *r = static_cast<PendingRun<L> *>(arg);

	lock_when(r->lock, &r->held, start_timeout_ns, &r->waiter_word);
}

template <typename L>
void check_pending(struct pvsync_test *t)
{
	PendingRun<L> &r = pending_run<L>;
	unsigned int a = pvk_nth_online_cpu(0), b = pvk_nth_online_cpu(1);
	EventCounts before;

	PV_ASSERT(t, !r.wedged);
	r.reset();
	before.read(b);

	r.parts.add(b, pending_waiter<L>, &r, "pvsync/qs-wait");
	r.parts.add(a, pending_holder<L>, &r, "pvsync/qs-hold");
	if (!finish_parts(t, r.lock, r.parts)) {
		r.wedged = true;
		return;
	}
	PV_ASSERT(t, !r.parts.failed());

	PV_EXPECT(t, r.saw_pending);
	PV_EXPECT_EQ(t, r.holder_word, L::triple(0, 1, 1));
	PV_EXPECT_EQ(t, r.waiter_word, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, word_of(r.lock), L::triple(0, 0, 0));
	PV_EXPECT_EQ(t, grew(before, E::lock_pending, b), 1u);
	PV_EXPECT_EQ(t, grew(before, E::lock_slowpath, b), 0u);
}

} /* namespace */

PV_CASE(qspinlock, pending_set_by_second_waiter)
{
	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	PV_ASSERT(t, mcs_nodes_ready());
	PV_FOR_EACH_LAYOUT(t, check_pending);
}

namespace {

/*
 * tail_set_by_queued_waiter: the holder (CPU a) takes the lock; the first
 * waiter (CPU b) becomes pending; then the second (CPU c) queues.
 *
 *   0,0,1 -> 0,1,1   b sets pending          (holder sees it, lets c go)
 *   0,1,1 -> n,1,1   c queues, n = (c, 0)    (holder sees the tail)
 *   n,1,1 -> n,1,0   the holder unlocks
 *   n,1,0 -> n,0,1   b takes over            (b sees n,0,1)
 *   n,0,1 -> n,0,0   b unlocks
 *   n,0,0 -> 0,0,1   c, head and tail, claims (c sees 0,0,1)
 */
template <typename L>
struct TailRun {
	QSpinLock<L> lock;
	uint32_t held = 0;		/* holder owns the lock: b may go */
	uint32_t pending_seen = 0;	/* holder saw b pending: c may go */
	bool saw_pending = false, saw_tail = false;
	uint32_t pending_word = 0;	/* the word when pending appeared */
	uint32_t tail_word = 0;		/* the word when the tail appeared */
	uint32_t b_word = 0;		/* the word once b owned it */
	uint32_t c_word = 0;		/* ... and c */
	Crew parts = {};		/* c, b, then the holder */
	bool wedged = false;		/* an earlier run left a thread stuck */

	void reset()
	{
		WRITE_ONCE(Access::word(lock).val, 0u);
		held = pending_seen = 0;
		saw_pending = saw_tail = false;
		pending_word = tail_word = b_word = c_word = 0;
		parts.reset();
	}
};

template <typename L>
TailRun<L> tail_run;

template <typename L>
void tail_holder(void *arg)
{
	auto *r = static_cast<TailRun<L> *>(arg);

	{
		PreemptGuard g;

		r->lock.lock();
		/* Pairs with b's poll: b calls lock() only now. */
		smp_store_release(&r->held, 1u);
		r->saw_pending = watch_for(r->lock, L::_Q_PENDING_MASK,
					   &r->pending_word);
		/* Pairs with c's poll: c calls lock() once b is pending. */
		smp_store_release(&r->pending_seen, 1u);
		r->saw_tail = watch_for(r->lock, L::_Q_TAIL_MASK, &r->tail_word);
		r->lock.unlock();
	}
}

template <typename L>
void tail_waiter_b(void *arg)
{
	auto *r = static_cast<TailRun<L> *>(arg);

	lock_when(r->lock, &r->held, start_timeout_ns, &r->b_word);
}

template <typename L>
void tail_waiter_c(void *arg)
{
	auto *r = static_cast<TailRun<L> *>(arg);

	lock_when(r->lock, &r->pending_seen, start_timeout_ns + hold_timeout_ns,
		  &r->c_word);
}

template <typename L>
void check_tail(struct pvsync_test *t)
{
	TailRun<L> &r = tail_run<L>;
	unsigned int a = pvk_nth_online_cpu(0), b = pvk_nth_online_cpu(1),
		     c = pvk_nth_online_cpu(2);
	const uint32_t n = L::encode_tail(c, 0);
	EventCounts before_b, before_c;
	uint32_t count_c = Access::node_count(c);

	PV_ASSERT(t, !r.wedged);
	r.reset();
	before_b.read(b);
	before_c.read(c);

	r.parts.add(c, tail_waiter_c<L>, &r, "pvsync/qs-c");
	r.parts.add(b, tail_waiter_b<L>, &r, "pvsync/qs-b");
	r.parts.add(a, tail_holder<L>, &r, "pvsync/qs-hold");
	if (!finish_parts(t, r.lock, r.parts)) {
		r.wedged = true;
		return;
	}
	PV_ASSERT(t, !r.parts.failed());

	PV_EXPECT(t, r.saw_pending);
	PV_EXPECT(t, r.saw_tail);
	PV_EXPECT_EQ(t, r.pending_word, L::triple(0, 1, 1));
	PV_EXPECT_EQ(t, r.tail_word, L::triple(n, 1, 1));
	PV_EXPECT_EQ(t, L::decode_tail_cpu(r.tail_word), c);
	PV_EXPECT_EQ(t, L::decode_tail_idx(r.tail_word), 0u);
	PV_EXPECT_EQ(t, r.b_word, L::triple(n, 0, 1));
	PV_EXPECT_EQ(t, r.c_word, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, word_of(r.lock), L::triple(0, 0, 0));

	PV_EXPECT_EQ(t, grew(before_b, E::lock_pending, b), 1u);
	PV_EXPECT_EQ(t, grew(before_b, E::lock_slowpath, b), 0u);
	PV_EXPECT_EQ(t, grew(before_c, E::lock_slowpath, c), 1u);
	PV_EXPECT_EQ(t, grew(before_c, E::lock_pending, c), 0u);
	PV_EXPECT_EQ(t, grew(before_c, E::lock_use_node2, c), 0u);
	/* c gave its node back. */
	PV_EXPECT_EQ(t, Access::node_count(c), count_c);
}

} /* namespace */

PV_CASE(qspinlock, tail_set_by_queued_waiter)
{
	if (pvk_num_online_cpus() < 3)
		PV_SKIP(t, "needs three online CPUs");
	PV_ASSERT(t, mcs_nodes_ready());
	PV_FOR_EACH_LAYOUT(t, check_tail);
}

/* ------------------------------------------------------------------ */
/* Nested slow paths, forced through the test seam                     */

namespace {

/*
 * Enter the slow path directly as a CPU that already has @in_use nodes
 * taken (as if interrupted inside @in_use slow paths), with a val that
 * sends it straight to the queue (0,1,1: "someone is pending").  Node
 * fields are poisoned first, to show which node the path initialised.
 *
 * Uncontended (@go NULL), the lock is free and the path ends in one of its
 * trylocks.  Contended, the word is set to 0,0,1 (held by the watcher on
 * another CPU) and *@go tells the watcher that the path is starting; the
 * watcher sees what the path publishes in the word, then unlocks.
 */
struct NestedResult {
	uint32_t word;		/* the lock word after the slow path */
	uint32_t count_after;	/* the node count after it */
	McsNode *next[MAX_NODES];	/* this CPU's nodes after it */
	uint32_t locked[MAX_NODES];
	EventCounts before;
	unsigned int cpu;

	/* How much @ev grew on cpu during the slow path. */
	unsigned long grew(LockEvent ev) const
	{
		return lockevent_read(ev, cpu) - before[ev];
	}
};

McsNode *const poison_next = reinterpret_cast<McsNode *>(0x5a5a5a5a5a5a5a5aUL);
constexpr uint32_t poison_locked = 0xdeadbeef;

template <typename L>
void run_nested_slowpath(QSpinLock<L> &lock, uint32_t in_use,
			 NestedResult *res, uint32_t *go)
{
	/* Irqs off: no interrupt on this CPU uses the nodes meanwhile. */
	IrqSaveGuard g;
	unsigned int cpu = this_cpu();
	uint32_t saved = Access::node_count(cpu);
	McsNode *saved_next[MAX_NODES];
	uint32_t saved_locked[MAX_NODES];

	res->cpu = cpu;
	res->before.read(cpu);
	for (unsigned int i = 0; i < MAX_NODES; i++) {
		McsNode *node = grab_node(cpu, i);

		saved_next[i] = node->next;
		saved_locked[i] = node->locked;
		node->next = poison_next;
		node->locked = poison_locked;
	}
	Access::set_node_count(cpu, in_use);

	if (go) {
		WRITE_ONCE(Access::word(lock).val, L::triple(0, 0, 1));
		/* Pairs with the watcher's acquire: it sees the lock held. */
		smp_store_release(go, 1u);
	}
	Access::slowpath(lock, L::triple(0, 1, 1));

	res->word = word_of(lock);
	res->count_after = Access::node_count(cpu);
	for (unsigned int i = 0; i < MAX_NODES; i++) {
		McsNode *node = grab_node(cpu, i);

		res->next[i] = node->next;
		res->locked[i] = node->locked;
		node->next = saved_next[i];
		node->locked = saved_locked[i];
	}
	Access::set_node_count(cpu, saved);
	if (lock.is_locked())
		lock.unlock();
}

/* The contended run: a locker thread (CPU a) and a watcher (CPU b). */
template <typename L>
struct NestedRun {
	QSpinLock<L> lock;
	uint32_t in_use = 0;
	bool expect_queue = false;	/* watch for a tail, else for nothing */
	uint32_t go = 0;		/* the locker enters the slow path */
	uint32_t odd_word = 0;		/* first word seen other than 0,0,1 */
	Crew parts = {};		/* the watcher, then the locker */
	NestedResult res = {};
	bool wedged = false;		/* an earlier run left a thread stuck */

	void reset(uint32_t nodes_in_use, bool queue)
	{
		WRITE_ONCE(Access::word(lock).val, 0u);
		in_use = nodes_in_use;
		expect_queue = queue;
		go = odd_word = 0;
		res = {};
		parts.reset();
	}
};

template <typename L>
NestedRun<L> nested_run;

template <typename L>
void nested_locker(void *arg)
{
	auto *r = static_cast<NestedRun<L> *>(arg);

	run_nested_slowpath<L>(r->lock, r->in_use, &r->res, &r->go);
}

/*
 * Holds the lock for the locker's slow path: with a queue expected, until
 * a tail appears (0,0,1 -> n,0,1); without, for a fixed window in which
 * the word must stay 0,0,1.  Then unlocks: *,0,1 -> *,0,0.
 */
template <typename L>
void nested_watcher(void *arg)
{
	constexpr unsigned long long window_ns = 50 * NSEC_PER_MSEC;
	auto *r = static_cast<NestedRun<L> *>(arg);

	if (poll_until([r] { return smp_load_acquire(&r->go) != 0; },
		       start_timeout_ns)) {
		PreemptGuard g;
		uint32_t odd = 0;

		spin_until([r, &odd] {
			uint32_t w = word_of(r->lock);

			if (w == L::triple(0, 0, 1))
				return false;
			odd = w;
			return true;
		}, r->expect_queue ? hold_timeout_ns : window_ns);
		r->odd_word = odd;
		r->lock.unlock();
	}
}

/* Runs the contended variant; false (after reporting) if it could not. */
template <typename L>
bool run_nested_contended(struct pvsync_test *t, uint32_t in_use, bool queue)
{
	NestedRun<L> &r = nested_run<L>;
	unsigned int a = pvk_nth_online_cpu(0), b = pvk_nth_online_cpu(1);

	if (r.wedged) {
		pv::test::fail(t, __FILE__, __LINE__,
			       "an earlier run is stuck");
		return false;
	}
	r.reset(in_use, queue);

	r.parts.add(b, nested_watcher<L>, &r, "pvsync/qs-watch");
	r.parts.add(a, nested_locker<L>, &r, "pvsync/qs-lock");
	if (!finish_parts(t, r.lock, r.parts)) {
		r.wedged = true;
		return false;
	}
	if (r.parts.failed()) {
		pv::test::fail(t, __FILE__, __LINE__,
			       "could not start threads");
		return false;
	}
	return true;
}

template <typename L>
void check_nested_node(struct pvsync_test *t)
{
	QSpinLock<L> lock;
	NestedResult res;

	/* Free lock: the trylock after initialising node 1 takes it. */
	run_nested_slowpath<L>(lock, 1, &res, nullptr);
	PV_EXPECT_EQ(t, res.word, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, res.count_after, 1u);	/* node 1 given back */
	/* Node 1 was initialised; node 0, the outer level's, untouched. */
	PV_EXPECT(t, res.next[1] == nullptr);
	PV_EXPECT_EQ(t, res.locked[1], 0u);
	PV_EXPECT(t, res.next[0] == poison_next);
	PV_EXPECT_EQ(t, res.locked[0], poison_locked);
	PV_EXPECT_EQ(t, res.grew(E::lock_slowpath), 1u);
	PV_EXPECT_EQ(t, res.grew(E::lock_use_node2), 1u);
	PV_EXPECT_EQ(t, res.grew(E::lock_no_node), 0u);

	/*
	 * Held lock: the path queues node 1 as the tail, 0,0,1 -> n,0,1 with
	 * n = (cpu, 1), and claims the lock when the watcher unlocks,
	 * n,0,0 -> 0,0,1.
	 */
	if (pvk_num_online_cpus() < 2 || !run_nested_contended<L>(t, 1, true))
		return;

	NestedRun<L> &r = nested_run<L>;

	PV_EXPECT_EQ(t, r.odd_word,
		     L::triple(L::encode_tail(r.res.cpu, 1), 0, 1));
	PV_EXPECT_EQ(t, r.res.word, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, r.res.count_after, 1u);
	PV_EXPECT(t, r.res.next[1] == nullptr);		/* no successor */
	PV_EXPECT(t, r.res.next[0] == poison_next);
	PV_EXPECT_EQ(t, r.res.locked[0], poison_locked);
	PV_EXPECT_EQ(t, r.res.grew(E::lock_use_node2), 1u);
}

template <typename L>
void check_no_node(struct pvsync_test *t)
{
	QSpinLock<L> lock;
	NestedResult res;

	/* Free lock: the fallback's first trylock takes it. */
	run_nested_slowpath<L>(lock, MAX_NODES, &res, nullptr);
	PV_EXPECT_EQ(t, res.word, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, res.count_after, MAX_NODES);	/* given back */
	/* No node was touched. */
	for (unsigned int i = 0; i < MAX_NODES; i++) {
		PV_EXPECT(t, res.next[i] == poison_next);
		PV_EXPECT_EQ(t, res.locked[i], poison_locked);
	}
	PV_EXPECT_EQ(t, res.grew(E::lock_slowpath), 1u);
	PV_EXPECT_EQ(t, res.grew(E::lock_no_node), 1u);
	PV_EXPECT_EQ(t, res.grew(E::lock_use_node4), 0u);

	/*
	 * Held lock: the fallback spins on trylock without queueing, so the
	 * word stays 0,0,1 until the watcher unlocks; then 0,0,0 -> 0,0,1.
	 */
	if (pvk_num_online_cpus() < 2 ||
	    !run_nested_contended<L>(t, MAX_NODES, false))
		return;

	NestedRun<L> &r = nested_run<L>;

	PV_EXPECT_EQ(t, r.odd_word, 0u);
	PV_EXPECT_EQ(t, r.res.word, L::triple(0, 0, 1));
	PV_EXPECT_EQ(t, r.res.count_after, MAX_NODES);
	for (unsigned int i = 0; i < MAX_NODES; i++) {
		PV_EXPECT(t, r.res.next[i] == poison_next);
		PV_EXPECT_EQ(t, r.res.locked[i], poison_locked);
	}
	PV_EXPECT_EQ(t, r.res.grew(E::lock_no_node), 1u);
}

} /* namespace */

PV_CASE(qspinlock, nested_slowpath_uses_next_node)
{
	PV_ASSERT(t, mcs_nodes_ready());
	PV_ASSERT(t, lockevents_ready());
	PV_FOR_EACH_LAYOUT(t, check_nested_node);
}

PV_CASE(qspinlock, no_node_fallback_uses_trylock)
{
	PV_ASSERT(t, mcs_nodes_ready());
	PV_ASSERT(t, lockevents_ready());
	PV_FOR_EACH_LAYOUT(t, check_no_node);
}

/* ------------------------------------------------------------------ */
/* The other lock kinds                                                */

PV_CASE(qspinlock, ticket_lock_excludes_and_orders)
{
	using TA = TicketLockTestAccess;
	TicketLock lock;
	PreemptGuard g;

	PV_EXPECT(t, !lock.is_locked());
	lock.lock();				/* (0,0) -> (0,1) */
	PV_EXPECT_EQ(t, TA::head(lock), 0);
	PV_EXPECT_EQ(t, TA::tail(lock), 1);
	PV_EXPECT(t, lock.is_locked());
	PV_EXPECT(t, !lock.is_contended());
	PV_EXPECT(t, !lock.trylock());		/* held: excluded */
	PV_EXPECT_EQ(t, TA::tail(lock), 1);

	/* A second CPU's ticket, taken without waiting: it is next. */
	PV_EXPECT_EQ(t, TA::take_ticket(lock), 1);	/* (0,1) -> (0,2) */
	PV_EXPECT(t, lock.is_contended());

	lock.unlock();				/* (0,2) -> (1,2) */
	PV_EXPECT_EQ(t, TA::head(lock), 1);
	/* Served in order: ticket 1 owns it now, so it stays held. */
	PV_EXPECT(t, lock.is_locked());
	PV_EXPECT(t, !lock.is_contended());
	PV_EXPECT(t, !lock.trylock());

	lock.unlock();				/* ticket 1's: (1,2) -> (2,2) */
	PV_EXPECT(t, !lock.is_locked());
	PV_EXPECT(t, lock.trylock());		/* (2,2) -> (2,3) */
	PV_EXPECT_EQ(t, TA::tail(lock), 3);
	lock.unlock();
	PV_EXPECT(t, !lock.is_locked());

	/* Both counters wrap: (ffff,ffff) -> (ffff,0) -> (0,0). */
	TA::set(lock, 0xffff, 0xffff);
	lock.lock();
	PV_EXPECT_EQ(t, TA::head(lock), 0xffff);
	PV_EXPECT_EQ(t, TA::tail(lock), 0);
	PV_EXPECT(t, lock.is_locked());
	PV_EXPECT(t, !lock.is_contended());
	lock.unlock();
	PV_EXPECT_EQ(t, TA::head(lock), 0);
	PV_EXPECT(t, !lock.is_locked());
}

PV_CASE(qspinlock, busted_never_reports_locked)
{
	BustedLock lock;

	PV_EXPECT(t, lock.init());
	lock.lock();
	PV_EXPECT(t, !lock.is_locked());
	PV_EXPECT(t, lock.trylock());		/* "held", yet it succeeds */
	PV_EXPECT(t, !lock.is_contended());
	lock.unlock();
	lock.unlock();
	PV_EXPECT(t, !lock.is_locked());
	lock.destroy();
}

PV_CASE(qspinlock, kernel_spinlock_reports_held_state)
{
	KernelSpinLock lock;

	PV_ASSERT(t, lock.init());
	{
		PreemptGuard g;

		PV_EXPECT(t, !lock.is_locked());
		lock.lock();
		PV_EXPECT(t, lock.is_locked());
		PV_EXPECT(t, !lock.is_contended());
		PV_EXPECT(t, !lock.trylock());
		lock.unlock();
		PV_EXPECT(t, !lock.is_locked());
		PV_EXPECT(t, lock.trylock());
		PV_EXPECT(t, lock.is_locked());
		lock.unlock();
		PV_EXPECT(t, !lock.is_locked());
	}
	lock.destroy();
}
