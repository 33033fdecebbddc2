/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pv_backend_futex.hpp - the paravirt lock's Backend in user space: a
 * futex is user space's halt and kick (pv_backend.hpp has the contract
 * and the kernel's three backends).
 *
 *   wait(ptr, val, self)  FUTEX_WAIT on the aligned 32-bit word holding
 *                         the byte *ptr (the node's state byte, or the
 *                         lock's locked byte), with the word's value as
 *                         read when the byte still held @val: the thread
 *                         sleeps in the kernel until woken, unless the
 *                         word changed meanwhile (-EAGAIN).  Any byte of
 *                         the word changing, and a signal, make it return
 *                         early, which the contract allows.
 *   kick(node)            FUTEX_WAKE on the word @node sleeps on, which
 *                         wait() records in the node (PvFutexNode).
 *
 * Why no kick is lost.  The lock kicks a node only after changing the
 * byte the node waits on: the unlock stores 0 over _Q_SLOW_VAL before
 * kicking the halted head, and pv_kick_node() turns a halted node's state
 * to hashed before the unlock kicks it.  wait() stores the word's address
 * in the node, then (full barrier) reads the word; kick() follows the
 * change of the byte with a full barrier (its xchg), then reads the
 * address.  So either wait() sees the byte changed and does not sleep, or
 * kick() sees the address and wakes it; and a wake that comes before the
 * FUTEX_WAIT finds the word changed, which the kernel checks atomically
 * with going to sleep.  The byte cannot come back to the value slept on
 * before that: only the sleeper itself, or a kick_node() for it, stores
 * those values.
 *
 * With more threads than host CPUs (ubench's overcommit rows) the sleep
 * gives the host CPU to another thread, as a halted vCPU gives its
 * physical CPU back.
 *
 * The futex is reached only through pvu_futex_wait()/pvu_futex_wake()
 * (include/pvsync/ukapi.h, src/user/futex.c): like every C++ file of
 * pvsync this header includes no system header.  User space only.
 *
 * Events: pv_kick_wake and pv_latency_wake (ns from the kick's stamp to
 * the waiter running again) when a wait ends with a kick pending, as the
 * emulated backend counts them.
 *
 * Checked by make ucheck: pvqspinlock_futex passes the stress at 2x
 * overcommit with halts and kick wake-ups counted, under ThreadSanitizer
 * too (src/user/, Documentation/userspace.rst).
 */
#ifndef PVSYNC_PV_BACKEND_FUTEX_HPP
#define PVSYNC_PV_BACKEND_FUTEX_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/linkage.hpp"
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "locks/pv/pv_backend.hpp"

namespace pv {

/* The node's paravirt state, then where its thread sleeps. */
struct PvFutexNode {
	PvNodeState pv;
	uint32_t *sleep_word;	/* the futex word of a wait in progress */
};

static __always_inline PvFutexNode *pv_futex_node(McsNode *node)
{
	return node_pv_state<PvFutexNode>(node);
}

struct PvBackendFutex {
	static constexpr const char name[] = "futex";

	static __always_inline int available(char *, unsigned long) { return 0; }
	static __always_inline void quiesce() {}

	/* wait - sleep on *@ptr's word unless *@ptr != @val; may return early. */
	static __always_inline void wait(uint8_t *ptr, uint8_t val,
					 McsNode *self)
	{
		uintptr_t a = reinterpret_cast<uintptr_t>(ptr);
		auto *word = reinterpret_cast<uint32_t *>(a & ~uintptr_t(3));
		unsigned int shift = (a & 3) * 8;
		PvFutexNode *box = pv_futex_node(self);
		unsigned int cpu = this_cpu();

		WRITE_ONCE(box->sleep_word, word);
		/*
		 * Publish where we sleep before reading the byte: pairs with
		 * the xchg in kick(), which follows the change of the byte.
		 */
		smp_mb();
		uint32_t w = READ_ONCE(*word);

		if (((w >> shift) & 0xff) == val &&
		    pvu_futex_wait(word, w) == 0) {
			/* Pairs with the xchg in kick(). */
			uint64_t stamp = xchg(&box->pv.kick_stamp, 0ULL);

			if (stamp) {
				uint64_t now = pvk_now_ns();

				lockevent_inc_cpu(cpu, LockEvent::pv_kick_wake);
				lockevent_add_cpu(cpu, LockEvent::pv_latency_wake,
						  now > stamp ? now - stamp : 0);
			}
		}
		WRITE_ONCE(box->sleep_word, static_cast<uint32_t *>(nullptr));
	}

	/*
	 * kick - wake @node's thread from wait().  The caller has changed
	 * the byte it waits on (see the top of the file).
	 */
	static __always_inline void kick(McsNode *node)
	{
		PvFutexNode *box = pv_futex_node(node);

		/*
		 * Full barrier: the caller's change of the byte before our
		 * read of sleep_word.  Pairs with smp_mb() in wait().
		 */
		xchg(&box->pv.kick_stamp, pvk_now_ns() | 1);
		uint32_t *word = READ_ONCE(box->sleep_word);

		/* Stale or shared words only cost a spurious wake-up. */
		if (word)
			pvu_futex_wake(word, 1 << 30);
	}
};

} /* namespace pv */

#endif /* PVSYNC_PV_BACKEND_FUTEX_HPP */
