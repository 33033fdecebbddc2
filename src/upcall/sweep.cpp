// SPDX-License-Identifier: GPL-2.0
/*
 * sweep.cpp - the deterministic halves of the upcall experiment: an event
 * raised at every ordering point of mask, restore and unmask, one point
 * per trial, and the checks after each trial.
 *
 * Two ways to stop the guest at a point:
 *
 *   scripted  the sequences are instantiated with ScriptHook, which runs
 *             code at every HookPoint (upcall.hpp).  Used for what is a
 *             matter of logic: the handler's clear (late_clear), the
 *             re-check (no_recheck), and the remote writer against the
 *             store-buffering model (Tso flavour), which stands in for
 *             the store buffering that QEMU TCG does not produce on
 *             demand.  A hook is a call, so it also orders the compiled
 *             code around it: a scripted sweep cannot see what the
 *             compiler does.
 *   injected  the sequences as they are compiled for production (NoHook),
 *             stopped by hardware data breakpoints (pvk_watch_start()) on
 *             the mask and pending bytes and on the masked section's
 *             datum: the trap comes after the instruction that touched
 *             them, exactly where an interrupt between two instructions
 *             lands.  This is what catches the compiler's reordering
 *             (barrier=none, seed_exact).
 *
 * A trial (one path, restore or unmask, one point k, with or without an
 * event raised while masked beforehand), with irqs off on one CPU:
 *
 *   old = mask(); section: protected_count++ (plain);
 *   [pre: hypervisor irq raises port 1: deferred]
 *   restore(old) | unmask();
 *   [the remote writer's kick, if it sent one, lands now]
 *
 * and at the k-th point the event (port 2) is raised: by this CPU's
 * hypervisor (raise, then deliver unless masked) or by the remote writer
 * (raise, then kick by policy).  Then the checks:
 *
 *   handler ran masked          the event was delivered at a point inside
 *                               the masked section
 *   pending left after unmask   pending clear but selector or port bits
 *                               set: nobody will ever deliver them
 *   lost event                  unmasked with pending set and no delivery
 *                               to come: the hypervisor left the event to
 *                               the guest's re-check, which missed it
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "upcall/experiment.hpp"
#include <pvsync/kapi.h>
#include "upcall/upcall.hpp"

namespace pv::upcall {

namespace {

constexpr unsigned int pre_port = 1, injected_port = 2;
constexpr unsigned int max_points = 256;

/* One trial's script; one sweep at a time uses it (the owner flag). */
struct Script {
	uint32_t owner;
	unsigned int k, calls;
	bool remote, kicked, fired, in_section;
	unsigned int kick;		/* KickPolicy */
	Vcpu *v;
	bool handler_masked;
};

Script script;

template <typename G>
void inject(Vcpu *v)
{
	Script *s = &script;

	s->fired = true;
	if (s->remote) {
		bool k = s->kick == kick_always ?
			remote_raise<kick_always>(v, injected_port) :
			remote_raise<kick_if_unmasked>(v, injected_port);

		s->kicked = s->kicked || k;
		return;
	}
	uint64_t before = v->delivered_direct;

	hv_raise(v, injected_port);
	hv_deliver<G>(v);
	if (s->in_section && !READ_ONCE(v->in_handler) &&
	    v->delivered_direct != before)
		s->handler_masked = true;
}

/* Points of a scripted trial: every hook call, counted. */
struct ScriptHook {
	static void at(Vcpu *v, HookPoint p);
};

/*
 * One trial's sequence: mask, the section, an optional event raised and
 * delivered while masked (@pre), then restore or unmask.  The scripted
 * sweep (MarkSection) tells its hook when the section runs; the injected
 * sweep runs exactly the production code, nothing between the accesses.
 */
