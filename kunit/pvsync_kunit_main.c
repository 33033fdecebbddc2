// SPDX-License-Identifier: GPL-2.0
/*
 * pvsync_kunit_main.c - the KUnit suites of pvsync.
 *
 * Each KUnit case runs one body from include/pvsync/cases.h, the same body
 * that /sys/kernel/debug/pvsync/selftest runs; failures the body reports
 * become KUNIT_FAIL() and a body that skips becomes kunit_skip().  The
 * bodies live in pvsync.ko, which must be loaded first.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include <pvsync/test.h>
#include <pvsync/cases.h>

static void pvsync_kunit_fail(struct pvsync_test *t, const char *msg)
{
	KUNIT_FAIL((struct kunit *)t->priv, "%s", msg);
}

static void pvsync_kunit_log(struct pvsync_test *t, const char *msg)
{
	kunit_info((struct kunit *)t->priv, "%s", msg);
}

static const struct pvsync_test_ops pvsync_kunit_ops = {
	.fail = pvsync_kunit_fail,
	.log = pvsync_kunit_log,
};

static void pvsync_kunit_run(struct kunit *test, enum pvsync_case_id id)
{
	struct pvsync_test t = {
		.ops = &pvsync_kunit_ops,
		.priv = test,
	};

	pvsync_case_table[id](&t);
	if (t.skipped && !t.failures)
		kunit_skip(test, "%s", t.skip_reason);
}

/* One KUnit case function per body, named <suite>__<case>. */
#define PVSYNC_KUNIT_WRAPPER(suite, name)                               \
	static void suite##__##name(struct kunit *test)                 \
	{                                                               \
		pvsync_kunit_run(test, PVSYNC_CASE_ID(suite, name));    \
	}
#define PVSYNC_KUNIT_WRAPPERS(suite, CASES) CASES(PVSYNC_KUNIT_WRAPPER)
PVSYNC_SUITES(PVSYNC_KUNIT_WRAPPERS)

/* One suite per cases.h list, named pvsync_<suite>, cases by plain name. */
#define PVSYNC_KUNIT_CASE(suite, case_name) \
	{ .run_case = suite##__##case_name, .name = #case_name },

static struct kunit_case harness_kunit_cases[] = {
	PVSYNC_HARNESS_CASES(PVSYNC_KUNIT_CASE)
	{}
};

static struct kunit_suite harness_kunit_suite = {
	.name = "pvsync_harness",
	.test_cases = harness_kunit_cases,
};

static struct kunit_case qspinlock_kunit_cases[] = {
	PVSYNC_QSPINLOCK_CASES(PVSYNC_KUNIT_CASE)
	{}
};

static struct kunit_suite qspinlock_kunit_suite = {
	.name = "pvsync_qspinlock",
	.test_cases = qspinlock_kunit_cases,
};

static struct kunit_case upcall_kunit_cases[] = {
	PVSYNC_UPCALL_CASES(PVSYNC_KUNIT_CASE)
	{}
};

static struct kunit_suite upcall_kunit_suite = {
	.name = "pvsync_upcall",
	.test_cases = upcall_kunit_cases,
};

static struct kunit_case pi_desc_kunit_cases[] = {
	PVSYNC_PI_DESC_CASES(PVSYNC_KUNIT_CASE)
	{}
};

static struct kunit_suite pi_desc_kunit_suite = {
	.name = "pvsync_pi_desc",
	.test_cases = pi_desc_kunit_cases,
};

static struct kunit_case pvqspinlock_kunit_cases[] = {
	PVSYNC_PVQSPINLOCK_CASES(PVSYNC_KUNIT_CASE)
	{}
};

static struct kunit_suite pvqspinlock_kunit_suite = {
	.name = "pvsync_pvqspinlock",
	.test_cases = pvqspinlock_kunit_cases,
};

kunit_test_suites(&harness_kunit_suite, &qspinlock_kunit_suite,
		  &upcall_kunit_suite, &pi_desc_kunit_suite,
		  &pvqspinlock_kunit_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of pvsync");
