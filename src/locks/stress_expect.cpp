// SPDX-License-Identifier: GPL-2.0
/*
 * stress_expect.cpp - see stress_expect.hpp.
 */
#include "locks/stress_expect.hpp"
#include "harness/test.hpp"

namespace pv::stress {

void expect_clean_run(struct pvsync_test *t, const Result &res)
{
	PV_EXPECT_EQ(t, res.threads_started, res.cfg.threads);
	PV_EXPECT_EQ(t, res.threads_wedged, 0u);
	PV_EXPECT(t, res.acquisitions > 0);
	if (res.cfg.irq_every_us)
		PV_EXPECT(t, res.irq_acquisitions > 0);
	PV_EXPECT_EQ(t, res.violations, 0u);
	PV_EXPECT_EQ(t, res.counter, res.acquisitions);
	PV_EXPECT_EQ(t, res.irq_violations, 0u);
	PV_EXPECT_EQ(t, res.irq_counter, res.irq_acquisitions);
	PV_EXPECT_EQ(t, res.failures, 0u);
	if (!res.passed())
		pv::test::log(t, "%s: %s", res.lock_name, res.reason());
	PV_EXPECT(t, res.passed());
}

} /* namespace pv::stress */
