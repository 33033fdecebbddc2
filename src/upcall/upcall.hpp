/* SPDX-License-Identifier: GPL-2.0 */
/*
 * upcall.hpp - Xen-style event-channel upcall masking with compiler
 * barriers only, and the emulated same-CPU hypervisor that checks it.
 *
 * The idea
 * --------
 * A Xen vCPU sees three fields of its vcpu_info:
 *
 *   evtchn_upcall_pending   Xen sets it when an event is due; the guest
 *                           clears it *before* scanning for work
 *   evtchn_upcall_mask      the guest's "interrupts off": while it is 1,
 *                           Xen leaves the upcall pending instead of
 *                           delivering it
 *   evtchn_pending_sel      one bit per word of the pending-port bitmap
 *
 * Xen's public header promises that the mask is only read by Xen on the
 * physical CPU that currently hosts the vCPU, and that the guest may
 * update pending and mask "without special synchronisation".  The only
 * observer that can interleave with a guest's mask/unmask is therefore
 * the guest's own CPU entering Xen: an interrupt or a hypercall.  A CPU
 * always sees its own stores in program order, so the orderings that
 * matter (mask store before the critical section, critical section before
 * the unmask store, unmask store before the load of pending) need only
 * the *compiler* not to reorder them: no LOCK prefix, no LFENCE/MFENCE.
 * The NetBSD proposal in ../shared/seeds/001_*.txt writes that as
 *
 *   (pending, mask) notation, this CPU only:
 *
 *   mask:     old = mask; mask = 1; barrier();
 *   restore:  barrier(); mask = old; barrier();
 *             if (old == 0 && pending) upcall;           ; re-check
 *   unmask:   barrier(); mask = 0; barrier();
 *             if (pending) upcall;                       ; re-check
 *
 * The re-check is what makes this lossless.  Xen sets pending and then
 * looks at mask; the guest stores mask and then looks at pending.  An
 * event that found the mask set (1,1) is seen by the guest's re-check
 * after (1,0); one that arrives after the guest's store of 0 finds (x,0)
 * and is delivered by Xen at once.  Both sides run on one CPU, so there
 * is no third interleaving.
 *
 * The same-CPU contract, and what it asks of the guest
 * -----------------------------------------------------
 * "This CPU" must stay this CPU from the load of the vcpu_info pointer to
 * the last access through it.  A task that migrates in between masks one
 * CPU and unmasks another, or clears a mask that the other CPU's code set:
 * no barrier repairs that.  Every sequence here therefore checks, through
 * its Check policy, that preemption is off and that the vcpu_info belongs
 * to the running CPU (AssertStable, used by every stress run and test).
 * A violation is counted, never BUG()ed.  NoAssert is the production
 * build's choice (as lockdep_assert_preemption_disabled() compiles away)
 * and is what the cost measurement uses.
 *
 * pending_sel and the pending-port bitmap are a different matter: in real
 * Xen any physical CPU may set them (a remote vCPU signalling a port), so
 * they keep the locked read-modify-writes that Linux uses for them
 * (xchg of pending_sel, test_and_set/clear of port bits).  The guest
 * writes evtchn_upcall_pending only to clear it, before a scan; a remote
 * setter racing with that clear has already set its port bit, which the
 * scan that follows finds, and Xen's kick is delivered on this CPU.
 *
 * The emulated hypervisor
 * -----------------------
 * Hypervisor code runs in hard-irq context on the vCPU's own CPU: a
 * pinned hrtimer, or an IPI sent by another CPU's guest thread.  It sets
 * port bits (counting only ports whose bit was clear: event channels
 * coalesce like set_bit), the pending_sel bits and pending, and then does
 * what Xen does on its way back to the guest: if pending && !mask, it
 * delivers the upcall.  Real Xen delivers on the exception-return path;
 * calling the handler from the irq function is our emulation of that
 * point.  A "forced callback" (Linux's xen_force_evtchn_callback(), a
 * dummy hypercall whose return path delivers) is emulated the same way:
 * deliver_if_due() on the calling CPU, here in task context with
 * preemption off and interrupts on, so that hypervisor irqs can land
 * inside the handler too.
 *
 * The handler masks, clears pending before scanning (as xen.h
 * prescribes), swaps pending_sel and each pending word to zero, counts
 * every port it takes, loops while pending was set again, and restores.
 *
 * Guarantees, and what shows each
 * -------------------------------
 *   - no event is lost or handled twice: per port, raised == handled at
 *     the end of every stress run (src/upcall/experiment.cpp); the mutant
 *     "no_recheck" (unmask without the re-check) leaves pending set under
 *     an unmasked CPU, seen as pending_after_unmask, and fails every run;
 *   - the handler never runs inside a masked section, nor inside itself:
 *     in_masked_section / in_handler markers, and a plain counter that
 *     both the masked section and the handler update non-atomically
 *     (protected_lost); the mutant "migrate" breaks these and the
 *     CPU-stability assertion;
 *   - nothing stays pending after an unmask: checked by the guest right
 *     after every outermost restore or unmask, and at quiesce;
 *   - nested mask/restore pairs balance: KUnit pvsync_upcall;
 *   - every barrier kind (compiler, lfence, mfence, locked add) passes the
 *     same stress; their costs are measured side by side in every run.
 */
