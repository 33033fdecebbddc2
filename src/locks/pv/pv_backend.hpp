/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pv_backend.hpp - how a paravirt queued spinlock waiter halts and how an
 * unlocker wakes it: the lock's Backend policy.
 *
 * The lock needs two operations, named as the kernel's:
 *
 *   wait(ptr, val, self)  pv_wait: halt this CPU, unless *ptr != val
 *                         already.  May return early (spuriously);
 *                         callers re-check and loop.  @self is the
 *                         waiter's queue node.
 *   kick(node)            pv_kick(node's CPU): wake the waiter of @node
 *                         from wait(), or make its next wait() return
 *                         at once if it has not halted yet.
 *
 * and, for the stress engine, available() (0 or -ENODEV with a reason)
 * and quiesce() (no kick still in flight; called at destroy()).
 *
 * Four backends, chosen per run:
 *
 *   PvBackendNative    wait spins once (cpu_relax) and returns; kick does
 *                      nothing.  The lock's own loops do the waiting: the
 *                      paravirt algorithm on bare metal.
 *
 *   PvBackendEmulated  a strict model of a hypervisor that wakes a halted
 *                      vCPU only for a kick.  The kicker stores a time
 *                      stamp in the target node's mailbox, then sends an
 *                      IPI (pvk_send_kick_ipi()).  The waiter disables
 *                      irqs, checks the mailbox, and if it is empty halts
 *                      with "sti; hlt" (pvk_safe_halt()): a kick that came
 *                      before the check is seen by the check, one that
 *                      comes after it wakes the hlt.  Woken with the
 *                      mailbox still empty (a timer tick, any other
 *                      interrupt), it counts pv_spurious_wakeup and halts
 *                      again.  With irqs disabled on entry (a waiter in
 *                      hard irq) it polls the mailbox instead of halting.
 *                      Under QEMU the hlt really gives the host CPU back.
 *                      A waiter left waiting past the bound (LostKickMs,
 *                      or with PvLostKickTunable the run-time setting
 *                      pv_lost_kick_ms, default 1 s) records a
 *                      lost kick (PvFailure::lost_kick) and returns; after
 *                      any recorded failure the backend no longer halts,
 *                      so a run with a lost kick ends, failed, on time.
 *
 *   PvBackendEmulated<ms, true>  ("emulated_spurious") the same
 *                      mailbox and bound, but wait() returns as kvm_wait
 *                      does: after the first wake-up of its hlt, kick or
 *                      any other interrupt (a timer tick, an IPI), and, at
 *                      random (1 call in 8, from the clock's low bits),
 *                      at once without halting, as when an interrupt is
 *                      already pending at entry.  The lock's loops must
 *                      then re-check and wait again: the paths where the
 *                      races of pv_wait_node()/pv_kick_node() and of the
 *                      seed thread live.  A lost kick is not caught here
 *                      (the waiter is woken anyway, as in a real guest);
 *                      the strict backend catches it.
 *
 *   PvBackendHost      the running kernel's pv_ops.lock.wait/kick: KVM or
 *                      Xen hypercalls in a paravirtualised guest;
 *                      available() is -ENODEV where the kernel's paravirt
 *                      spinlocks are not active.
 *
 * The mailbox (kick stamp, "waiting" flag) is per queue node, in the
 * node's spare words (mcs_node.hpp; PvNodeState below), not per CPU as a
 * hypervisor's: a waiter in an interrupt that polls for its own kick
 * must not take the kick meant for the task-level waiter it interrupted
 * in its hlt, which, strict, would then never wake.  The kernel's
 * callers tolerate that (any wake-up re-checks); a strict emulation
 * cannot, so it addresses the node.
 *
 * Events: pv_kick_wake and pv_latency_wake (ns from the kick's stamp to
 * the waiter running again), counted by the waiter; pv_latency_kick is
 * counted by the lock around kick().  The stamps are pvk_clock_ns()
 * (local_clock(): cheap and NMI-safe, as the kernel's sched_clock()
 * stamps of these events), not ktime_get_ns().  These counts are behind
 * a halt, so they do not follow the lock's Events policy.
 *
 * Checked by KUnit pvqspinlock/emulated_kick_wakes_halted_waiter (a
 * waiter on a second CPU halts and is kicked awake, latency recorded) and
 * emulated_lost_kick_is_recorded (no kick: the waiter returns after the
 * bound with the failure recorded); the stress mutant unlock_ignores_slow
 * fails through the same check.
 */
#ifndef PVSYNC_PV_BACKEND_HPP
#define PVSYNC_PV_BACKEND_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include <pvsync/kapi.h>
#include "core/linkage.hpp"
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "locks/pv/pv_hash.hpp"

namespace pv {

/* A queue node's paravirt state, in its McsNode's spare words. */
enum PvState : uint8_t {
	vcpu_running = 0,
	vcpu_halted = 1,
	vcpu_hashed = 2,	/* halted, and hashed on its behalf */
};

struct PvNodeState {
	uint8_t state;		/* PvState; the byte wait() watches */
	uint8_t pad[3];
	uint32_t cpu;		/* the CPU to kick */
	uint64_t kick_stamp;	/* ns of the pending kick; 0: none */
	uint32_t waiting;	/* in a halting wait(), for tests */
};

static __always_inline PvNodeState *pv_node(McsNode *node)
{
	return node_pv_state<PvNodeState>(node);
}

struct PvBackendNative {
	static constexpr const char name[] = "native";

	static __always_inline int available(char *, unsigned long) { return 0; }
	static __always_inline void quiesce() {}
	static __always_inline void wait(uint8_t *, uint8_t, McsNode *)
	{
		cpu_relax();
	}
	static __always_inline void kick(McsNode *) {}
};

namespace detail {

/*
 * The emulated backend's wait (see PvBackendEmulated): static, so each
 * object has its own copy and none has vague linkage (linkage.hpp).
 */
static __attribute__((noinline, unused)) void
pv_emulated_wait(uint8_t *ptr, uint8_t val, McsNode *self,
		 uint64_t lost_kick_ns, bool spurious)
{
	/* A waiter that interrupts could be taken in may halt. */
	bool can_halt = !pvk_irqs_disabled();
	IrqSaveGuard irqs_off;
	unsigned int cpu = this_cpu();
	PvNodeState *box = pv_node(self);
	uint64_t start, stamp;

	/* Already changed, or the run has failed: do not halt. */
	/* model: pvq.backend.wait */
	if (READ_ONCE(*ptr) != val || pv_failures_total())
		return;
	/* kvm_wait-like: an interrupt already pending, now and then. */
	if (spurious && !READ_ONCE(box->kick_stamp) &&
	    ((pvk_now_ns() >> 6) & 7) == 0) {
		lockevent_inc_cpu(cpu, LockEvent::pv_spurious_wakeup);
		return;
	}
	WRITE_ONCE(box->waiting, 1U);
	/*
	 * From here only a kick ends the wait (or the lost-kick bound):
	 * the count a run is driven by when it must see real halts
	 * (stress Config::min_halts).
	 */
	lockevent_inc_cpu(cpu, LockEvent::pv_halted);
	start = pvk_now_ns();
	for (;;) {
		/*
		 * Take the kick with irqs off: a kick stamped after this
		 * read sends an IPI that ends the hlt below, since the hlt
		 * begins with irqs still off until its "sti".  The xchg
		 * pairs with the xchg in PvBackendEmulated::kick().
		 */
		stamp = xchg(&box->kick_stamp, 0ULL);
		if (stamp) {
			/* The kicker's clock (another CPU's): clamp. */
			uint64_t now = pvk_clock_ns();

			lockevent_inc_cpu(cpu, LockEvent::pv_kick_wake);
			lockevent_add_cpu(cpu, LockEvent::pv_latency_wake,
					  now > stamp ? now - stamp : 0);
			break;
		}
		if (pvk_now_ns() - start > lost_kick_ns) {
			pv_record_failure(PvFailure::lost_kick);
			break;
		}
		if (can_halt) {
			pvk_safe_halt();
			/*
			 * Woken by anything but a kick: spurious; the strict
			 * backend halts again, the kvm_wait-like one returns.
			 */
			if (!READ_ONCE(box->kick_stamp)) {
				lockevent_inc_cpu(cpu,
						  LockEvent::pv_spurious_wakeup);
				if (spurious)
					break;
			}
		} else {
			cpu_relax();
			/* kvm_wait's halt with irqs off also ends early. */
			if (spurious)
				break;
		}
	}
	WRITE_ONCE(box->waiting, 0U);
}

} /* namespace detail */

template <unsigned int LostKickMs = PvLostKickTunable, bool Spurious = false>
struct PvBackendEmulated {
	static constexpr const char *name =
		Spurious ? "emulated_spurious" : "emulated";

	/* The bound: LostKickMs, or the run-time setting (pv_hash.hpp). */
	static __always_inline uint64_t lost_kick_ns()
	{
		if constexpr (LostKickMs != PvLostKickTunable)
			return LostKickMs * 1000000ULL;
		else
			return pv_lost_kick_ms.get() * 1000000ULL;
	}

	static __always_inline int available(char *, unsigned long) { return 0; }

	static __always_inline void quiesce()
	{
		if (!pvk_kick_ipis_idle(1000))
			pvk_log(PVK_LOG_WARNING, "kick IPI still in flight");
	}

	/*
	 * kick - stamp @node's mailbox, then interrupt its CPU.
	 *
	 * The xchg orders the stamp before the IPI is sent: the woken CPU's
	 * check after its hlt sees it.  Pairs with the xchg in wait().
	 */
	static __always_inline void kick(McsNode *node)
	{
		PvNodeState *pn = pv_node(node);

		/* model: pvq.backend.kick */
		xchg(&pn->kick_stamp, pvk_clock_ns() | 1);
		pvk_send_kick_ipi(READ_ONCE(pn->cpu));
	}

	/*
	 * wait - halt until kicked, unless *@ptr != @val on entry.
	 * Precondition: preemption disabled.
	 */
	static __always_inline void wait(uint8_t *ptr, uint8_t val,
					 McsNode *self)
	{
		detail::pv_emulated_wait(ptr, val, self, lost_kick_ns(),
					 Spurious);
	}
};

/* The kvm_wait-like emulation: wait() returns on any interrupt. */
using PvBackendEmulatedSpurious = PvBackendEmulated<PvLostKickTunable, true>;

struct PvBackendHost {
	static constexpr const char name[] = "host";

	static __always_inline int available(char *why, unsigned long size)
	{
		return pvk_host_pv_available(why, size);
	}

	static __always_inline void quiesce() {}

	static __always_inline void wait(uint8_t *ptr, uint8_t val, McsNode *)
	{
		pvk_host_pv_wait(ptr, val);
	}

	static __always_inline void kick(McsNode *node)
	{
		pvk_host_pv_kick(READ_ONCE(pv_node(node)->cpu));
	}
};

} /* namespace pv */

#endif /* PVSYNC_PV_BACKEND_HPP */
