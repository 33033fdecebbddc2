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
 *   unmask:   barrier(); mask = 0;
 *             if (pending) upcall;                       ; re-check
 *
 * The seed's unmask has no barrier between its store and its load; ours
 * has one (store_then_load()), because in C the compiler may load pending
 * first, and GCC does: the SeedExact flavour loses an event to an
 * interrupt injected after its hoisted load (sweep.cpp), and
 * scripts/check-unmask-order shows the compiled order.  Linux 6.1's
 * xen_irq_enable_direct (arch/x86/xen/xen-asm.S) is the same unmask in
 * assembly, with no fence: the deployed barrier-free precedent.
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
 * A remote writer
 * ---------------
 * In real Xen another CPU may set pending; Xen then kicks the hosting CPU
 * whatever the mask (kick_always below), and the kick's interrupt sees
 * the guest's own stores.  A writer that kicks only if it reads the mask
 * as 0 (kick_if_unmasked) meets the guest in the store-buffering pattern
 * and needs a full barrier on both sides; the Tso flavour models the
 * guest's store buffer for the scripted sweep (sweep.cpp).
 *
 * Guarantees, and what shows each
 * -------------------------------
 *   - no event is lost or handled twice: per port, raised == handled at
 *     the end of every stress run (src/upcall/experiment.cpp), and after
 *     every trial of the sweeps, which raise an event at every ordering
 *     point (sweep.cpp); "no_recheck", "seed_exact", "migrate" and the
 *     remote writer's kick_if_unmasked with a compiler barrier or LFENCE
 *     lose one ("lost event");
 *   - the handler never runs inside a masked section, nor inside itself:
 *     in_masked_section / in_handler markers, a plain counter that both
 *     the masked section and the handler update non-atomically
 *     (protected_lost), and the injected sweep's traps inside the
 *     section; barrier "none" breaks it ("handler ran masked");
 *   - nothing stays pending after an unmask: pending, the selector and
 *     the port words, checked by the guest right after every outermost
 *     restore or unmask, after every sweep trial, and at quiesce;
 *     "late_clear" breaks it ("pending left after unmask");
 *   - nested mask/restore pairs balance: KUnit pvsync_upcall;
 *   - every barrier kind (compiler, lfence, mfence, locked add) passes the
 *     same stress and sweeps; their costs are measured side by side, net
 *     of an empty loop, in every run (under TCG: the emulator's costs).
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
 * (its irqs and its guest code), except by the migrate mutant and the
 * remote writer.  The "plain" counters are written by one context at a
 * time by construction: raised by hypervisor irqs (which do not nest) or
 * the one remote writer, handled/handler_runs by the handler (which
 * masking keeps from nesting), sections/protected by the masked section.
 * A broken mask shows up as a miscount in them.
 */
struct alignas(64) Vcpu {
	VcpuInfo info;
	uint64_t evtchn_pending[port_words];
	unsigned int cpu;		/* the CPU this instance belongs to */
	unsigned int nr_ports;
	Rng rng;			/* hypervisor's port choice, irq only */
	void *pcp;			/* the run's per-CPU Vcpus, or nullptr */

	uint8_t in_masked_section;	/* guest: inside a masked section */
	uint8_t in_handler;		/* the upcall handler is running */

	/*
	 * The scripted store-buffering model (Tso flavour only): this CPU's
	 * mask store still in its store buffer, seen by this CPU (store
	 * forwarding, and its own interrupts) but not yet by another CPU.
	 */
	uint8_t sb_full, sb_mask;

	/* plain, one context each (see above) */
	uint64_t protected_count;	/* shared by masked section and handler */
	uint64_t guest_sections;	/* masked sections (protected updates) */
	uint64_t handler_runs;		/* handler entries (protected updates) */
	uint64_t raised_total, coalesced, deferred, delivered_direct;
	uint64_t delivered_forced, hv_irqs;
	uint64_t forced_elsewhere;	/* forced callback entered another
					 * CPU's hypervisor (migrate) */
	uint32_t raised[max_ports];	/* events that found the port clear */
	uint32_t handled[max_ports];	/* port bits the handler took */

	/* violations; atomic, any CPU may report them */
	uint32_t cpu_unstable;		/* sequence ran preemptible/elsewhere */
	uint32_t handler_in_masked;	/* handler inside a masked section */
	uint32_t handler_nested;	/* handler inside the handler */
	uint32_t handler_runaway;	/* scan loop hit its bound */
	uint32_t hv_wrong_cpu;		/* hypervisor ran on another CPU */
};

/*
 * Barrier policies: what sits at each ordering point of the sequences.
 * All but NoBarrier order this CPU's accesses against this CPU's irq
 * handler, which is all the same-CPU contract needs; the fences are what
 * NetBSD used.  @drains_store_buffer is the x86 TSO rule the scripted
 * remote-writer model applies (SDM vol. 3, 9.2.2: a load may pass an
 * earlier store to another location; MFENCE and LOCKed instructions
 * forbid that, LFENCE and a compiler barrier do not).
 */
struct NoBarrier {
	static constexpr const char *name = "none";
	static constexpr bool drains_store_buffer = false;
	static __always_inline void order() {}
};

struct CompilerBarrier {
	static constexpr const char *name = "compiler";
	static constexpr bool drains_store_buffer = false;
	static __always_inline void order() { barrier(); }
};

struct Lfence {
	static constexpr const char *name = "lfence";
	static constexpr bool drains_store_buffer = false;
	static __always_inline void order() { rmb(); }
};

struct Mfence {
	static constexpr const char *name = "mfence";
	static constexpr bool drains_store_buffer = true;
	static __always_inline void order() { mb(); }
};

struct LockedAdd {
	static constexpr const char *name = "locked_add";
	static constexpr bool drains_store_buffer = true;
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

/*
 * Flavours: the correct sequences and their mutants.
 *   recheck       restore/unmask look at pending after the unmask store
 *   volatile_acc  mask and pending through READ_ONCE/WRITE_ONCE; false is
 *                 the seed's plain C accesses
 *   store_load    a barrier between the unmask store and the pending
 *                 load; the seed's unmask has none
 *   early_clear   the handler clears pending before scanning
 *   tso           the scripted store-buffering model (remote writer)
 */
struct Correct {
	static constexpr bool recheck = true, volatile_acc = true;
	static constexpr bool store_load = true, early_clear = true;
	static constexpr bool tso = false;
};

struct NoRecheck : Correct {
	static constexpr bool recheck = false;
};

/* The seed's text exactly: plain accesses, __insn_barrier() where the
 * seed has one, and none between the unmask's store and load. */
struct SeedExact : Correct {
	static constexpr bool volatile_acc = false, store_load = false;
};

struct LateClear : Correct {
	static constexpr bool early_clear = false;
};

struct Tso : Correct {
	static constexpr bool tso = true;
};

/*
 * Hook points: where a scripted interleaving may run hypervisor or remote
 * code.  NoHook (every production and stress instance) compiles to
 * nothing; a hook does change the compiled code around it, which is why
 * the injection sweep uses data breakpoints instead (experiment.cpp).
 */
enum HookPoint : unsigned int {
	hp_mask_stored,		/* mask = 1 stored, before the barrier */
	hp_masked,		/* after the barrier: inside the section */
	hp_unmask_stored,	/* restore/unmask: mask stored, before B */
	hp_unmask_ordered,	/* after B, before the load of pending */
	hp_unmask_loaded,	/* pending loaded, before acting on it */
	hp_handler_cleared,	/* handler: pending cleared (or not yet) */
	hp_handler_scanned,	/* handler: selector and ports taken */
	nr_hook_points,
};

struct NoHook {
	static __always_inline void at(Vcpu *, HookPoint) {}
};

template <typename G>
static void upcall_handler(Vcpu *v);

/* The guest CPU's view of its own mask: a buffered store is forwarded. */
template <typename F>
static __always_inline uint8_t mask_seen_here(const Vcpu *v)
{
	if (F::tso && READ_ONCE(v->sb_full))
		return READ_ONCE(v->sb_mask);
	return READ_ONCE(v->info.evtchn_upcall_mask);
}

/* The store buffer drains: the buffered mask becomes visible to all. */
static __always_inline void tso_drain(Vcpu *v)
{
	if (READ_ONCE(v->sb_full)) {
		WRITE_ONCE(v->info.evtchn_upcall_mask, v->sb_mask);
		WRITE_ONCE(v->sb_full, 0);
	}
}

/*
 * The guest's sequences and its upcall handler, as policies:
 *   Barrier  what sits at each ordering point
 *   Check    the CPU-stability assertion, or nothing
 *   F        the flavour (correct, or a mutant)
 *   Hook     scripted code at the hook points, or nothing
 *
 * Precondition of every function: preemption (or irqs) disabled and @v is
 * this CPU's instance; @Check verifies it.
 *
 * Every member is __always_inline, and the handler, which must stay out of
 * line because it recurses through restore(), is a static function: no
 * out-of-line function with vague linkage (see linkage.hpp).
 */
template <typename Barrier, typename Check = AssertStable,
	  typename F = Correct, typename Hook = NoHook>
struct Guest {
	using barrier_type = Barrier;
	using flavour = F;
	using hook = Hook;

	static __always_inline uint8_t load_mask(Vcpu *v)
	{
		if (F::tso)
			return mask_seen_here<F>(v);
		if (F::volatile_acc)
			return READ_ONCE(v->info.evtchn_upcall_mask);
		return v->info.evtchn_upcall_mask;
	}

	static __always_inline void store_mask(Vcpu *v, uint8_t m)
	{
		if (F::tso) {
			/*
			 * Into the store buffer; another CPU sees it later.
			 * The buffer is a FIFO of depth one here: an older
			 * buffered store (mask = 1 before a long section)
			 * has become visible by the time of the next one.
			 */
			tso_drain(v);
			WRITE_ONCE(v->sb_mask, m);
			WRITE_ONCE(v->sb_full, 1);
		} else if (F::volatile_acc) {
			WRITE_ONCE(v->info.evtchn_upcall_mask, m);
		} else {
			v->info.evtchn_upcall_mask = m;
		}
	}

	static __always_inline uint8_t load_pending(Vcpu *v)
	{
		if (F::volatile_acc)
			return READ_ONCE(v->info.evtchn_upcall_pending);
		return v->info.evtchn_upcall_pending;
	}

	/* An ordering point: the barrier, and in the model its effect on
	 * the store buffer. */
	static __always_inline void order(Vcpu *v)
	{
		if (F::tso && Barrier::drains_store_buffer)
			tso_drain(v);
		Barrier::order();
	}

	/* Mask upcalls; returns the previous mask for restore(). */
	static __always_inline uint8_t mask(Vcpu *v)
	{
		Check::check(v);
		uint8_t old = load_mask(v);

		store_mask(v, 1);
		Hook::at(v, hp_mask_stored);
		/*
		 * The mask store comes before every access of the masked
		 * section, as this CPU's irq (the hypervisor) sees them: an
		 * irq that finds in_masked_section or protected data touched
		 * finds mask == 1 too.  Pairs with the hypervisor's load of
		 * the mask in deliver_if_due().
		 */
		order(v);
		Hook::at(v, hp_masked);
		return old;
	}

	/*
	 * Store @m as the new mask, then load pending: the unmask half of
	 * restore() and unmask().  The barrier before the store keeps the
	 * masked section before it; the one after it keeps the load of
	 * pending after the store.  The hypervisor sets pending and then
	 * reads the mask (hv_deliver(), or remote_raise() behind its full
	 * barrier), so either it saw the mask clear and delivered, or this
	 * load sees pending set.  Without the second barrier the compiler
	 * may hoist the load above the store (SeedExact; GCC does, see
	 * scripts/check-unmask-order), and an event raised between the two
	 * is lost.
	 */
	static __always_inline uint8_t store_then_load(Vcpu *v, uint8_t m)
	{
		order(v);
		store_mask(v, m);
		Hook::at(v, hp_unmask_stored);
		if (F::store_load)
			order(v);
		Hook::at(v, hp_unmask_ordered);
		uint8_t p = load_pending(v);

		Hook::at(v, hp_unmask_loaded);
		/* The model's store buffer drains some time later; the
		 * scripted run lets it drain here, as late as it can. */
		if (F::tso)
			tso_drain(v);
		return p;
	}

	/* Put the mask back to @old; deliver what came in meanwhile. */
	static __always_inline void restore(Vcpu *v, uint8_t old)
	{
		Check::check(v);
		uint8_t p = store_then_load(v, old);

		if (F::recheck && old == 0 && p)
			force_callback(v);
	}

	/* Unmask whatever the previous state; deliver what is pending. */
	static __always_inline void unmask(Vcpu *v)
	{
		Check::check(v);
		uint8_t p = store_then_load(v, 0);

		if (F::recheck && p)
			force_callback(v);
	}

	/*
	 * xen_force_evtchn_callback(): a hypercall, whose return path
	 * delivers a due upcall *for the vCPU running on this CPU*.  When
	 * @v belongs to another CPU (the migrate mutant) the hypercall
	 * enters this CPU's hypervisor, which knows nothing of @v's event.
	 */
	static __always_inline void force_callback(Vcpu *v)
	{
		unsigned int here = pvk_this_cpu();

		if (READ_ONCE(v->cpu) != here) {
			v->forced_elsewhere++;
			if (!v->pcp)
				return;
			v = static_cast<Vcpu *>(pvk_per_cpu_ptr(v->pcp, here));
		}
		if (deliver_if_due(v))
			v->delivered_forced++;
	}

	/* The hypervisor's return-to-guest check (this CPU only). */
	static __always_inline bool deliver_if_due(Vcpu *v)
	{
		/* Entering the hypervisor serialises: the model drains. */
		if (F::tso)
			tso_drain(v);
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

/* Take every port the selector names; count each one handled. */
static inline void scan_ports(Vcpu *v)
{
	/* pending_sel and the port words may be set by any CPU in real
	 * Xen: locked swaps, as Linux does. */
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
}

/*
 * The upcall handler of guest @G: entered unmasked with pending set, from
 * the hypervisor's delivery (hard irq) or a forced callback (task context,
 * preemption off, irqs on).
 */
template <typename G>
static void upcall_handler(Vcpu *v)
{
	using F = typename G::flavour;
	using H = typename G::hook;
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
		 * hypervisor irq, which sets the port and selector bits
		 * before pending (hv_raise()).  LateClear clears after the
		 * scan and wipes the pending of an event raised during it.
		 */
		if (F::early_clear)
			WRITE_ONCE(v->info.evtchn_upcall_pending, 0);
		H::at(v, hp_handler_cleared);
		G::barrier_type::order();
		scan_ports(v);
		H::at(v, hp_handler_scanned);
		/* The scan before the re-read (or the late clear) of
		 * pending. */
		G::barrier_type::order();
		if (!F::early_clear)
			WRITE_ONCE(v->info.evtchn_upcall_pending, 0);
		if (++rounds >= (1u << 16)) {
			atomic_add(&v->handler_runaway, 1);
			break;
		}
	} while (READ_ONCE(v->info.evtchn_upcall_pending));

	WRITE_ONCE(v->in_handler, 0);
	G::restore(v, old);
}

/* Anything left for the handler: pending, a selector bit or a port bit.
 * After an outermost unmask on the vCPU's own CPU this must be false. */
static inline bool events_left(const Vcpu *v)
{
	bool left = READ_ONCE(v->info.evtchn_upcall_pending) ||
		    READ_ONCE(v->info.evtchn_pending_sel);

	for (unsigned int w = 0; w < port_words; w++)
		left = left || READ_ONCE(v->evtchn_pending[w]);
	return left;
}

/* Only the port and selector words: what a late clear leaves behind. */
static inline bool ports_left(const Vcpu *v)
{
	bool left = READ_ONCE(v->info.evtchn_pending_sel) != 0;

	for (unsigned int w = 0; w < port_words; w++)
		left = left || READ_ONCE(v->evtchn_pending[w]);
	return left;
}

/*
 * Set @port's bit, its selector bit and pending.  Returns false when the
 * port was pending already (coalesced, as set_bit in Xen).
 */
static inline bool raise_bits(Vcpu *v, unsigned int port)
{
	unsigned int w = port / 64;

	if (test_and_set_bit(port, v->evtchn_pending)) {
		v->coalesced++;
		return false;
	}
	v->raised[port]++;
	v->raised_total++;
	set_bit(w, &v->info.evtchn_pending_sel);
	/* Port and selector bits are locked RMWs, already ordered before
	 * this store; the handler clears pending, then reads them. */
	WRITE_ONCE(v->info.evtchn_upcall_pending, 1);
	return true;
}

/*
 * The emulated hypervisor raising @port for @v's vCPU.  Hard-irq context
 * on @v's CPU (or irqs off there); call deliver() once after a batch.
 */
static inline void hv_raise(Vcpu *v, unsigned int port)
{
	raise_bits(v, port);
}

/* Kick policies of a hypervisor that raises from another CPU. */
enum KickPolicy : unsigned int {
	kick_always,		/* Xen's contract: kick whatever the mask */
	kick_if_unmasked,	/* kick only when the mask reads 0 */
	nr_kick_policies,
};

/*
 * The remote writer: another physical CPU raises @port for @v, then
 * decides whether to send the upcall IPI.  Returns true when it kicks.
 *
 * kick_always is Xen's evtchn_set_pending() -> vcpu_mark_events_pending():
 * pending 0 -> 1 kicks the hosting CPU whatever the mask, and the kick's
 * interrupt, on the guest's own CPU, sees the guest's own stores.  It
 * needs no barrier of its own beyond the locked bit operations that
 * publish the port before the IPI.
 *
 * kick_if_unmasked reads the mask instead.  Store (pending) then load
 * (mask) against the guest's store (mask) then load (pending): the store
 * buffering pattern, which needs a full barrier on *both* sides.  This
 * side's is the smp_mb() below; the guest's is its ordering point between
 * the unmask store and the pending load, which a compiler barrier or an
 * LFENCE does not provide.
 */
template <KickPolicy K>
static inline bool remote_raise(Vcpu *v, unsigned int port)
{
	if (!raise_bits(v, port))
		return false;
	if (K == kick_always)
		return true;
	/* Pending before the mask load; pairs with the guest's barrier
	 * between its unmask store and its pending load. */
	smp_mb();
	/* Another CPU's view: the memory, never the guest's store buffer. */
	return READ_ONCE(v->info.evtchn_upcall_mask) == 0;
}

/* The hypervisor's exit path: deliver the upcall now unless masked. */
template <typename G>
static inline void hv_deliver(Vcpu *v)
{
	if (G::flavour::tso)
		tso_drain(v);
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