#ifndef PVSYNC_UPCALL_HPP
#define PVSYNC_UPCALL_HPP

#include <stddef.h>
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include <pvsync/kapi.h>
#include "core/linkage.hpp"
#include "core/rng.hpp"

namespace pv::upcall {

/*
 * The start of Xen's struct vcpu_info on x86, field for field: the
 * sequences below touch exactly what the guest would.
 */
struct VcpuInfo {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad[6];
	uint64_t evtchn_pending_sel;
};
static_assert(offsetof(VcpuInfo, evtchn_upcall_pending) == 0);
static_assert(offsetof(VcpuInfo, evtchn_upcall_mask) == 1);
static_assert(offsetof(VcpuInfo, evtchn_pending_sel) == 8);

constexpr unsigned int port_words = 2;
constexpr unsigned int max_ports = 64 * port_words;

/*
 * One emulated vCPU: its vcpu_info, the pending-port bitmap (a slice of
 * shared_info in Xen; per vCPU here, because every port is bound to one
 * vCPU), and the bookkeeping the checks need.  Allocated per CPU.
 *
 * Who writes what: info and evtchn_pending are written by this CPU only
 * (its irqs and its guest code), except by the migrate mutant.  The
 * "plain" counters are written by one context at a time by construction:
 * raised by hypervisor irqs (which do not nest), handled/handler_runs by
 * the handler (which masking keeps from nesting), sections/protected by
 * the masked section.  A broken mask shows up as a miscount in them.
 */
struct alignas(64) Vcpu {
	VcpuInfo info;
	uint64_t evtchn_pending[port_words];
	unsigned int cpu;		/* the CPU this instance belongs to */
	unsigned int nr_ports;
	Rng rng;			/* hypervisor's port choice, irq only */

	uint8_t in_masked_section;	/* guest: inside a masked section */
	uint8_t in_handler;		/* the upcall handler is running */

	/* plain, one context each (see above) */
	uint64_t protected_count;	/* shared by masked section and handler */
	uint64_t guest_sections;	/* masked sections (protected updates) */
	uint64_t handler_runs;		/* handler entries (protected updates) */
	uint64_t raised_total, coalesced, deferred, delivered_direct;
	uint64_t delivered_forced, hv_irqs;
	uint32_t raised[max_ports];	/* events that found the port clear */
	uint32_t handled[max_ports];	/* port bits the handler took */

