// SPDX-License-Identifier: GPL-2.0
/*
 * spinlock.c - the running kernel's own spinlock, for pvsync's C++
 * (see kapi.h and src/locks/kernel_spinlock.hpp), and the possible-CPU
 * test the per-CPU lock statistics need.
 *
 * The lock is a raw_spinlock_t, the object inside every spinlock_t of a
 * non-RT kernel (and still a spinning lock on PREEMPT_RT, where spinlock_t
 * sleeps).  It is driven through do_raw_spin_*(), which, unlike
 * spin_lock(), leave preemption to the caller: the stress engine disables
 * preemption around every lock kind in the same way.  Without
 * CONFIG_DEBUG_SPINLOCK those are the arch_spin_*() operations, that is the
 * kernel's queued_spin_lock() with its paravirt patching.  With it they are
 * out-of-line debug checks that modules cannot call, and the arch
 * operations are used directly.
 */
#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/paravirt.h>

#include <pvsync/kapi.h>

/* One lock per cache line, as the stress engine lays out its own locks. */
struct pvk_spinlock {
	raw_spinlock_t lock;
} ____cacheline_aligned;

struct pvk_spinlock *pvk_spinlock_create(void)
{
	struct pvk_spinlock *l = kzalloc(sizeof(*l), GFP_KERNEL);

	if (l)
		raw_spin_lock_init(&l->lock);
	return l;
}

void pvk_spinlock_destroy(struct pvk_spinlock *l)
{
	kfree(l);
}

#ifdef CONFIG_DEBUG_SPINLOCK
void pvk_spin_lock(struct pvk_spinlock *l)
	__acquires(&l->lock)
{
	arch_spin_lock(&l->lock.raw_lock);
}

bool pvk_spin_trylock(struct pvk_spinlock *l)
{
	return arch_spin_trylock(&l->lock.raw_lock);
}

void pvk_spin_unlock(struct pvk_spinlock *l)
	__releases(&l->lock)
{
	arch_spin_unlock(&l->lock.raw_lock);
}
#else
void pvk_spin_lock(struct pvk_spinlock *l)
	__acquires(&l->lock)
{
	do_raw_spin_lock(&l->lock);
}

bool pvk_spin_trylock(struct pvk_spinlock *l)
{
	return do_raw_spin_trylock(&l->lock);
}

void pvk_spin_unlock(struct pvk_spinlock *l)
	__releases(&l->lock)
{
	do_raw_spin_unlock(&l->lock);
}
#endif

void pvk_spin_call_nop(struct pvk_spinlock *l)
{
}

bool pvk_spin_is_locked(struct pvk_spinlock *l)
{
	return raw_spin_is_locked(&l->lock);
}

bool pvk_spin_is_contended(struct pvk_spinlock *l)
{
	return raw_spin_is_contended(&l->lock);
}

bool pvk_cpu_possible(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_possible(cpu);
}

const char *pvk_kernel_spinlock_impl(void)
{
#ifdef CONFIG_PARAVIRT_SPINLOCKS
	if (pv_ops.lock.queued_spin_lock_slowpath !=
	    native_queued_spin_lock_slowpath)
		return "paravirt qspinlock";
#endif
	if (boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return "test-and-set (virt_spin_lock)";
	return "native qspinlock";
}
