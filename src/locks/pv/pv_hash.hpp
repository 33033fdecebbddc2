/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pv_hash.hpp - the paravirt queued spinlock's lock -> queue head table,
 * and the record of the failures its users detect.
 *
 * Why a table.  A queue head that halts must be found, and kicked, by
 * whoever unlocks.  The lock word has no room for a node pointer, so the
 * head stores (lock, node) in a global table before it publishes
 * _Q_SLOW_VAL in the locked byte; the unlocker that finds _Q_SLOW_VAL
 * looks the lock up, removes the entry and kicks node's CPU.
 *
 * Layout.  Open addressing over 16-byte entries, four to a 64-byte line
 * (a "bucket").  A lock hashes to the first entry of a bucket; an insert
 * probes forward from there, wrapping around the end of the table, and
 * claims the first free entry with one cmpxchg of its lock field, then
 * fills in the node.  The number of entries probed is added to the
 * pv_hash_hops event.  The default table has 4096 entries: at most one
 * entry per CPU per nesting level is live at once (a CPU halts at the
 * head of one lock per level), so 4 x the possible CPUs always fits, as in
 * the kernel; PvQSpinLock::init() refuses to run beyond 1024 CPU ids.
 *
 * Removal.  Only the unlocker that saw _Q_SLOW_VAL removes an entry, and
 * it removes the one whose lock field is its lock: the lock field is
 * written NULL after the node field was read.  An entry whose lock field
 * is another lock is never touched: that is the invariant the seed thread
 * (shared/seeds/002) is about, and its flawed head that clears "its" slot
 * after the slot was reused by a colliding lock is the mutant
 * PvFlawSeedUnhash (KUnit pvqspinlock/mutant_woken_head_unhashing_is_caught).
 *
 * The hash is a policy type, so the KUnit cases force collisions and
 * wrap-around on a tiny table with the very code production uses:
 *   struct H { static PvHashTable &table(); static uint32_t hash(
 *              const QSpinLockWord *lock, uint32_t bits); };
 * A policy may also have changed(const QSpinLockWord *lock), called
 * after an insert and after pv_hash_drop(): the scripted cases check
 * their invariants, and play other CPUs' steps, at those instants.  The
 * production policy has none (compiled out).
 *
 * Double entry.  An insert probes from the lock's bucket and its cmpxchg
 * returns each occupied entry's lock: one that is already this lock's is
 * a second entry for one lock (a double hash), recorded at no extra cost.
 * It is seen when the first entry lies before the first free one, as it
 * does while the bucket has not been emptied in between.
 *
 * Failures.  Where the kernel BUG()s (table full, entry missing, a
 * corrupted locked byte at unlock) and where a halted waiter is never
 * kicked (lost kick, pv_backend.hpp), pvsync records the failure in
 * pv_failure, WARNs once per run and carries on without halting: the run
 * then fails (stress::Result::failures), the machine keeps going.  The
 * record is global and reset at the start of each run; runs of the locks
 * experiment are serialised by its run mutex.
 */
#ifndef PVSYNC_PV_HASH_HPP
#define PVSYNC_PV_HASH_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/linkage.hpp"
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "locks/qspinlock_word.hpp"

namespace pv {

struct PvHashEntry {
	QSpinLockWord *lock;	/* NULL: free; claimed by cmpxchg */
	McsNode *node;		/* the halted (or halting) queue head */
};

static_assert(sizeof(PvHashEntry) == 16);

/* Entries per 64-byte line: a lock's probe starts at a line boundary. */
inline constexpr uint32_t PV_HE_PER_LINE = 64 / sizeof(PvHashEntry);

struct PvHashTable {
	PvHashEntry *entries;	/* 1 << bits of them, 64-byte aligned */
	uint32_t bits;
};

/* The production table: 4096 entries, static (src/locks/pv/pv_hash.cpp). */
inline constexpr uint32_t PV_HASH_BITS = 12;

namespace detail {
extern PvHashTable pv_lock_hash;
} /* namespace detail */

/* The default policy: the global table, a multiplicative hash. */
struct PvHashDefault {
	static __always_inline PvHashTable &table()
	{
		return detail::pv_lock_hash;
	}