template <typename G, bool MarkSection>
void trial_body(Vcpu *v, bool restore_path, bool pre)
{
	uint8_t old = G::mask(v);

	if constexpr (MarkSection)
		WRITE_ONCE(script.in_section, true);
	v->protected_count++;		/* the section: plain, as real code */
	if constexpr (MarkSection)
		WRITE_ONCE(script.in_section, false);
	if (pre) {
		hv_raise(v, pre_port);
		hv_deliver<G>(v);
	}
	if (restore_path)
		G::restore(v, old);
	else
		G::unmask(v);
}

/* After the sequence: the kick lands, then the checks. */
template <typename G>
void trial_check(Vcpu *v, SweepResult *res)
{
	Script *s = &script;

	/* kicked and handler_masked may be set in #DB: READ_ONCE. */
	if (READ_ONCE(s->kicked))
		hv_deliver<G>(v);	/* the IPI, on the guest's CPU */
	res->points++;
	if (READ_ONCE(s->handler_masked)) {
		res->handler_masked++;
	} else if (!READ_ONCE(v->info.evtchn_upcall_mask) &&
		   READ_ONCE(v->info.evtchn_upcall_pending)) {
		res->lost++;
	} else if (!READ_ONCE(v->info.evtchn_upcall_pending) &&
		   ports_left(v)) {
		res->ports_left++;
	} else {
		return;
	}
	if (!res->first_failure)
		res->first_failure = res->points;
}

void reset_vcpu(Vcpu *v)
{
	unsigned int cpu = pvk_this_cpu();

	for (unsigned int i = 0; i < sizeof(*v); i++)
		reinterpret_cast<volatile uint8_t *>(v)[i] = 0;
	vcpu_init(v, cpu, max_ports);
}

void reset_script(Vcpu *v, unsigned int k)
{
	Script *s = &script;

	s->k = k;
	s->calls = 0;
	s->kicked = false;
	s->fired = false;
	s->in_section = false;
	s->handler_masked = false;
	s->v = v;
}

/* The scripted sweep of guest G (G's hook is ScriptHook). */
template <typename G>
void scripted(Vcpu *v, SweepResult *res)
{
	for (int path = 0; path < 2; path++) {
		for (int pre = 0; pre < 2; pre++) {
			unsigned int n;

			{	/* a dry run counts the points */
				IrqSaveGuard irq;

				reset_vcpu(v);
				reset_script(v, 0);
				trial_body<G, true>(v, path, pre);
				n = script.calls;
			}
			if (n > max_points)
				n = max_points;
			for (unsigned int k = 1; k <= n; k++) {
				IrqSaveGuard irq;

				reset_vcpu(v);
				reset_script(v, k);
				trial_body<G, true>(v, path, pre);
				trial_check<G>(v, res);
			}
		}
	}
}

template <typename B, typename F>
using Scripted = Guest<B, NoAssert, F, ScriptHook>;

/*
 * The hook's injection needs the guest type; the sweep that runs sets
 * this pointer to its instance of inject<G>.
 */
void (*script_inject)(Vcpu *v);

void ScriptHook::at(Vcpu *v, HookPoint)
{
	Script *s = &script;

	if (s->v != v || s->fired)
		return;
	if (++s->calls == s->k)
		script_inject(v);
}

template <typename G>
void run_scripted(Vcpu *v, SweepResult *res)
{
	script_inject = inject<G>;
	scripted<G>(v, res);
}

template <typename B>
void scripted_for(unsigned int variant, bool remote, Vcpu *v,
		  SweepResult *res)
{
	if (remote) {
		run_scripted<Scripted<B, Tso>>(v, res);
		return;
	}
	switch (variant) {
	case variant_no_recheck:
		run_scripted<Scripted<B, NoRecheck>>(v, res);
		break;
	case variant_late_clear:
		run_scripted<Scripted<B, LateClear>>(v, res);
		break;
	case variant_seed_exact:
		run_scripted<Scripted<B, SeedExact>>(v, res);
		break;
	default:
		run_scripted<Scripted<B, Correct>>(v, res);
		break;
	}
}

/* Injected sweep --------------------------------------------------- */