	/* violations; atomic, any CPU may report them */
	uint32_t cpu_unstable;		/* sequence ran preemptible/elsewhere */
	uint32_t handler_in_masked;	/* handler inside a masked section */
	uint32_t handler_nested;	/* handler inside the handler */
	uint32_t handler_runaway;	/* scan loop hit its bound */
	uint32_t hv_wrong_cpu;		/* hypervisor ran on another CPU */
};

/* Barrier policies: what sits at each ordering point of the sequences.
 * All of them order this CPU's accesses against this CPU's irq handler,
 * which is all the contract needs; the fences are what NetBSD used. */
struct CompilerBarrier {
	static constexpr const char *name = "compiler";
	static __always_inline void order() { barrier(); }
};

struct Lfence {
	static constexpr const char *name = "lfence";
	static __always_inline void order() { rmb(); }
};

struct Mfence {
	static constexpr const char *name = "mfence";
	static __always_inline void order() { mb(); }
};

struct LockedAdd {
	static constexpr const char *name = "locked_add";
	static __always_inline void order() { smp_mb(); }
};

/* Check policies: the CPU-stability assertion, or nothing. */
struct AssertStable {
	static __always_inline void check(Vcpu *v)
	{
		if (pvk_preemptible() || READ_ONCE(v->cpu) != pvk_this_cpu())
			atomic_add(&v->cpu_unstable, 1);
	}
};

struct NoAssert {
	static __always_inline void check(Vcpu *) {}
};

template <typename G>
static void upcall_handler(Vcpu *v);

/*
 * The guest's sequences and its upcall handler.  @Recheck false is the
 * lost-event mutant: the unmask does not look at pending.
 *
 * Precondition of every function: preemption (or irqs) disabled and @v is
 * this CPU's instance; @Check verifies it.
 *
 * Every member is __always_inline, and the handler, which must stay out of
 * line because it recurses through restore(), is a static function: no
 * out-of-line function with vague linkage (see linkage.hpp).
 */
template <typename Barrier, typename Check = AssertStable,
	  bool Recheck = true>
struct Guest {
	using barrier_type = Barrier;

	/* Mask upcalls; returns the previous mask for restore(). */
	static __always_inline uint8_t mask(Vcpu *v)
	{
		Check::check(v);
		uint8_t old = READ_ONCE(v->info.evtchn_upcall_mask);

		WRITE_ONCE(v->info.evtchn_upcall_mask, 1);
		/*
		 * The mask store comes before every access of the masked
		 * section, as this CPU's irq (the hypervisor) sees them: an
		 * irq that finds in_masked_section or protected data touched
		 * finds mask == 1 too.
		 */
		Barrier::order();
		return old;
	}

	/* Put the mask back to @old; deliver what came in meanwhile. */
	static __always_inline void restore(Vcpu *v, uint8_t old)
	{
		Check::check(v);
		/*
		 * The masked section's accesses come before the store that
		 * may unmask: this CPU's irq must not deliver while they are
		 * still to come.
		 */
		Barrier::order();
		WRITE_ONCE(v->info.evtchn_upcall_mask, old);
		/*
		 * The unmask store comes before the load of pending, as this
		 * CPU's irq sees them: the hypervisor sets pending and then
		 * reads mask, so either it saw mask == 0 and delivered, or we
		 * see pending == 1 here.
		 */
		Barrier::order();
		if (Recheck && old == 0 &&
		    READ_ONCE(v->info.evtchn_upcall_pending))
			force_callback(v);
	}

	/* Unmask whatever the previous state; deliver what is pending. */
	static __always_inline void unmask(Vcpu *v)
	{
		Check::check(v);
		/* As in restore(): the section before the unmask store. */
		Barrier::order();
		WRITE_ONCE(v->info.evtchn_upcall_mask, 0);
		/* As in restore(): the unmask store before the pending load. */
		Barrier::order();
		if (Recheck && READ_ONCE(v->info.evtchn_upcall_pending))
			force_callback(v);
	}

	/*
	 * xen_force_evtchn_callback(): enter the hypervisor, whose return
	 * path delivers a due upcall.  Emulated as a direct check.
	 */
	static __always_inline void force_callback(Vcpu *v)
	{
		if (deliver_if_due(v))
			v->delivered_forced++;
	}

	/* The hypervisor's return-to-guest check (this CPU only). */
	static __always_inline bool deliver_if_due(Vcpu *v)
	{
		if (!READ_ONCE(v->info.evtchn_upcall_pending) ||
		    READ_ONCE(v->info.evtchn_upcall_mask))
			return false;
		upcall(v);
		return true;
	}