	/* Fibonacci hashing: the top @bits bits of the address times 2^64/phi. */
	static __always_inline uint32_t hash(const QSpinLockWord *lock,
					     uint32_t bits)
	{
		uint64_t v = reinterpret_cast<uintptr_t>(lock);

		return static_cast<uint32_t>((v * 0x9e3779b97f4a7c15ULL) >>
					     (64 - bits));
	}
};

/* The failures pvsync records where the kernel would BUG or hang. */
enum class PvFailure : unsigned int {
	lost_kick,		/* a halted waiter was never kicked */
	hash_full,		/* no free entry for a halting head */
	unhash_missing,		/* _Q_SLOW_VAL but no entry for the lock */
	bad_unlock_val,		/* unlock found neither locked nor slow */
	double_entry,		/* an insert passed the lock's own entry */
	stale_entry,		/* an entry named the lock at destroy() */
	nr,
};

struct PvFailureRecord {
	uint32_t total;			/* any kind; atomic */
	uint32_t quiet;			/* expected (a KUnit mutant): no WARN */
	uint32_t count[static_cast<unsigned int>(PvFailure::nr)];
	const char *first;		/* the first one's description */
};

namespace detail {
extern PvFailureRecord pv_failure;
} /* namespace detail */

/*
 * pv_record_failure() - count @what; the first of a run WARNs (once per
 * module load, with a backtrace; later ones print a line).
 * Context: any, including hard irq.
 */
void pv_record_failure(PvFailure what);

/*
 * pv_failures_reset() - zero the record, at the start of a run.  @quiet:
 * the failures are expected (a KUnit case showing a mutant is caught):
 * log them instead of WARNing, so that the kernel is not tainted.
 */
void pv_failures_reset(bool quiet = false);

/*
 * PvRunSetting - a paravirt lock setting that a stress run chooses: set
 * (to at least 1) before the run starts, read by the run's threads after
 * the release of its "go", which orders the two (crew.hpp).  Marked
 * accesses: KUnit cases may read the default while no run is on.
 */
struct PvRunSetting {
	unsigned int value;

