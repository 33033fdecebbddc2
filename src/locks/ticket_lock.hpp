/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ticket_lock.hpp - the ticket spinlock, x86 Linux's lock before the
 * queued spinlock: the baseline the queued spinlock is measured against.
 *
 * The idea.  A bakery: each arriving CPU takes the next ticket from "tail"
 * with one fetch-and-add, then waits until "head", the ticket being
 * served, reaches its own; unlock serves the next ticket.  Both counters
 * are 16 bits of one 32-bit word (head in the low half, tail in the high
 * half), so the fetch-and-add that takes a ticket also returns the head
 * of that moment: an uncontended lock costs one atomic instruction.
 * Counters wrap at 2^16; the lock is correct while fewer than 65536 CPUs
 * wait at once.
 *
 *   state (head, tail)     meaning
 *   h == t                 free
 *   t - h == 1             held, nobody waits
 *   t - h  > 1             held, t - h - 1 waiters (is_contended)
 *
 * What was traded away: every waiter spins on the same line, so each
 * unlock invalidates it in every waiter's cache; and strict FIFO means a
 * preempted vCPU holding the next ticket stalls everyone behind it (the
 * lock-holder/lock-waiter preemption problem that paravirt spinlocks
 * address).
 *
 * Guarantees, and what shows them:
 *   - mutual exclusion, acquire on lock and release on unlock: the stress
 *     engine's mutual-exclusion checks;
 *   - FIFO: tickets are served in the order taken; the state transitions,
 *     including a second ticket waiting behind the owner and the wrap of
 *     both counters, are checked by KUnit
 *     qspinlock/ticket_lock_excludes_and_orders.
 *
 * Preemption: the caller has preemption disabled.
 */
#ifndef PVSYNC_TICKET_LOCK_HPP
#define PVSYNC_TICKET_LOCK_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/linkage.hpp"

namespace pv {

struct TicketLockTestAccess;

class TicketLock {
public:
	static constexpr const char name[] = "ticket";

	/* Free: head == tail == 0. */
	constexpr TicketLock() : word_() {}

	TicketLock(const TicketLock &) = delete;
	TicketLock &operator=(const TicketLock &) = delete;

	__always_inline bool init() { return true; }
	__always_inline void destroy() {}

	/* lock - take a ticket and wait for it.  Preemption disabled. */
	__always_inline void lock()
	{
		/*
		 * tail++ (xadd on the whole word: the carry out of the tail
		 * leaves the word), returning head and tail as they were.
		 * Fully ordered, so also an acquire: when head already equals
		 * our ticket, pairs with the release in unlock() that served
		 * it.
		 */
		uint32_t old = atomic_fetch_add(&word_.val, TICKET_TAIL_INC);
		uint16_t ticket = tail_of(old);

		if (__builtin_expect(head_of(old) == ticket, 1))
			return;
		/*
		 * Acquire: pairs with the release store of head in the
		 * previous owner's unlock(), so we see its critical section.
		 */
		while (smp_load_acquire(&word_.head) != ticket)
			cpu_relax();
	}

	/*
	 * trylock - take a ticket only if it would be served at once:
	 * (h, h) -> (h, h + 1), or fail.
	 */
	__always_inline bool trylock()
	{
		uint32_t old = READ_ONCE(word_.val);

		if (head_of(old) != tail_of(old))
			return false;
		/* Acquire: pairs with unlock()'s release, as in lock(). */
		return cmpxchg_acquire(&word_.val, old,
				       old + TICKET_TAIL_INC) == old;
	}

	/*
	 * unlock - serve the next ticket: (h, t) -> (h + 1, t).
	 *
	 * Only the owner writes head, so a plain load and a release store
	 * suffice (no LOCK prefix).  Release: pairs with the next owner's
	 * acquire of head in lock(), or its cmpxchg_acquire in trylock().
	 */
	__always_inline void unlock()
	{
		uint16_t next = static_cast<uint16_t>(READ_ONCE(word_.head) + 1);

		smp_store_release(&word_.head, next);
	}

	__always_inline bool is_locked() const
	{
		uint32_t v = READ_ONCE(word_.val);

		return head_of(v) != tail_of(v);
	}

	/* is_contended - someone holds a ticket behind the owner's. */
	__always_inline bool is_contended() const
	{
		uint32_t v = READ_ONCE(word_.val);

		return static_cast<uint16_t>(tail_of(v) - head_of(v)) > 1;
	}

private:
	friend struct TicketLockTestAccess;

	static constexpr uint32_t TICKET_TAIL_INC = 1U << 16;

	static __always_inline uint16_t head_of(uint32_t v)
	{
		return static_cast<uint16_t>(v);
	}

	static __always_inline uint16_t tail_of(uint32_t v)
	{
		return static_cast<uint16_t>(v >> 16);
	}

	union Word {
		uint32_t val;
		struct {
			uint16_t head;	/* the ticket being served */
			uint16_t tail;	/* the next ticket to hand out */
		};

		constexpr Word() : val(0) {}
	};

	static_assert(sizeof(Word) == 4);
	static_assert(__builtin_offsetof(Word, head) == 0);
	static_assert(__builtin_offsetof(Word, tail) == 2);

	Word word_;
};

/* TicketLockTestAccess - the KUnit seam: read and preset the counters. */
struct TicketLockTestAccess {
	static __always_inline uint16_t head(const TicketLock &l)
	{
		return READ_ONCE(l.word_.head);
	}

	static __always_inline uint16_t tail(const TicketLock &l)
	{
		return READ_ONCE(l.word_.tail);
	}

	static __always_inline void set(TicketLock &l, uint16_t head,
					uint16_t tail)
	{
		WRITE_ONCE(l.word_.val,
			   (static_cast<uint32_t>(tail) << 16) | head);
	}

	/* Take a ticket as lock() does, without waiting for it. */
	static __always_inline uint16_t take_ticket(TicketLock &l)
	{
		uint32_t old = atomic_fetch_add(&l.word_.val,
						TicketLock::TICKET_TAIL_INC);

		return TicketLock::tail_of(old);
	}
};

} /* namespace pv */

#endif /* PVSYNC_TICKET_LOCK_HPP */