	/* The upcall handler: entered unmasked, with pending set. */
	static __always_inline void upcall(Vcpu *v)
	{
		upcall_handler<Guest>(v);
	}
};

/*
 * The upcall handler of guest @G: entered unmasked with pending set, from
 * the hypervisor's delivery (hard irq) or a forced callback (task context,
 * preemption off, irqs on).
 */
template <typename G>
static void upcall_handler(Vcpu *v)
{
	uint8_t old = G::mask(v);

	if (READ_ONCE(v->in_handler))
		atomic_add(&v->handler_nested, 1);
	if (READ_ONCE(v->in_masked_section))
		atomic_add(&v->handler_in_masked, 1);
	WRITE_ONCE(v->in_handler, 1);
	v->handler_runs++;
	WRITE_ONCE(v->protected_count, READ_ONCE(v->protected_count) + 1);

	unsigned int rounds = 0;

	do {
		/*
		 * Clear pending before scanning: an event raised during the
		 * scan sets it again and is found by the loop test, never
		 * wiped by a late clear.  Same-CPU order against the
		 * hypervisor irq.
		 */
		WRITE_ONCE(v->info.evtchn_upcall_pending, 0);
		G::barrier_type::order();
		/* pending_sel and the port words may be set by any CPU in
		 * real Xen: locked swaps, as Linux does. */
		uint64_t sel = xchg(&v->info.evtchn_pending_sel, 0);

		while (sel) {
			unsigned int w = __builtin_ctzll(sel);
			uint64_t bits;

			sel &= sel - 1;
			if (w >= port_words)
				continue;
			bits = xchg(&v->evtchn_pending[w], 0);
			while (bits) {
				unsigned int b = __builtin_ctzll(bits);

				bits &= bits - 1;
				v->handled[w * 64 + b]++;
			}
		}
		/* The scan before the re-read of pending. */
		G::barrier_type::order();
		if (++rounds >= (1u << 16)) {
			atomic_add(&v->handler_runaway, 1);
			break;
		}
	} while (READ_ONCE(v->info.evtchn_upcall_pending));

	WRITE_ONCE(v->in_handler, 0);
	G::restore(v, old);
}

/*
 * The emulated hypervisor raising @port for @v's vCPU.  Hard-irq context
 * on @v's CPU (or irqs off there); call deliver() once after a batch.
 */
static inline void hv_raise(Vcpu *v, unsigned int port)
{
	unsigned int w = port / 64;

	if (test_and_set_bit(port, v->evtchn_pending)) {
		v->coalesced++;
		return;
	}
	v->raised[port]++;
	v->raised_total++;
	set_bit(w, &v->info.evtchn_pending_sel);
	/* Port and selector bits are locked RMWs, already ordered before
	 * this store; the handler clears pending, then reads them. */
	WRITE_ONCE(v->info.evtchn_upcall_pending, 1);
}

/* The hypervisor's exit path: deliver the upcall now unless masked. */
template <typename G>
static inline void hv_deliver(Vcpu *v)
{
	if (READ_ONCE(v->info.evtchn_upcall_pending) &&
	    READ_ONCE(v->info.evtchn_upcall_mask))
		v->deferred++;
	if (G::deliver_if_due(v))
		v->delivered_direct++;
}

/* One hypervisor interrupt: a burst of 1..@burst events, then delivery. */
template <typename G>
static inline void hv_irq(Vcpu *v, unsigned int burst)
{
	if (READ_ONCE(v->cpu) != pvk_this_cpu())
		atomic_add(&v->hv_wrong_cpu, 1);
	v->hv_irqs++;
	unsigned int n = 1 + v->rng.below(burst ? burst : 1);

	for (unsigned int i = 0; i < n; i++)
		hv_raise(v, v->rng.below(v->nr_ports));
	hv_deliver<G>(v);
}

/* Set @v up for @cpu with @nr_ports ports (1..max_ports). */
static inline void vcpu_init(Vcpu *v, unsigned int cpu, unsigned int nr_ports)
{
	v->cpu = cpu;
	v->nr_ports = nr_ports < 1 ? 1 : nr_ports > max_ports ? max_ports
							   : nr_ports;
	v->rng = Rng(Rng::seed_for(0x2545f4914f6cdd1dULL, cpu));
}

} /* namespace pv::upcall */

#endif /* PVSYNC_UPCALL_HPP */
