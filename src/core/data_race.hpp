/* SPDX-License-Identifier: GPL-2.0 */
/*
 * data_race.hpp - the kernel's data_race() for pvsync's C++.
 *
 * PV_DATA_RACE(expr) evaluates @expr with KCSAN's reports disabled for
 * this task (pvk_kcsan_disable_current(), kapi.h) and yields its value,
 * as the kernel's data_race() does.  It marks one expression whose race
 * is intended (a statistic read while it is being updated, a mutant's
 * deliberate race); every use carries a comment saying why.  It is not a
 * way to silence a report one does not understand.
 *
 * It costs two calls into the glue: for cold paths, not lock hot paths.
 * Without CONFIG_KCSAN the calls do nothing.
 */
#ifndef PVSYNC_CORE_DATA_RACE_HPP
#define PVSYNC_CORE_DATA_RACE_HPP

#include <pvsync/kapi.h>

#define PV_DATA_RACE(expr) ({					\
	pvk_kcsan_disable_current();				\
	auto __pv_v = (expr);					\
	pvk_kcsan_enable_current();				\
	__pv_v;							\
})

#endif /* PVSYNC_CORE_DATA_RACE_HPP */
