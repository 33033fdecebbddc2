// SPDX-License-Identifier: GPL-2.0
/*
 * cases.cpp - suite pvsync_upcall: the masking sequences of
 * upcall.hpp, first step by step against a hypervisor interrupt emulated at
 * a chosen point, then under stress with every barrier kind, and the two
 * mutants, which must fail.
 *
 * The step-by-step cases run on one CPU with preemption off; an "irq" is
 * hv_raise() + hv_deliver() with interrupts off, which is what the
 * hypervisor's interrupt does at that point of the guest's code.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "upcall/experiment.hpp"
#include <pvsync/kapi.h>
#include "core/test.hpp"
#include "upcall/upcall.hpp"

using namespace pv;
using namespace pv::upcall;

namespace {

using G = Guest<CompilerBarrier>;
using NoRecheck = Guest<CompilerBarrier, AssertStable, false>;

/* A zeroed vCPU; bind it to the CPU with vcpu_here() under a guard. */
Vcpu *new_vcpu()
{
	return static_cast<Vcpu *>(pvk_zalloc(sizeof(Vcpu)));
}

void vcpu_here(Vcpu *v)
{
	vcpu_init(v, pvk_this_cpu(), max_ports);
}

/* The hypervisor interrupts the guest here and raises @port. */
template <typename Gx = G>
void irq_raise(Vcpu *v, unsigned int port)
{
	IrqSaveGuard irq;

	hv_raise(v, port);
	hv_deliver<Gx>(v);
}

uint8_t mask_of(const Vcpu *v)
{
	return READ_ONCE(v->info.evtchn_upcall_mask);
}

uint8_t pending_of(const Vcpu *v)
{
	return READ_ONCE(v->info.evtchn_upcall_pending);
}

} /* namespace */

PV_CASE(upcall, event_while_unmasked_is_delivered_at_once)
{
	Vcpu *v = new_vcpu();

	PV_ASSERT(t, v != nullptr);
	{
		PreemptGuard pg;

		vcpu_here(v);
		irq_raise(v, 7);
		PV_EXPECT_EQ(t, v->handled[7], 1u);
		PV_EXPECT_EQ(t, v->delivered_direct, 1u);
		PV_EXPECT_EQ(t, pending_of(v), 0);
		PV_EXPECT_EQ(t, v->info.evtchn_pending_sel, 0u);
		PV_EXPECT_EQ(t, mask_of(v), 0);	/* the handler restored it */
		PV_EXPECT_EQ(t, v->cpu_unstable, 0u);
	}
	pvk_free(v);
}

PV_CASE(upcall, mask_restore_delivers_event_raised_while_masked)
{
	Vcpu *v = new_vcpu();

	PV_ASSERT(t, v != nullptr);
	{
		PreemptGuard pg;

		vcpu_here(v);
		uint8_t old = G::mask(v);

		PV_EXPECT_EQ(t, old, 0);
		irq_raise(v, 70);	/* second word: pending_sel bit 1 */
		PV_EXPECT_EQ(t, v->handled[70], 0u);	/* held back */
		PV_EXPECT_EQ(t, v->deferred, 1u);
		PV_EXPECT_EQ(t, pending_of(v), 1);
		PV_EXPECT_EQ(t, v->info.evtchn_pending_sel, 2u);
		G::restore(v, old);
		PV_EXPECT_EQ(t, v->handled[70], 1u);	/* the re-check */
		PV_EXPECT_EQ(t, v->delivered_forced, 1u);
		PV_EXPECT_EQ(t, pending_of(v), 0);
		PV_EXPECT_EQ(t, mask_of(v), 0);
		PV_EXPECT_EQ(t, v->cpu_unstable, 0u);
	}
	pvk_free(v);
}