struct Watch {
	uint32_t armed;
	unsigned int k, traps;
	bool fired, section_trap;
	void (*fire)(Vcpu *v);
	Vcpu *v;
};

Watch watch;

/*
 * The #DB callbacks count traps only while armed.  Everything the trial
 * set up is stored before arming, and the trial's accesses stay between
 * arming and disarming: the compiler must not move them across.
 */
void arm(Watch *w, uint32_t on)
{
	barrier();
	WRITE_ONCE(w->armed, on);
	barrier();
}

/* #DB, after an access to the mask or pending byte. */
void watch_info_hit(void *)
{
	Watch *w = &watch;

	if (!READ_ONCE(w->armed) || w->fired)
		return;
	if (++w->traps == w->k) {
		w->fired = true;
		script.in_section = false;
		w->fire(w->v);
	}
}

/* #DB, after an access to the masked section's datum. */
void watch_section_hit(void *)
{
	Watch *w = &watch;

	if (!READ_ONCE(w->armed) || w->fired)
		return;
	if (++w->traps == w->k) {
		w->fired = true;
		/* Inside the section, unless it is the handler's update. */
		script.in_section = !READ_ONCE(w->v->in_handler);
		w->fire(w->v);
	}
}

/*
 * perf throttles a breakpoint that traps more often than
 * perf_event_max_sample_rate allows per tick, and a throttled breakpoint
 * does not trap until the next tick.  Every trial starts after a sleep
 * that spans a tick, and a trial whose injection did not come is rerun.
 */
void quiet_tick()
{
	pvk_msleep_interruptible(5);
}

template <typename G>
void injected(Vcpu *v, SweepResult *res)
{
	Watch *w = &watch;

	script.remote = false;
	w->fire = inject<G>;
	w->v = v;
	for (int path = 0; path < 2; path++) {
		for (int pre = 0; pre < 2; pre++) {
			unsigned int n;

			quiet_tick();
			{	/* a dry run counts the traps */
				IrqSaveGuard irq;

				arm(w, 0);
				reset_vcpu(v);
				reset_script(v, 0);
				w->k = 0;
				w->traps = 0;
				w->fired = false;
				arm(w, 1);
				trial_body<G, false>(v, path, pre);
				arm(w, 0);
				/* Counted in #DB, behind the compiler's back. */
				n = READ_ONCE(w->traps);
			}
			if (!n) {
				res->err = -95;	/* -EOPNOTSUPP: no trap */
				return;
			}
			if (n > max_points)
				n = max_points;
			for (unsigned int k = 1; k <= n; k++) {
				unsigned int tries = 0;

				/* A trap that perf throttled never came: wait
				 * for the tick that unthrottles, and retry. */
				do {
					quiet_tick();
					IrqSaveGuard irq;

					arm(w, 0);
					reset_vcpu(v);
					reset_script(v, 0);
					/* no ScriptHook in these guests */
					script.fired = true;
					w->k = k;
					w->traps = 0;
					w->fired = false;
					arm(w, 1);
					trial_body<G, false>(v, path, pre);
					arm(w, 0);
				} while (!READ_ONCE(w->fired) && ++tries < 5);
				if (!READ_ONCE(w->fired)) {
					res->err = -11;	/* -EAGAIN */
					return;
				}
				trial_check<G>(v, res);
			}
		}
	}
}

template <typename B, typename F>
using Production = Guest<B, NoAssert, F>;

template <typename B>
void injected_for(unsigned int variant, Vcpu *v, SweepResult *res)
{
	switch (variant) {
	case variant_no_recheck:
		injected<Production<B, NoRecheck>>(v, res);
		break;
	case variant_late_clear:
		injected<Production<B, LateClear>>(v, res);
		break;
	case variant_seed_exact:
		injected<Production<B, SeedExact>>(v, res);
		break;
	default:
		injected<Production<B, Correct>>(v, res);
		break;
	}
}

