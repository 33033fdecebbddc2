/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic.hpp - the Linux kernel memory model's primitives, in C++.
 *
 * Every name here is the kernel's, so that a reviewer can map pvsync code
 * onto kernel/locking/ line by line: READ_ONCE, WRITE_ONCE,
 * smp_load_acquire, smp_store_release, cmpxchg{,_acquire,_release,_relaxed},
 * xchg{,_acquire,_release,_relaxed}, atomic_fetch_or_acquire, smp_mb, ...
 *
 * x86-64 (TSO) is the only architecture pvsync targets, and each primitive
 * compiles to what the kernel emits there:
 *   - READ_ONCE/WRITE_ONCE: one volatile access, never torn or fused.
 *   - acquire loads and release stores: plain MOVs; the ordering is a
 *     compiler-only constraint because TSO already orders them.
 *   - every read-modify-write: a LOCK-prefixed instruction, a full barrier
 *     on x86 whatever ordering suffix the name carries.  The suffix still
 *     constrains the compiler, so code written against a weaker suffix
 *     stays correct in its intent.
 *   - smp_mb(): "lock addl $0,-4(%rsp)", as x86 Linux does, cheaper than
 *     MFENCE and a full barrier for ordinary (write-back) memory.
 *   - mb()/rmb()/wmb(): MFENCE/LFENCE/SFENCE, for the barrier-cost
 *     experiments that compare them.
 *
 * The read-modify-writes use the compiler's __atomic builtins on naturally
 * aligned 1-, 2-, 4- and 8-byte objects, which GCC always inlines; the build
 * rejects an object that would call libatomic (scripts/check-cxx-object).
 *
 * Under -fsanitize=thread (the user-space build, src/user/ and
 * Documentation/userspace.rst) the x86 forms would hide every ordering
 * from ThreadSanitizer, which sees neither inline asm nor TSO.  So there,
 * and only there, each primitive is the __atomic builtin with the ordering
 * its name says: READ_ONCE/WRITE_ONCE relaxed (the kernel memory model's
 * marked accesses, which KCSAN does not report either), acquire loads,
 * release stores, the suffix of every read-modify-write (no suffix: seq_cst),
 * smp_mb() and mb() seq_cst fences, smp_rmb()/rmb() acquire and
 * smp_wmb()/wmb() release fences, the bit operations __atomic_fetch_or/and
 * (seq_cst for test_and_*, relaxed for set_bit/clear_bit, which order
 * nothing in Linux).  TSan then judges the orderings by happens-before.
 * It does not model standalone fences (GCC says so with -Wtsan, silenced
 * here on purpose): what only a fence orders is not judged by TSan.
 * A kernel built with KCSAN compiles the module with -fsanitize=thread as
 * well, so it takes the same builtin forms; they become calls to KCSAN's
 * __tsan_atomic* runtime, and KCSAN sees pvsync's marked and atomic
 * accesses as such (the x86 forms' inline asm is invisible to it).  Every
 * other kernel build compiles exactly the x86 forms.
 *
 * Checked by the pvsync_harness KUnit suite (cmpxchg returns the old value
 * and stores only on a match, xchg, fetch ops, bit ops) and, for ordering,
 * by every lock stress run whose mutual-exclusion check fails when an
 * acquire or release here is weakened (the qspinlock mutants).
 */
#ifndef PVSYNC_ATOMIC_HPP
#define PVSYNC_ATOMIC_HPP

#include <stdint.h>

#ifdef __SANITIZE_THREAD__
#define PVSYNC_TSAN 1
/* Standalone fences are not modelled by TSan; that is documented above. */
#pragma GCC diagnostic ignored "-Wtsan"
#else
#define PVSYNC_TSAN 0
#endif

namespace pv {

/* A compiler barrier: no memory access moves across it. */
static inline void barrier()
{
	asm volatile("" ::: "memory");
}

/* The PAUSE hint for spin-wait loops; also a compiler barrier. */
static inline void cpu_relax()
{
	asm volatile("rep; nop" ::: "memory");
}

#if PVSYNC_TSAN

/* TSan: marked accesses are relaxed atomics (see the top of the file). */
template <typename T>
static inline T READ_ONCE(const T &x)
{
	static_assert(sizeof(T) <= 8, "READ_ONCE of a scalar");
	return __atomic_load_n(&x, __ATOMIC_RELAXED);
}

template <typename T, typename U>
static inline void WRITE_ONCE(T &x, U v)
{
	static_assert(sizeof(T) <= 8, "WRITE_ONCE of a scalar");
	__atomic_store_n(&x, static_cast<T>(v), __ATOMIC_RELAXED);
}

static inline void smp_mb()
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void smp_rmb()
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline void smp_wmb()
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void mb()
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void rmb()
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline void wmb()
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* A relaxed RMW followed or preceded by these is fully ordered. */
static inline void smp_mb__after_atomic()
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void smp_mb__before_atomic()
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#else /* !PVSYNC_TSAN: the kernel's x86 forms */

template <typename T>
static inline T READ_ONCE(const T &x)
{
	return *const_cast<const volatile T *>(&x);
}

template <typename T, typename U>
static inline void WRITE_ONCE(T &x, U v)
{
	*const_cast<volatile T *>(&x) = static_cast<T>(v);
}

/* Full barrier: orders all earlier loads and stores against later ones. */
static inline void smp_mb()
{
	asm volatile("lock addl $0,-4(%%rsp)" ::: "memory", "cc");
}

/* TSO keeps loads in order and stores in order: only the compiler can
 * reorder them, so these are compiler barriers, as on x86 Linux. */
static inline void smp_rmb()
{
	barrier();
}

static inline void smp_wmb()
{
	barrier();
}

/* Fences, for experiments that measure them (mb() and friends in Linux). */
static inline void mb()
{
	asm volatile("mfence" ::: "memory");
}

static inline void rmb()
{
	asm volatile("lfence" ::: "memory");
}

static inline void wmb()
{
	asm volatile("sfence" ::: "memory");
}

/* Orders a preceding atomic RMW before later accesses: the RMW is already
 * a full barrier on x86. */
static inline void smp_mb__after_atomic()
{
	barrier();
}

static inline void smp_mb__before_atomic()
{
	barrier();
}

#endif /* PVSYNC_TSAN */

template <typename T>
static inline T smp_load_acquire(const T *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

template <typename T, typename U>
static inline void smp_store_release(T *p, U v)
{
	__atomic_store_n(p, static_cast<T>(v), __ATOMIC_RELEASE);
}

namespace detail {

template <typename T>
static inline T cmpxchg_order(T *p, T old, T neu, int order)
{
	/*
	 * __atomic_compare_exchange_n wants compile-time orders; the switch
	 * folds away because every caller passes a constant.
	 */
	switch (order) {
	case __ATOMIC_ACQUIRE:
		__atomic_compare_exchange_n(p, &old, neu, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);
		break;
	case __ATOMIC_RELEASE:
		__atomic_compare_exchange_n(p, &old, neu, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
		break;
	case __ATOMIC_RELAXED:
		__atomic_compare_exchange_n(p, &old, neu, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_compare_exchange_n(p, &old, neu, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		break;
	}
	return old;
}

} /* namespace detail */

/*
 * cmpxchg(p, old, new): if *p == old, store new.  Returns what *p held, so
 * the exchange happened iff the result equals old.  Fully ordered.
 */
template <typename T, typename U, typename V>
static inline T cmpxchg(T *p, U old, V neu)
{
	return detail::cmpxchg_order<T>(p, static_cast<T>(old),
					static_cast<T>(neu), __ATOMIC_SEQ_CST);
}

template <typename T, typename U, typename V>
static inline T cmpxchg_acquire(T *p, U old, V neu)
{
	return detail::cmpxchg_order<T>(p, static_cast<T>(old),
					static_cast<T>(neu), __ATOMIC_ACQUIRE);
}

template <typename T, typename U, typename V>
static inline T cmpxchg_release(T *p, U old, V neu)
{
	return detail::cmpxchg_order<T>(p, static_cast<T>(old),
					static_cast<T>(neu), __ATOMIC_RELEASE);
}

template <typename T, typename U, typename V>
static inline T cmpxchg_relaxed(T *p, U old, V neu)
{
	return detail::cmpxchg_order<T>(p, static_cast<T>(old),
					static_cast<T>(neu), __ATOMIC_RELAXED);
}

/* The 64-bit form the posted-interrupt code names explicitly. */
static inline uint64_t cmpxchg64(uint64_t *p, uint64_t old, uint64_t neu)
{
	return cmpxchg(p, old, neu);
}

/*
 * try_cmpxchg(p, &old, new): on failure, *old is updated to what *p held,
 * so a retry loop reads the word once per iteration.
 */
template <typename T, typename U>
static inline bool try_cmpxchg(T *p, T *old, U neu)
{
	return __atomic_compare_exchange_n(p, old, static_cast<T>(neu), false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

template <typename T, typename U>
static inline bool try_cmpxchg_acquire(T *p, T *old, U neu)
{
	return __atomic_compare_exchange_n(p, old, static_cast<T>(neu), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);
}

template <typename T, typename U>
static inline bool try_cmpxchg_relaxed(T *p, T *old, U neu)
{
	return __atomic_compare_exchange_n(p, old, static_cast<T>(neu), false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

template <typename T, typename U>
static inline T xchg(T *p, U v)
{
	return __atomic_exchange_n(p, static_cast<T>(v), __ATOMIC_SEQ_CST);
}

template <typename T, typename U>
static inline T xchg_acquire(T *p, U v)
{
	return __atomic_exchange_n(p, static_cast<T>(v), __ATOMIC_ACQUIRE);
}

template <typename T, typename U>
static inline T xchg_release(T *p, U v)
{
	return __atomic_exchange_n(p, static_cast<T>(v), __ATOMIC_RELEASE);
}

template <typename T, typename U>
static inline T xchg_relaxed(T *p, U v)
{
	return __atomic_exchange_n(p, static_cast<T>(v), __ATOMIC_RELAXED);
}

template <typename T, typename U>
static inline T atomic_fetch_add(T *p, U v)
{
	return __atomic_fetch_add(p, static_cast<T>(v), __ATOMIC_SEQ_CST);
}

template <typename T, typename U>
static inline T atomic_fetch_add_relaxed(T *p, U v)
{
	return __atomic_fetch_add(p, static_cast<T>(v), __ATOMIC_RELAXED);
}

template <typename T, typename U>
static inline T atomic_fetch_or_acquire(T *p, U v)
{
	return __atomic_fetch_or(p, static_cast<T>(v), __ATOMIC_ACQUIRE);
}

template <typename T, typename U>
static inline void atomic_add(T *p, U v)
{
	__atomic_fetch_add(p, static_cast<T>(v), __ATOMIC_RELAXED);
}

template <typename T, typename U>
static inline void atomic_andnot(T *p, U v)
{
	__atomic_fetch_and(p, static_cast<T>(~static_cast<T>(v)),
			   __ATOMIC_RELAXED);
}

template <typename T, typename U>
static inline void atomic_or(T *p, U v)
{
	__atomic_fetch_or(p, static_cast<T>(v), __ATOMIC_RELAXED);
}

/*
 * Bit operations on 64-bit words, LOCK BTS/BTR as x86 Linux's
 * test_and_set_bit()/clear_bit(): atomic, and fully ordered for the
 * test_and_ forms.  @nr counts from bit 0 of p[0] upwards.
 */
#if PVSYNC_TSAN

static inline bool test_and_set_bit(unsigned long nr, uint64_t *p)
{
	uint64_t m = 1ULL << (nr % 64);

	return __atomic_fetch_or(&p[nr / 64], m, __ATOMIC_SEQ_CST) & m;
}

static inline bool test_and_clear_bit(unsigned long nr, uint64_t *p)
{
	uint64_t m = 1ULL << (nr % 64);

	return __atomic_fetch_and(&p[nr / 64], ~m, __ATOMIC_SEQ_CST) & m;
}

static inline void set_bit(unsigned long nr, uint64_t *p)
{
	__atomic_fetch_or(&p[nr / 64], 1ULL << (nr % 64), __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned long nr, uint64_t *p)
{
	__atomic_fetch_and(&p[nr / 64], ~(1ULL << (nr % 64)), __ATOMIC_RELAXED);
}

#else /* !PVSYNC_TSAN */

static inline bool test_and_set_bit(unsigned long nr, uint64_t *p)
{
	bool old;

	asm volatile("lock btsq %2, %1"
		     : "=@ccc"(old), "+m"(p[nr / 64])
		     : "Ir"(nr % 64)
		     : "memory");
	return old;
}

static inline bool test_and_clear_bit(unsigned long nr, uint64_t *p)
{
	bool old;

	asm volatile("lock btrq %2, %1"
		     : "=@ccc"(old), "+m"(p[nr / 64])
		     : "Ir"(nr % 64)
		     : "memory");
	return old;
}

static inline void set_bit(unsigned long nr, uint64_t *p)
{
	asm volatile("lock btsq %1, %0"
		     : "+m"(p[nr / 64])
		     : "Ir"(nr % 64)
		     : "memory");
}

static inline void clear_bit(unsigned long nr, uint64_t *p)
{
	asm volatile("lock btrq %1, %0"
		     : "+m"(p[nr / 64])
		     : "Ir"(nr % 64)
		     : "memory");
}

#endif /* PVSYNC_TSAN */

static inline bool test_bit(unsigned long nr, const uint64_t *p)
{
	return (READ_ONCE(p[nr / 64]) >> (nr % 64)) & 1;
}

/*
 * smp_cond_load_acquire(p, cond): spin until cond(VAL) holds for a value
 * loaded from *p, then return that value with acquire ordering (the load
 * that satisfied cond is the acquiring one).
 */
template <typename T, typename Cond>
static inline T smp_cond_load_acquire(const T *p, Cond cond)
{
	T v;

	for (;;) {
		v = smp_load_acquire(p);
		if (cond(v))
			return v;
		cpu_relax();
	}
}

template <typename T, typename Cond>
static inline T smp_cond_load_relaxed(const T *p, Cond cond)
{
	T v;

	for (;;) {
		v = READ_ONCE(*p);
		if (cond(v))
			return v;
		cpu_relax();
	}
}

/* The atomic_t spellings of the same waits. */
template <typename T, typename Cond>
static inline T atomic_cond_read_acquire(const T *p, Cond cond)
{
	return smp_cond_load_acquire(p, cond);
}

template <typename T, typename Cond>
static inline T atomic_cond_read_relaxed(const T *p, Cond cond)
{
	return smp_cond_load_relaxed(p, cond);
}

} /* namespace pv */

#endif /* PVSYNC_ATOMIC_HPP */