PV_CASE(upcall, unmask_then_check_delivers_event_raised_while_masked)
{
	Vcpu *v = new_vcpu();

	PV_ASSERT(t, v != nullptr);
	{
		PreemptGuard pg;

		vcpu_here(v);
		G::mask(v);
		G::mask(v);	/* unmask ignores the nesting depth */
		irq_raise(v, 3);
		irq_raise(v, 3);	/* coalesces with the first */
		PV_EXPECT_EQ(t, v->raised[3], 1u);
		PV_EXPECT_EQ(t, v->coalesced, 1u);
		PV_EXPECT_EQ(t, v->handled[3], 0u);
		G::unmask(v);
		PV_EXPECT_EQ(t, v->handled[3], 1u);
		PV_EXPECT_EQ(t, pending_of(v), 0);
		PV_EXPECT_EQ(t, mask_of(v), 0);
		PV_EXPECT_EQ(t, v->cpu_unstable, 0u);
	}
	pvk_free(v);
}

PV_CASE(upcall, nested_mask_restore_balances)
{
	Vcpu *v = new_vcpu();

	PV_ASSERT(t, v != nullptr);
	{
		PreemptGuard pg;

		vcpu_here(v);
		uint8_t outer = G::mask(v);
		uint8_t inner = G::mask(v);

		PV_EXPECT_EQ(t, outer, 0);
		PV_EXPECT_EQ(t, inner, 1);
		irq_raise(v, 1);
		G::restore(v, inner);	/* still masked: no delivery */
		PV_EXPECT_EQ(t, mask_of(v), 1);
		PV_EXPECT_EQ(t, v->handled[1], 0u);
		PV_EXPECT_EQ(t, pending_of(v), 1);
		irq_raise(v, 2);	/* still held back */
		PV_EXPECT_EQ(t, v->handled[2], 0u);
		G::restore(v, outer);
		PV_EXPECT_EQ(t, mask_of(v), 0);
		PV_EXPECT_EQ(t, v->handled[1], 1u);
		PV_EXPECT_EQ(t, v->handled[2], 1u);
		PV_EXPECT_EQ(t, v->handler_runs, 1u);	/* one upcall for both */
		PV_EXPECT_EQ(t, pending_of(v), 0);
	}
	pvk_free(v);
}

PV_CASE(upcall, handler_never_runs_inside_masked_section)
{
	Vcpu *v = new_vcpu();

	PV_ASSERT(t, v != nullptr);
	{
		PreemptGuard pg;

		vcpu_here(v);
		uint8_t old = G::mask(v);

		WRITE_ONCE(v->in_masked_section, 1);
		for (unsigned int p = 0; p < 16; p++)
			irq_raise(v, p);
		WRITE_ONCE(v->in_masked_section, 0);
		G::restore(v, old);
		PV_EXPECT_EQ(t, v->handler_in_masked, 0u);
		PV_EXPECT_EQ(t, v->handler_runs, 1u);
		for (unsigned int p = 0; p < 16; p++)
			PV_EXPECT_EQ(t, v->handled[p], 1u);
		/* The check itself: a handler entered while the marker is
		 * set is counted. */
		WRITE_ONCE(v->in_masked_section, 1);
		irq_raise(v, 20);
		WRITE_ONCE(v->in_masked_section, 0);
		PV_EXPECT_EQ(t, v->handler_in_masked, 1u);
	}
	pvk_free(v);
}

PV_CASE(upcall, stability_assertion_counts_preemptible_use)
{
	Vcpu *v = new_vcpu();

	PV_ASSERT(t, v != nullptr);
	if (!pvk_preemptible()) {
		pvk_free(v);
		PV_SKIP(t, "runner is not preemptible here");
	}
	{
		PreemptGuard pg;

		vcpu_here(v);
		G::unmask(v);
	}
	PV_EXPECT_EQ(t, v->cpu_unstable, 0u);
	G::unmask(v);		/* preemptible: the assertion must count it */
	PV_EXPECT_EQ(t, v->cpu_unstable, 1u);
	{
		PreemptGuard pg;

		WRITE_ONCE(v->cpu, pvk_this_cpu() + 1);	/* "another CPU's" */
		G::unmask(v);
	}
	PV_EXPECT_EQ(t, v->cpu_unstable, 2u);
	pvk_free(v);
}

