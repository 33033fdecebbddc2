/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tas_lock.hpp - the test-and-set lock x86 Linux falls back to under a
 * hypervisor without paravirt spinlocks (virt_spin_lock() in
 * arch/x86/include/asm/qspinlock.h): the reference the paravirt lock is
 * measured against under overcommit.
 *
 * The idea.  One word, 0 free and 1 held.  A waiter spins reading the
 * word until it reads 0, then tries one cmpxchg 0 -> 1 (test and
 * test-and-set, so that waiters spin on a shared line without writing
 * it).  No queue, no order: whoever runs when the lock is freed takes it.
 *
 * What was traded away: fairness (a waiter may starve, and the lock line
 * bounces between all waiters on every release).  What was bought: a
 * preempted waiter holds nobody up, because there is no "next" waiter to
 * wait for; only a preempted holder stalls the lock.  That is why Linux
 * uses it under overcommit when it cannot halt waiters.
 *
 * Guarantees, and what shows them: mutual exclusion, acquire on lock and
 * release on unlock: the stress engine's checks, and ThreadSanitizer over
 * the stress in the user-space build (make ucheck).
 *
 * Preemption: the caller has preemption disabled, as for every lock kind.
 */
#ifndef PVSYNC_TAS_LOCK_HPP
#define PVSYNC_TAS_LOCK_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/linkage.hpp"

namespace pv {

class TasLock {
public:
	static constexpr const char name[] = "tas";

	constexpr TasLock() : val_(0) {}

	TasLock(const TasLock &) = delete;
	TasLock &operator=(const TasLock &) = delete;

	__always_inline bool init() { return true; }
	__always_inline void destroy() {}

	/* lock - 0 -> 1, spinning on reads while it is 1. */
	__always_inline void lock()
	{
		for (;;) {
			uint32_t v = READ_ONCE(val_);

			/*
			 * Acquire: pairs with the release store in unlock(),
			 * so this critical section sees the previous one.
			 */
			if (v == 0 && try_cmpxchg_acquire(&val_, &v, 1U))
				return;
			cpu_relax();
		}
	}

	__always_inline bool trylock()
	{
		uint32_t v = 0;

		/* Acquire: pairs with unlock()'s release, as in lock(). */
		return READ_ONCE(val_) == 0 &&
		       try_cmpxchg_acquire(&val_, &v, 1U);
	}

	/* unlock - 1 -> 0.  Release: pairs with the acquire in lock(). */
	__always_inline void unlock() { smp_store_release(&val_, 0U); }

	__always_inline bool is_locked() const { return READ_ONCE(val_) != 0; }

	/* Waiters leave no trace in the word. */
	__always_inline bool is_contended() const { return false; }

private:
	uint32_t val_;
};

} /* namespace pv */

#endif /* PVSYNC_TAS_LOCK_HPP */
