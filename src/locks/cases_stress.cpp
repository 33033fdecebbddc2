// SPDX-License-Identifier: GPL-2.0
/*
 * cases_stress.cpp - short multi-CPU stress runs of every lock kind,
 * with hard-irq acquisitions, in suite pvsync_qspinlock: each real lock
 * must pass, and the negative control "busted" must be caught by both the
 * owner check and the plain-counter check.
 */
#include "locks/experiment.hpp"
#include <pvsync/kapi.h>
#include "locks/stress.hpp"
#include "locks/stress_expect.hpp"
#include "core/test.hpp"

using namespace pv;

namespace {

constexpr stress::Config short_run = {
	.threads = 4,
	.duration_ms = 200,
	.hold_ns = 100,
	.gap_ns = 200,
	.irq_every_us = 100,
};

template <unsigned int kind>
void expect_kind_passes(struct pvsync_test *t)
{
	stress::Result res;

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	PV_ASSERT(t, locks::run_kind(kind, short_run, &res) == 0);
	stress::expect_clean_run(t, res);
}

constexpr Option<pv::test::Body> stress_locks[] = {
	{ "qspinlock", expect_kind_passes<locks::kind_qspinlock> },
	{ "ticket", expect_kind_passes<locks::kind_ticket> },
	{ "spinlock", expect_kind_passes<locks::kind_spinlock> },
};

} /* namespace */

PV_PARAM_CASE(qspinlock, stress_excludes_with_irqs,
	      PVSYNC_PARAMS_STRESS_LOCKS, stress_locks)

PV_CASE(qspinlock, stress_catches_qspinlock_mutants)
{
	/*
	 * Each mutant breaks a step only reached with enough CPUs inside
	 * the lock at once (one thread per CPU, preemption disabled): the
	 * pending waiter needs an owner beside it, the queue head an owner
	 * and a pending waiter.
	 */
	static constexpr struct {
		unsigned int kind;
		unsigned int min_cpus;
	} mutants[] = {
		{ locks::kind_qspinlock_mutant_pending, 2 },
		{ locks::kind_qspinlock_mutant_head, 3 },
	};

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	for (const auto &m : mutants) {
		stress::Result res;

		if (pvk_num_online_cpus() < m.min_cpus) {
			pv::test::log(t, "mutant %u needs %u CPUs: not run",
				      m.kind, m.min_cpus);
			continue;
		}
		PV_ASSERT(t, locks::run_kind(m.kind, short_run, &res) == 0);
		/* Two owners at once: the owner check must see it. */
		PV_EXPECT(t, res.violations + res.irq_violations > 0);
		PV_EXPECT(t, !res.passed());
		pv::test::log(t, "%s: %u exclusion violations", res.lock_name,
			      res.violations + res.irq_violations);
	}
}

PV_CASE(qspinlock, stress_catches_busted)
{
	stress::Result res;

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	PV_ASSERT(t, locks::run_kind(locks::kind_busted, short_run, &res) == 0);
	/* Both checks must see it, not just one of them. */
	PV_EXPECT(t, res.violations > 0);
	PV_EXPECT(t, res.counter != res.acquisitions);
	PV_EXPECT(t, !res.passed());
}