namespace {

/* The default stress, shortened for the suite; logs the key counts. */
bool stress(struct pvsync_test *t, unsigned int barrier, unsigned int variant,
	    Result *res)
{
	Config cfg = default_config();

	cfg.barrier = barrier;
	cfg.variant = variant;
	cfg.duration_ms = 300;
	cfg.cost_pairs = 10000;
	if (run(cfg, res) != 0)
		return false;
	pv::test::log(t, "%s/%s: %s, sections %llu, raised %llu, handled %llu, deferred %llu, forced %llu, pending_after_unmask %llu, cpu_unstable %llu, handler_in_masked %llu, protected_lost %llu",
		      barrier_names[barrier], variant_names[variant],
		      res->passed() ? "PASS" : "FAIL",
		      (unsigned long long)res->sections,
		      (unsigned long long)res->raised,
		      (unsigned long long)res->handled,
		      (unsigned long long)res->deferred,
		      (unsigned long long)res->delivered_forced,
		      (unsigned long long)res->pending_after_unmask,
		      (unsigned long long)res->cpu_unstable,
		      (unsigned long long)res->handler_in_masked,
		      (unsigned long long)res->protected_lost);
	return true;
}

} /* namespace */

PV_CASE(upcall, stress_passes_with_every_barrier)
{
	auto *res = static_cast<Result *>(pvk_zalloc(sizeof(Result)));

	PV_ASSERT(t, res != nullptr);
	for (unsigned int b = 0; b < nr_barriers; b++) {
		*res = Result{};
		PV_EXPECT(t, stress(t, b, variant_correct, res));
		PV_EXPECT(t, res->passed());
		PV_EXPECT(t, res->deferred > 0);	/* masking was exercised */
		PV_EXPECT(t, res->delivered_forced > 0);
		PV_EXPECT_EQ(t, res->handled, res->raised);
	}
	pvk_free(res);
}

PV_CASE(upcall, mutant_no_recheck_loses_event)
{
	Vcpu *v = new_vcpu();

	PV_ASSERT(t, v != nullptr);
	{
		PreemptGuard pg;

		vcpu_here(v);
		uint8_t old = NoRecheck::mask(v);

		irq_raise<NoRecheck>(v, 9);
		NoRecheck::restore(v, old);
		/* Unmasked with the event still pending: it is stuck until
		 * some later, unrelated entry into the hypervisor. */
		PV_EXPECT_EQ(t, v->handled[9], 0u);
		PV_EXPECT_EQ(t, pending_of(v), 1);
		PV_EXPECT_EQ(t, mask_of(v), 0);
	}
	pvk_free(v);

	auto *res = static_cast<Result *>(pvk_zalloc(sizeof(Result)));

	PV_ASSERT(t, res != nullptr);
	PV_EXPECT(t, stress(t, barrier_compiler, variant_no_recheck, res));
	PV_EXPECT(t, !res->passed());
	PV_EXPECT(t, res->pending_after_unmask > 0);
	pvk_free(res);
}

PV_CASE(upcall, mutant_migrate_is_caught)
{
	auto *res = static_cast<Result *>(pvk_zalloc(sizeof(Result)));

	PV_ASSERT(t, res != nullptr);
	if (pvk_num_online_cpus() < 2) {
		pvk_free(res);
		PV_SKIP(t, "needs two online CPUs");
	}
	PV_EXPECT(t, stress(t, barrier_compiler, variant_migrate, res));
	PV_EXPECT(t, !res->passed());
	PV_EXPECT(t, res->migrations > 0);
	PV_EXPECT(t, res->cpu_unstable > 0);
	pvk_free(res);
}

PV_CASE(upcall, barrier_costs_are_measured)
{
	Cost cost[nr_barriers] = {};

	measure_costs(20000, cost);
	for (unsigned int b = 0; b < nr_barriers; b++)
		PV_EXPECT(t, cost[b].centicycles > 0);
	pv::test::log(t, "mask/unmask pair, ps (cycles x100): compiler %llu (%llu), lfence %llu (%llu), mfence %llu (%llu), locked_add %llu (%llu)",
		      (unsigned long long)cost[0].ps,
		      (unsigned long long)cost[0].centicycles,
		      (unsigned long long)cost[1].ps,
		      (unsigned long long)cost[1].centicycles,
		      (unsigned long long)cost[2].ps,
		      (unsigned long long)cost[2].centicycles,
		      (unsigned long long)cost[3].ps,
		      (unsigned long long)cost[3].centicycles);
}
