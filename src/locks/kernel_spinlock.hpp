/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel_spinlock.hpp - the running kernel's own spinlock behind pvsync's
 * lock interface: the reference every pvsync lock is compared with.
 *
 * The lock object is the kernel's (a raw_spinlock_t, the lock inside every
 * non-RT spinlock_t), allocated by the glue because C++ cannot know its
 * size: hence init() and destroy(), which the other lock kinds provide as
 * no-ops.  lock() and friends are the kernel's do_raw_spin_*(), i.e. its
 * arch_spin_*() operations: on x86 the queued spinlock with the running
 * kernel's paravirt patching (native, or the pv slow path under KVM/Xen).
 * They do not touch preemption (spin_lock() would): the caller disables
 * preemption for every lock kind alike.  Each operation is one call into
 * src/glue/spinlock.c.
 *
 * Guarantees: the kernel's.  Checked for the state it reports by KUnit
 * qspinlock/kernel_spinlock_reports_held_state, and for mutual exclusion
 * by the stress engine.
 *
 * Precondition for every method but init()/destroy(): init() succeeded.
 */
#ifndef PVSYNC_KERNEL_SPINLOCK_HPP
#define PVSYNC_KERNEL_SPINLOCK_HPP

#include <pvsync/kapi.h>
#include "core/linkage.hpp"

namespace pv {

class KernelSpinLock {
public:
	static constexpr const char name[] = "spinlock";

	constexpr KernelSpinLock() = default;

	KernelSpinLock(const KernelSpinLock &) = delete;
	KernelSpinLock &operator=(const KernelSpinLock &) = delete;

	/* Allocate the kernel's lock.  Process context, may sleep. */
	__always_inline bool init()
	{
		if (!lock_)
			lock_ = pvk_spinlock_create();
		return lock_ != nullptr;
	}

	/* Free it; the lock must be unlocked.  Safe without init(). */
	__always_inline void destroy()
	{
		pvk_spinlock_destroy(lock_);
		lock_ = nullptr;
	}

	/* Precondition: preemption disabled. */
	__always_inline void lock() { pvk_spin_lock(lock_); }
	__always_inline bool trylock() { return pvk_spin_trylock(lock_); }
	__always_inline void unlock() { pvk_spin_unlock(lock_); }
	__always_inline bool is_locked() const
	{
		return pvk_spin_is_locked(lock_);
	}
	__always_inline bool is_contended() const
	{
		return pvk_spin_is_contended(lock_);
	}

private:
	pvk_spinlock *lock_ = nullptr;
};

} /* namespace pv */

#endif /* PVSYNC_KERNEL_SPINLOCK_HPP */