	__always_inline unsigned int get() const { return READ_ONCE(value); }
	__always_inline void set(unsigned int v)
	{
		WRITE_ONCE(value, v ? v : 1U);
	}
};

/*
 * The template values that mean "read the run-time setting": a lock's
 * SpinThreshold (the locks experiment's spin_threshold) and the emulated
 * backend's LostKickMs (its lost_kick_ms).
 */
inline constexpr unsigned int PvSpinTunable = 0;
inline constexpr unsigned int PvLostKickTunable = 0;

/* The lost-kick bound's default: a waiter halted 1 s without a kick. */
inline constexpr unsigned int pv_lost_kick_ms_default = 1000;

/* Spins before halting, for PvSpinTunable locks; the kernel's 1 << 15. */
extern PvRunSetting pv_spin_threshold;
/* The lost-kick bound in ms, for PvLostKickTunable emulated backends. */
extern PvRunSetting pv_lost_kick_ms;

/* pv_failures_total() - failures recorded since the last reset. */
static inline uint32_t pv_failures_total()
{
	return READ_ONCE(detail::pv_failure.total);
}

static inline uint32_t pv_failures(PvFailure what)
{
	return READ_ONCE(
		detail::pv_failure.count[static_cast<unsigned int>(what)]);
}

/* The first recorded failure's description, or nullptr. */
static inline const char *pv_failure_reason()
{
	return READ_ONCE(detail::pv_failure.first);
}

namespace detail {

/* Visit the entries @lock may occupy, from its bucket on, wrapping. */
template <typename H, typename Fn>
static __always_inline PvHashEntry *pv_for_each_entry(const QSpinLockWord *lock,
						      Fn fn)
{
	PvHashTable &t = H::table();
	uint32_t mask = (1U << t.bits) - 1;
	uint32_t start = H::hash(lock, t.bits) & mask & ~(PV_HE_PER_LINE - 1);

	for (uint32_t off = 0; off <= mask; off++) {
		PvHashEntry *he = &t.entries[(start + off) & mask];

		if (fn(he, off + 1))
			return he;
	}
	return nullptr;
}

} /* namespace detail */

/*
 * pv_hash() - insert (@lock, @node); return the entry, or nullptr (failure
 * recorded) when the table is full.  Precondition: preemption disabled.
 *
 * The cmpxchg claims the entry; the node is stored after it.  An unlocker
 * reads the node only after it saw _Q_SLOW_VAL, which the caller stores
 * after this returns (see PvQSpinLock), so it never reads a stale node.
 */
template <typename H>
static __always_inline PvHashEntry *pv_hash(QSpinLockWord *lock, McsNode *node)
{
	PvHashEntry *he = detail::pv_for_each_entry<H>(
		lock, [lock, node](PvHashEntry *e, uint32_t hops) {
			/* model: pvq.hash.claim */
			QSpinLockWord *old = cmpxchg(&e->lock,
				static_cast<QSpinLockWord *>(nullptr), lock);

			if (old == lock)
				pv_record_failure(PvFailure::double_entry);
			if (old != nullptr)
				return false;
			WRITE_ONCE(e->node, node);
			lockevent_add_cpu(this_cpu(), LockEvent::pv_hash_hops,
					  hops);
			return true;
		});

	if (!he)
		pv_record_failure(PvFailure::hash_full);
	else if constexpr (requires { H::changed(lock); })
		H::changed(lock);
	return he;
}

/*
 * pv_hash_drop() - free @lock's entry @he, which its inserter still owns:
 * the head whose xchg of S found the lock free, so no unlocker saw S.
 * An entry that no longer names @lock (only a mutant gets here with one)
 * is left alone.
 */
template <typename H>
static __always_inline void pv_hash_drop(PvHashEntry *he,
					 const QSpinLockWord *lock)
{
	if (!he || READ_ONCE(he->lock) != lock)
		return;
	WRITE_ONCE(he->lock, static_cast<QSpinLockWord *>(nullptr));
	if constexpr (requires { H::changed(lock); })
		H::changed(lock);
}

/*
 * pv_unhash() - remove @lock's entry and return its node, or nullptr
 * (failure recorded) when there is none.  Only entries whose lock field
 * is @lock are touched.
 *
 * The node is read before the entry is freed: once the lock field is
 * NULL, another head may claim the entry and overwrite the node.
 */
template <typename H>
static __always_inline McsNode *pv_unhash(QSpinLockWord *lock)
{
	McsNode *node = nullptr;
	PvHashEntry *he = detail::pv_for_each_entry<H>(
		lock, [lock, &node](PvHashEntry *e, uint32_t) {
			/* model: pvq.hash.remove */
			if (READ_ONCE(e->lock) != lock)
				return false;
			node = READ_ONCE(e->node);
			WRITE_ONCE(e->lock, static_cast<QSpinLockWord *>(nullptr));
			return true;
		});

	if (!he)
		pv_record_failure(PvFailure::unhash_missing);
	return he ? node : nullptr;
}

/* pv_hash_count() - how many entries name @lock (a test invariant: <= 1). */
template <typename H>
static __always_inline unsigned int pv_hash_count(const QSpinLockWord *lock)
{
	unsigned int n = 0;

	detail::pv_for_each_entry<H>(lock, [lock, &n](PvHashEntry *e, uint32_t) {
		if (READ_ONCE(e->lock) == lock)
			n++;
		return false;
	});
	return n;
}

/*
 * pv_hash_purge() - free every entry naming @lock, at the lock's destroy():
 * a broken variant may leave entries behind, and a later lock at the same
 * address must not find them.  Precondition: nobody uses @lock.
 */
template <typename H>
static __always_inline void pv_hash_purge(const QSpinLockWord *lock)
{
	detail::pv_for_each_entry<H>(lock, [lock](PvHashEntry *e, uint32_t) {
		if (READ_ONCE(e->lock) == lock)
			(void)cmpxchg(&e->lock, const_cast<QSpinLockWord *>(lock),
				      static_cast<QSpinLockWord *>(nullptr));
		return false;
	});
}

} /* namespace pv */

#endif /* PVSYNC_PV_HASH_HPP */
