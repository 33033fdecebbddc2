/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stress_expect.hpp - what a test case expects of a lock stress run that
 * must pass, check by check, so that a failure says which check broke.
 */
#ifndef PVSYNC_STRESS_EXPECT_HPP
#define PVSYNC_STRESS_EXPECT_HPP

#include "locks/stress_stats.hpp"
#include <pvsync/test.h>

namespace pv::stress {

/*
 * expect_clean_run - every thread of @res started and stopped, acquired,
 * and no check failed: owner words, plain counters (task and irq), the
 * lock's own failure record; irq acquisitions happened if asked for.
 */
void expect_clean_run(struct pvsync_test *t, const Result &res);

} /* namespace pv::stress */

#endif /* PVSYNC_STRESS_EXPECT_HPP */
