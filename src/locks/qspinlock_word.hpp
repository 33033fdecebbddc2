/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qspinlock_word.hpp - the 32-bit word of the queued spinlock, its two
 * layouts, and the helpers that change one field of it.
 *
 * The whole queued spinlock (src/locks/qspinlock.hpp) lives in one
 * 32-bit word, written in comments as the triple
 *
 *	(queue tail, pending, locked)
 *
 *   locked  a byte, non-zero while someone owns the lock.  A byte of its
 *           own so that unlock is a plain release store of 0 to it.
 *   pending set by the first waiter, which spins on the word itself instead
 *           of queueing: two CPUs never touch an MCS node.
 *   tail    (cpu + 1, idx) of the last MCS node queued: the CPU that queued
 *           and which of its four nesting-level nodes it used.  0 means "no
 *           queue", which is why the CPU is stored plus one.
 *
 * Two layouts, as in Linux, chosen by how many CPU numbers the tail must
 * hold (a layout is a policy type, the lock's template argument):
 *
 *   WordLayoutSmall (NR_CPUS < 16K)      WordLayoutLarge (NR_CPUS >= 16K)
 *    0- 7  locked byte                    0- 7  locked byte
 *    8-15  pending byte (bit 8 used)         8  pending bit
 *   16-17  tail idx                       9-10  tail idx
 *   18-31  tail cpu + 1                  11-31  tail cpu + 1
 *
 * With a whole pending byte and a 16-bit tail, the small layout can change
 * a field with an 8- or 16-bit store or exchange, leaving the others
 * untouched without a read-modify-write loop (the union QSpinLockWord
 * gives those sub-word views; x86 is little-endian, so byte 0 is bits 0-7).
 * The large layout packs the pending bit next to the tail, so its helpers
 * are atomic read-modify-writes of the whole word.  Each helper has the
 * same name and transition in both layouts, so the lock's code does not
 * change with the layout.
 *
 * The constants keep the kernel's names (_Q_LOCKED_VAL, _Q_TAIL_MASK...)
 * so that our code reads against kernel/locking/qspinlock.c line by line.
 * They are class members, not macros; no libc or libstdc++ header is in
 * scope to collide with those reserved-looking names.
 *
 * Guarantees, and what shows them:
 *   - every field of both layouts round-trips, the masks are disjoint and
 *     cover all 32 bits: the static_asserts below, and the qspinlock KUnit
 *     cases word_small_layout_encodes_fields and
 *     word_large_layout_encodes_fields;
 *   - encode_tail()/decode_tail_*() round-trip every (cpu, idx) the layout
 *     can hold: tail_round_trips_every_cpu_and_idx;
 *   - each helper makes exactly the transition its comment states:
 *     word_helpers_make_their_transitions.
 */
#ifndef PVSYNC_QSPINLOCK_WORD_HPP
#define PVSYNC_QSPINLOCK_WORD_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/linkage.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	      "the sub-word views assume the locked byte is byte 0");

namespace pv {

/*
 * The lock word and its sub-word views.  Only the small layout uses
 * pending, locked_pending and tail; both use val and locked.
 */
union QSpinLockWord {
	uint32_t val;
	struct {
		uint8_t locked;
		uint8_t pending;
	};
	struct {
		uint16_t locked_pending;
		uint16_t tail;
	};

	constexpr QSpinLockWord() : val(0) {}
};

static_assert(sizeof(QSpinLockWord) == 4, "one 32-bit word");
static_assert(__builtin_offsetof(QSpinLockWord, locked) == 0);
static_assert(__builtin_offsetof(QSpinLockWord, pending) == 1);
static_assert(__builtin_offsetof(QSpinLockWord, locked_pending) == 0);
static_assert(__builtin_offsetof(QSpinLockWord, tail) == 2);

namespace detail {

/*
 * The fields common to both layouts, derived from the pending field's
 * width exactly as the kernel derives them; the layouts add the helpers.
 */
template <uint32_t PendingBits>
struct QWordFields {
	static constexpr __always_inline uint32_t field_mask(uint32_t bits,
							     uint32_t offset)
	{
		return ((1U << bits) - 1) << offset;
	}

	static constexpr uint32_t _Q_LOCKED_OFFSET = 0;
	static constexpr uint32_t _Q_LOCKED_BITS = 8;
	static constexpr uint32_t _Q_LOCKED_MASK =
		field_mask(_Q_LOCKED_BITS, _Q_LOCKED_OFFSET);

	static constexpr uint32_t _Q_PENDING_OFFSET =
		_Q_LOCKED_OFFSET + _Q_LOCKED_BITS;
	static constexpr uint32_t _Q_PENDING_BITS = PendingBits;
	static constexpr uint32_t _Q_PENDING_MASK =
		field_mask(_Q_PENDING_BITS, _Q_PENDING_OFFSET);

	static constexpr uint32_t _Q_TAIL_IDX_OFFSET =
		_Q_PENDING_OFFSET + _Q_PENDING_BITS;
	static constexpr uint32_t _Q_TAIL_IDX_BITS = 2;
	static constexpr uint32_t _Q_TAIL_IDX_MASK =
		field_mask(_Q_TAIL_IDX_BITS, _Q_TAIL_IDX_OFFSET);

	static constexpr uint32_t _Q_TAIL_CPU_OFFSET =
		_Q_TAIL_IDX_OFFSET + _Q_TAIL_IDX_BITS;
	static constexpr uint32_t _Q_TAIL_CPU_BITS = 32 - _Q_TAIL_CPU_OFFSET;
	static constexpr uint32_t _Q_TAIL_CPU_MASK =
		field_mask(_Q_TAIL_CPU_BITS, _Q_TAIL_CPU_OFFSET);

	static constexpr uint32_t _Q_TAIL_OFFSET = _Q_TAIL_IDX_OFFSET;
	static constexpr uint32_t _Q_TAIL_MASK =
		_Q_TAIL_IDX_MASK | _Q_TAIL_CPU_MASK;

	static constexpr uint32_t _Q_LOCKED_VAL = 1U << _Q_LOCKED_OFFSET;
	static constexpr uint32_t _Q_PENDING_VAL = 1U << _Q_PENDING_OFFSET;
	static constexpr uint32_t _Q_LOCKED_PENDING_MASK =
		_Q_LOCKED_MASK | _Q_PENDING_MASK;

	/* Nesting levels a CPU can queue at: task, softirq, hardirq, NMI. */
	static constexpr uint32_t max_idx = 1U << _Q_TAIL_IDX_BITS;

	/*
	 * The layout holds CPU numbers below max_cpus (cpu + 1 must fit the
	 * tail's cpu field); the kernel's BUILD_BUG_ON on CONFIG_NR_CPUS.
	 */
	static constexpr uint32_t max_cpus = (1U << _Q_TAIL_CPU_BITS) - 1;

	/*
	 * The tail code of node @idx of @cpu.  The CPU is stored plus one so
	 * that (cpu 0, idx 0) differs from "no tail" (0).
	 */
	static constexpr __always_inline uint32_t encode_tail(uint32_t cpu,
							      uint32_t idx)
	{
		return ((cpu + 1) << _Q_TAIL_CPU_OFFSET) |
		       (idx << _Q_TAIL_IDX_OFFSET);
	}

	/* The CPU of a non-zero tail code (only the tail bits are read). */
	static constexpr __always_inline uint32_t decode_tail_cpu(uint32_t tail)
	{
		return ((tail & _Q_TAIL_CPU_MASK) >> _Q_TAIL_CPU_OFFSET) - 1;
	}

	static constexpr __always_inline uint32_t decode_tail_idx(uint32_t tail)
	{
		return (tail & _Q_TAIL_IDX_MASK) >> _Q_TAIL_IDX_OFFSET;
	}

	/*
	 * The word for the triple (@tail, @pending, @locked): @tail a code
	 * from encode_tail() or 0, @pending 0 or 1, @locked the byte value.
	 * For tests and comments: triple(0, 1, 1) is "0,1,1".
	 */
	static constexpr __always_inline uint32_t
	triple(uint32_t tail, uint32_t pending, uint32_t locked)
	{
		return (tail & _Q_TAIL_MASK) |
		       (pending ? _Q_PENDING_VAL : 0) |
		       ((locked << _Q_LOCKED_OFFSET) & _Q_LOCKED_MASK);
	}

	/*
	 * set_locked - take the lock when nobody else can: *,*,0 -> *,0,1
	 *
	 * Only the queue head calls it, after it saw (*,0,0); pending stays 0
	 * because a would-be pending waiter sees the tail and queues instead.
	 * A plain byte store in both layouts: the locked byte is byte 0.
	 */
	static __always_inline void set_locked(QSpinLockWord *w)
	{
		WRITE_ONCE(w->locked, _Q_LOCKED_VAL);
	}

	/*
	 * queued_fetch_set_pending_acquire - *,*,* -> *,1,*
	 *
	 * Returns the word as it was, with its pending bit as found.  As on
	 * x86 Linux this is LOCK BTS on the pending bit plus a reload of the
	 * other fields: a fetch_or whose result is used compiles to a
	 * cmpxchg loop.  The reload may see a later value than the BTS did;
	 * every such value is one the caller could also have met just after
	 * the BTS, so its decisions stay valid.
	 *
	 * Acquire: pairs with the owner's release of the locked byte, so that
	 * a caller that finds locked == 0 here owns the previous critical
	 * section's stores.  The BTS is a full barrier; the reload is an
	 * acquire load so that the compiler keeps later accesses after it.
	 */
	static __always_inline uint32_t
	queued_fetch_set_pending_acquire(QSpinLockWord *w)
	{
#if PVSYNC_TSAN
		/* TSan sees no asm: the fetch_or the name says (atomic.hpp). */
		return atomic_fetch_or_acquire(&w->val, _Q_PENDING_VAL);
#else
		bool was_pending;

		asm volatile("lock btsl %2, %1"
			     : "=@ccc"(was_pending), "+m"(w->val)
			     : "I"(_Q_PENDING_OFFSET)
			     : "memory");
		return (was_pending ? _Q_PENDING_VAL : 0) |
		       (smp_load_acquire(&w->val) & ~_Q_PENDING_MASK);
#endif
	}
};

} /* namespace detail */

/*
 * NR_CPUS < 16K: a pending byte and a 16-bit tail, changed by sub-word
 * stores and exchanges that leave the other fields alone.
 */
struct WordLayoutSmall : detail::QWordFields<8> {
	static constexpr const char qspinlock_name[] = "qspinlock";

	/*
	 * clear_pending - *,1,* -> *,0,*
	 *
	 * A byte store: the pending byte holds nothing else.
	 */
	static __always_inline void clear_pending(QSpinLockWord *w)
	{
		WRITE_ONCE(w->pending, 0);
	}

	/*
	 * clear_pending_set_locked - the pending waiter takes ownership:
	 * *,1,0 -> *,0,1
	 *
	 * One 16-bit store over locked and pending together.  Correct only
	 * because nobody else may set locked while pending is ours: lock
	 * stealing is impossible with this helper.
	 */
	static __always_inline void clear_pending_set_locked(QSpinLockWord *w)
	{
		WRITE_ONCE(w->locked_pending, _Q_LOCKED_VAL);
	}

	/*
	 * xchg_tail - publish our tail, return the previous one:
	 * p,*,* -> n,*,*
	 *
	 * A 16-bit exchange of the tail half-word.  Relaxed: the caller
	 * publishes the node's initialisation with smp_wmb() before it (see
	 * QSpinLock::slowpath), and the returned tail heads an address
	 * dependency to the previous node.
	 */
	static __always_inline uint32_t xchg_tail(QSpinLockWord *w,
						  uint32_t tail)
	{
		return static_cast<uint32_t>(
			       xchg_relaxed(&w->tail, tail >> _Q_TAIL_OFFSET))
		       << _Q_TAIL_OFFSET;
	}
};

/*
 * NR_CPUS >= 16K: one pending bit, the tail right above it; every helper
 * is an atomic read-modify-write of the whole word.
 */
struct WordLayoutLarge : detail::QWordFields<1> {
	static constexpr const char qspinlock_name[] = "qspinlock_large";

	/* clear_pending - *,1,* -> *,0,* */
	static __always_inline void clear_pending(QSpinLockWord *w)
	{
		atomic_andnot(&w->val, _Q_PENDING_VAL);
	}

	/*
	 * clear_pending_set_locked - *,1,0 -> *,0,1
	 *
	 * One atomic add: -pending +locked, leaving the tail alone.
	 */
	static __always_inline void clear_pending_set_locked(QSpinLockWord *w)
	{
		atomic_add(&w->val, _Q_LOCKED_VAL - _Q_PENDING_VAL);
	}

	/*
	 * xchg_tail - p,*,* -> n,*,*
	 *
	 * A cmpxchg loop that keeps locked and pending as they are.  Relaxed
	 * for the same reason as the small layout's exchange.
	 */
	static __always_inline uint32_t xchg_tail(QSpinLockWord *w,
						  uint32_t tail)
	{
		uint32_t old, val = READ_ONCE(w->val);

		for (;;) {
			old = cmpxchg_relaxed(&w->val, val,
					      (val & _Q_LOCKED_PENDING_MASK) |
						      tail);
			if (old == val)
				return old;
			val = old;
		}
	}
};

/* Pin both layouts bit for bit: a changed derivation fails to build. */
static_assert(WordLayoutSmall::_Q_LOCKED_MASK == 0x000000ffU);
static_assert(WordLayoutSmall::_Q_PENDING_MASK == 0x0000ff00U);
static_assert(WordLayoutSmall::_Q_TAIL_IDX_MASK == 0x00030000U);
static_assert(WordLayoutSmall::_Q_TAIL_CPU_MASK == 0xfffc0000U);
static_assert(WordLayoutSmall::_Q_TAIL_MASK == 0xffff0000U);
static_assert(WordLayoutSmall::_Q_TAIL_OFFSET == 16);
static_assert(WordLayoutSmall::_Q_TAIL_CPU_OFFSET == 18);
static_assert(WordLayoutSmall::_Q_LOCKED_VAL == 0x001U);
static_assert(WordLayoutSmall::_Q_PENDING_VAL == 0x100U);
static_assert(WordLayoutSmall::_Q_LOCKED_PENDING_MASK == 0x0000ffffU);
static_assert(WordLayoutSmall::max_cpus == 16383);

static_assert(WordLayoutLarge::_Q_LOCKED_MASK == 0x000000ffU);
static_assert(WordLayoutLarge::_Q_PENDING_MASK == 0x00000100U);
static_assert(WordLayoutLarge::_Q_TAIL_IDX_MASK == 0x00000600U);
static_assert(WordLayoutLarge::_Q_TAIL_CPU_MASK == 0xfffff800U);
static_assert(WordLayoutLarge::_Q_TAIL_MASK == 0xfffffe00U);
static_assert(WordLayoutLarge::_Q_TAIL_OFFSET == 9);
static_assert(WordLayoutLarge::_Q_TAIL_CPU_OFFSET == 11);
static_assert(WordLayoutLarge::_Q_LOCKED_VAL == 0x001U);
static_assert(WordLayoutLarge::_Q_PENDING_VAL == 0x100U);
static_assert(WordLayoutLarge::_Q_LOCKED_PENDING_MASK == 0x000001ffU);
static_assert(WordLayoutLarge::max_cpus == (1U << 21) - 1);

namespace detail {

/* The masks of a layout are disjoint and together cover the word. */
template <typename L>
constexpr bool fields_partition_word()
{
	constexpr uint32_t m[] = { L::_Q_LOCKED_MASK, L::_Q_PENDING_MASK,
				   L::_Q_TAIL_IDX_MASK, L::_Q_TAIL_CPU_MASK };
	uint32_t all = 0;

	for (uint32_t x : m) {
		if (all & x)
			return false;
		all |= x;
	}
	return all == 0xffffffffU;
}

/* encode_tail()/decode_tail_*() round-trip at the edges of the field. */
template <typename L>
constexpr bool tail_round_trips(uint32_t cpu, uint32_t idx)
{
	uint32_t tail = L::encode_tail(cpu, idx);

	return tail != 0 && (tail & ~L::_Q_TAIL_MASK) == 0 &&
	       L::decode_tail_cpu(tail) == cpu &&
	       L::decode_tail_idx(tail) == idx;
}

} /* namespace detail */

static_assert(detail::fields_partition_word<WordLayoutSmall>());
static_assert(detail::fields_partition_word<WordLayoutLarge>());
static_assert(detail::tail_round_trips<WordLayoutSmall>(0, 0));
static_assert(detail::tail_round_trips<WordLayoutSmall>(16382, 3));
static_assert(detail::tail_round_trips<WordLayoutLarge>(0, 0));
static_assert(detail::tail_round_trips<WordLayoutLarge>((1U << 21) - 2, 3));
/* The small layout's sub-word views line up with its fields. */
static_assert(WordLayoutSmall::_Q_PENDING_OFFSET ==
	      8 * __builtin_offsetof(QSpinLockWord, pending));
static_assert(WordLayoutSmall::_Q_TAIL_OFFSET ==
	      8 * __builtin_offsetof(QSpinLockWord, tail));

} /* namespace pv */

#endif /* PVSYNC_QSPINLOCK_WORD_HPP */
