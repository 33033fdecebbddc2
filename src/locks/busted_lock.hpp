/* SPDX-License-Identifier: GPL-2.0 */
/*
 * busted_lock.hpp - a lock that does not lock: the negative control.
 *
 * Like the kernel's locktorture "lock_busted" type, BustedLock has the lock
 * interface and none of its guarantees: lock() and unlock() are compiler
 * barriers and nothing else, trylock() always succeeds, and the lock never
 * reports itself held or contended.  A mutual-exclusion check that passes
 * with BustedLock cannot see a broken lock; the stress engine's check must
 * fail with it (the owner's "busted caught" cases).
 *
 * Guarantee: none, by design.  Its interface is checked by KUnit
 * qspinlock/busted_never_reports_locked.
 */
#ifndef PVSYNC_BUSTED_LOCK_HPP
#define PVSYNC_BUSTED_LOCK_HPP

#include "core/atomic.hpp"
#include "core/linkage.hpp"

namespace pv {

class BustedLock {
public:
	static constexpr const char name[] = "busted";

	constexpr BustedLock() = default;

	BustedLock(const BustedLock &) = delete;
	BustedLock &operator=(const BustedLock &) = delete;

	__always_inline bool init() { return true; }
	__always_inline void destroy() {}

	/* Keeps the compiler from moving the "critical section" out of the
	 * calls, so that what the stress engine sees is the hardware's
	 * doing, not the optimiser's.  Orders nothing between CPUs. */
	__always_inline void lock() { barrier(); }
	__always_inline bool trylock()
	{
		barrier();
		return true;
	}
	__always_inline void unlock() { barrier(); }
	__always_inline bool is_locked() const { return false; }
	__always_inline bool is_contended() const { return false; }
};

} /* namespace pv */

#endif /* PVSYNC_BUSTED_LOCK_HPP */
