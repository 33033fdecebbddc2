// SPDX-License-Identifier: GPL-2.0
/*
 * exports.c - the table of every test body listed in cases.h, exported
 * so that the separate KUnit module (kunit/) runs the very bodies the
 * debugfs selftest runs.
 *
 * The table is exported rather than each body because kbuild requires an
 * exported symbol to be defined in the object that exports it, and the
 * bodies live in C++ objects.
 */
#include <linux/export.h>
#include <linux/types.h>

#include <pvsync/cases.h>

#define PVSYNC_TABLE_CASE(suite, name) \
	[PVSYNC_CASE_ID(suite, name)] = pvsync_case_##suite##__##name,
#define PVSYNC_TABLE_PCASE(suite, name, PARAMS) PVSYNC_TABLE_CASE(suite, name)
#define PVSYNC_TABLE_SUITE(suite, CASES) \
	CASES(PVSYNC_TABLE_CASE, PVSYNC_TABLE_PCASE)

const pvsync_case_fn pvsync_case_table[PVSYNC_NR_CASES] = {
	PVSYNC_SUITES(PVSYNC_TABLE_SUITE)
};
EXPORT_SYMBOL_GPL(pvsync_case_table);
