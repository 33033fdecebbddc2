/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lock_events.hpp - per-CPU counters of lock slow-path events, named as
 * Linux's lock events (kernel/locking/lock_events_list.h) so that a count
 * from pvsync and one from /sys/kernel/debug/lock_event_counts/ mean the
 * same thing.
 *
 * Each CPU counts in its own per-CPU array with one non-atomic increment:
 * a single add instruction on memory, so an interrupt on the same CPU
 * cannot split it, and only this CPU writes the array.  The caller has
 * preemption disabled so that "this CPU" stays true across the add.
 * Readers sum over the possible CPUs; a sum taken while CPUs count is a
 * snapshot, not a consistent cut, as in the kernel.
 *
 * Adding an event is one line in PVSYNC_LOCK_EVENT_LIST below: the enum
 * and the name table both expand from it.
 *
 * Counting is a compile-time policy of each lock, its Events template
 * parameter: EventsOn (the default: the stress engine, KUnit, make check)
 * counts and takes the latency stamps; EventsOff compiles both out of the
 * lock's paths, as the kernel does without CONFIG_LOCK_EVENT_COUNTS, and
 * is what the benchmark measures (the locks experiment's "events" choice).
 * Counts made behind a halt (the emulated backend's pv_halted,
 * pv_kick_wake, pv_latency_wake, its pv_spurious_wakeup, and pv_hash_hops
 * when a head hashes itself before halting) are not on a hot path and stay
 * on in both: pv_halted is what a run with min_halts is driven by.
 *
 * Checked by the qspinlock KUnit cases lockevents_count_per_cpu_and_reset
 * and events_policy_counts_or_compiles_out (EventsOff counts nothing),
 * and used as the observable of pending_set_by_second_waiter,
 * tail_set_by_queued_waiter, nested_slowpath_uses_next_node and
 * no_node_fallback_uses_trylock.
 */
#ifndef PVSYNC_LOCK_EVENTS_HPP
#define PVSYNC_LOCK_EVENTS_HPP

#include <stdint.h>

#include "core/cpu.hpp"
#include "core/linkage.hpp"
#include <pvsync/kapi.h>

/*
 * E(name): one event, counted by lockevent_inc(LockEvent::name).  Append
 * new events (the paravirt lock's pv_*) at the end: the queued spinlock
 * counts lock_use_node2..4 by offset from lock_use_node2.
 */
#define PVSYNC_LOCK_EVENT_LIST(E)                                          \
	E(lock_pending)    /* acquired through the pending bit          */ \
	E(lock_slowpath)   /* went to the MCS queue                     */ \
	E(lock_use_node2)  /* queued on a CPU's 2nd node (nested once)  */ \
	E(lock_use_node3)  /* ... 3rd node                              */ \
	E(lock_use_node4)  /* ... 4th node                              */ \
	E(lock_no_node)    /* all nodes busy: spun on trylock instead   */ \
	E(pv_hash_hops)    /* sum of entries probed per pv hash insert  */ \
	E(pv_kick_unlock)  /* vCPU kicks issued at unlock               */ \
	E(pv_kick_wake)    /* waits that ended by a kick                */ \
	E(pv_latency_kick) /* sum of ns spent in kick calls             */ \
	E(pv_latency_wake) /* sum of ns from kick to the waiter running */ \
	E(pv_lock_stealing) /* newcomer took the lock from the queue    */ \
	E(pv_spurious_wakeup) /* woken without the awaited change       */ \
	E(pv_wait_again)   /* queue head halted again after a wake-up   */ \
	E(pv_wait_early)   /* node halted early: predecessor not running */ \
	E(pv_wait_head)    /* halts at the queue head                   */ \
	E(pv_wait_node)    /* halts at a non-head queue node            */ \
	E(pv_halted)       /* waits that found nothing changed and
			      waited for a kick (emulated backend)      */

namespace pv {

#define PVSYNC_LOCK_EVENT_ENUM(name) name,
enum class LockEvent : unsigned int {
	PVSYNC_LOCK_EVENT_LIST(PVSYNC_LOCK_EVENT_ENUM)
};
#undef PVSYNC_LOCK_EVENT_ENUM

#define PVSYNC_LOCK_EVENT_NAME(name) #name,
inline constexpr const char *lockevent_names[] = {
	PVSYNC_LOCK_EVENT_LIST(PVSYNC_LOCK_EVENT_NAME)
};
#undef PVSYNC_LOCK_EVENT_NAME

/* How many events there are. */
inline constexpr unsigned int lockevent_num =
	sizeof(lockevent_names) / sizeof(lockevent_names[0]);

static inline const char *lockevent_name(LockEvent ev)
{
	return lockevent_names[static_cast<unsigned int>(ev)];
}

namespace detail {
/* Indexed by CPU: that CPU's lockevent_num counters; NULL if impossible. */
extern unsigned long **lockevent_base;
} /* namespace detail */

/**
 * lockevents_init() - allocate zeroed counters for every possible CPU.
 *
 * Context: process context (module init), may sleep.
 * Return: true on success.
 */
bool lockevents_init();

/* lockevents_exit() - free the counters; safe after a failed or no init. */
void lockevents_exit();

/* True between a successful lockevents_init() and lockevents_exit(). */
static inline bool lockevents_ready()
{
	return detail::lockevent_base != nullptr;
}

/*
 * lockevent_inc_cpu() - count @ev on @cpu, which must be the calling CPU
 * (one already looked up by a caller that needs it anyway).
 * Precondition: preemption disabled.
 */
static inline void lockevent_inc_cpu(unsigned int cpu, LockEvent ev)
{
	unsigned long **base = detail::lockevent_base;

	if (!base)
		return;
	/* One ADD on memory, not LOCKed: only this CPU writes its counter,
	 * and an interrupt cannot fall between the load and the store. */
	asm volatile("addq $1, %0"
		     : "+m"(base[cpu][static_cast<unsigned int>(ev)]));
}

/*
 * lockevent_add_cpu() - add @n to @ev on @cpu, the calling CPU (sums of
 * nanoseconds or hops).  Precondition: preemption disabled.
 */
static inline void lockevent_add_cpu(unsigned int cpu, LockEvent ev,
				     unsigned long n)
{
	unsigned long **base = detail::lockevent_base;

	if (!base)
		return;
	/* One ADD on memory, as in lockevent_inc_cpu(). */
	asm volatile("addq %1, %0"
		     : "+m"(base[cpu][static_cast<unsigned int>(ev)])
		     : "er"(n));
}

/* lockevent_inc() - count @ev on this CPU.  Precondition: preemption
 * disabled. */
static inline void lockevent_inc(LockEvent ev)
{
	lockevent_inc_cpu(this_cpu(), ev);
}

/* lockevent_cond_inc() - count @ev on this CPU when @cond holds. */
static inline void lockevent_cond_inc(LockEvent ev, bool cond)
{
	if (cond)
		lockevent_inc(ev);
}

/*
 * EventsOn - the Events policy that counts: each call is the lockevent_*()
 * function of the same name, and stamp_ns() is the cheap, NMI-safe clock
 * (pvk_clock_ns(): local_clock(), which the kernel's pv lock event
 * latencies use as sched_clock()).
 */
struct EventsOn {
	static constexpr bool enabled = true;

	static __always_inline void inc(LockEvent ev) { lockevent_inc(ev); }
	static __always_inline void inc_cpu(unsigned int cpu, LockEvent ev)
	{
		lockevent_inc_cpu(cpu, ev);
	}
	static __always_inline void add_cpu(unsigned int cpu, LockEvent ev,
					    unsigned long n)
	{
		lockevent_add_cpu(cpu, ev, n);
	}
	static __always_inline void cond_inc(LockEvent ev, bool cond)
	{
		lockevent_cond_inc(ev, cond);
	}
	static __always_inline uint64_t stamp_ns() { return pvk_clock_ns(); }
};

/* EventsOff - counts nothing, reads no clock: every call compiles away. */
struct EventsOff {
	static constexpr bool enabled = false;

	static __always_inline void inc(LockEvent) {}
	static __always_inline void inc_cpu(unsigned int, LockEvent) {}
	static __always_inline void add_cpu(unsigned int, LockEvent,
					    unsigned long) {}
	static __always_inline void cond_inc(LockEvent, bool) {}
	static __always_inline uint64_t stamp_ns() { return 0; }
};

/* lockevent_read() - @ev's count on @cpu (0 for an impossible CPU). */
unsigned long lockevent_read(LockEvent ev, unsigned int cpu);

/* lockevent_sum() - @ev's count summed over every possible CPU. */
unsigned long lockevent_sum(LockEvent ev);

/*
 * lockevents_reset() - zero every counter of every CPU.  Counts made while
 * it runs may survive it or be lost.
 */
void lockevents_reset();

class TextBuf;

/* lockevents_print() - one "name: sum" line per event, in list order. */
void lockevents_print(TextBuf &text);

} /* namespace pv */

#endif /* PVSYNC_LOCK_EVENTS_HPP */