template <typename Fn>
void for_barrier(unsigned int barrier, Fn fn)
{
	switch (barrier) {
	case barrier_none:
		fn(NoBarrier{});
		break;
	case barrier_compiler:
		fn(CompilerBarrier{});
		break;
	case barrier_lfence:
		fn(Lfence{});
		break;
	case barrier_mfence:
		fn(Mfence{});
		break;
	default:
		fn(LockedAdd{});
		break;
	}
}

bool claim()
{
	return cmpxchg(&script.owner, 0u, 1u) == 0;
}

void release()
{
	smp_store_release(&script.owner, 0u);	/* pairs with claim() */
}

} /* namespace */

int scripted_sweep(unsigned int barrier, unsigned int variant, bool remote,
		   unsigned int kick, SweepResult *res)
{
	auto *v = static_cast<Vcpu *>(pvk_zalloc(sizeof(Vcpu)));

	*res = SweepResult{};
	if (!v)
		return -12;
	if (!claim()) {
		pvk_free(v);
		return -16;	/* -EBUSY */
	}
	script.remote = remote;
	script.kick = kick;
	{
		PreemptGuard pg;

		for_barrier(barrier, [&](auto b) {
			scripted_for<decltype(b)>(variant, remote, v, res);
		});
	}
	script.v = nullptr;
	release();
	pvk_free(v);
	return 0;
}

int injected_sweep(unsigned int barrier, unsigned int variant,
		   SweepResult *res)
{
	auto *v = static_cast<Vcpu *>(pvk_zalloc(sizeof(Vcpu)));
	pvk_watch *wi, *ws;
	int err;

	*res = SweepResult{};
	if (!v)
		return -12;
	if (!claim()) {
		pvk_free(v);
		return -16;	/* -EBUSY */
	}
	/* pending and mask: the first two bytes of vcpu_info. */
	wi = pvk_watch_start(&v->info, 2, watch_info_hit, nullptr, &err);
	ws = wi ? pvk_watch_start(&v->protected_count, 8, watch_section_hit,
				  nullptr, &err) : nullptr;
	if (!wi || !ws) {
		res->err = err;
	} else {
		/* Each trial runs with irqs off on whichever CPU it is on,
		 * and sleeps in between (quiet_tick()). */
		for_barrier(barrier, [&](auto b) {
			injected_for<decltype(b)>(variant, v, res);
		});
	}
	pvk_watch_stop(ws);
	pvk_watch_stop(wi);
	script.v = nullptr;
	release();
	pvk_free(v);
	return 0;
}

} /* namespace pv::upcall */

/*
 * The unmask of each barrier kind and the seed's, out of line, for
 * scripts/check-unmask-order to read with objdump: the same template
 * instances as production (NoAssert, NoHook).
 */
extern "C" {

void pvsync_unmask_compiler(void *v)
{
	pv::upcall::Guest<pv::upcall::CompilerBarrier,
			  pv::upcall::NoAssert>::unmask(
		static_cast<pv::upcall::Vcpu *>(v));
}

void pvsync_unmask_lfence(void *v)
{
	pv::upcall::Guest<pv::upcall::Lfence, pv::upcall::NoAssert>::unmask(
		static_cast<pv::upcall::Vcpu *>(v));
}

void pvsync_unmask_mfence(void *v)
{
	pv::upcall::Guest<pv::upcall::Mfence, pv::upcall::NoAssert>::unmask(
		static_cast<pv::upcall::Vcpu *>(v));
}

void pvsync_unmask_locked_add(void *v)
{
	pv::upcall::Guest<pv::upcall::LockedAdd,
			  pv::upcall::NoAssert>::unmask(
		static_cast<pv::upcall::Vcpu *>(v));
}

void pvsync_unmask_seed_exact(void *v)
{
	pv::upcall::Guest<pv::upcall::CompilerBarrier, pv::upcall::NoAssert,
			  pv::upcall::SeedExact>::unmask(
		static_cast<pv::upcall::Vcpu *>(v));
}

} /* extern "C" */
