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
#include <linux/string.h>

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

static void pvsync_kunit_run(struct kunit *test, enum pvsync_case_id id,
			     unsigned int param)
{
	struct pvsync_test t = {
		.ops = &pvsync_kunit_ops,
		.priv = test,
		.param = param,
	};

	pvsync_case_table[id](&t);
	if (t.skipped && !t.failures)
		kunit_skip(test, "%s", t.skip_reason);
}

/* A parameter is described by its label in cases.h. */
static void pvsync_kunit_param_desc(const char *const *label, char *desc)
{
	strscpy(desc, *label, KUNIT_PARAM_DESC_SIZE);
}

/* One KUnit case function per body, named <suite>__<case>. */
#define PVSYNC_KUNIT_WRAPPER(suite, name)                               \
	static void suite##__##name(struct kunit *test)                 \
	{                                                               \
		pvsync_kunit_run(test, PVSYNC_CASE_ID(suite, name), 0);  \
	}

/*
 * A parameterised one runs the body once per label of PARAMS: the labels
 * are an array, KUNIT_ARRAY_PARAM steps through it, and the index of the
 * current label is the body's t->param.
 */
#define PVSYNC_KUNIT_PWRAPPER(suite, name, PARAMS)                      \
	static const char *const suite##__##name##_labels[] = {         \
		PARAMS(PVSYNC_PARAM_LABEL)                              \
	};                                                              \
	KUNIT_ARRAY_PARAM(suite##__##name, suite##__##name##_labels,    \
			  pvsync_kunit_param_desc);                     \
	static void suite##__##name(struct kunit *test)                 \
	{                                                               \
		const char *const *label = test->param_value;           \
									\
		pvsync_kunit_run(test, PVSYNC_CASE_ID(suite, name),     \
				 label - suite##__##name##_labels);     \
	}

#define PVSYNC_KUNIT_WRAPPERS(suite, CASES) \
	CASES(PVSYNC_KUNIT_WRAPPER, PVSYNC_KUNIT_PWRAPPER)
PVSYNC_SUITES(PVSYNC_KUNIT_WRAPPERS)

/* One suite per cases.h list, named pvsync_<suite>, cases by plain name. */
#define PVSYNC_KUNIT_CASE(suite, case_name) \
	{ .run_case = suite##__##case_name, .name = #case_name },
#define PVSYNC_KUNIT_PCASE(suite, case_name, PARAMS)                    \
	{ .run_case = suite##__##case_name, .name = #case_name,         \
	  .generate_params = suite##__##case_name##_gen_params },

#define PVSYNC_KUNIT_SUITE(suite, CASES)                                \
	static struct kunit_case suite##_kunit_cases[] = {              \
		CASES(PVSYNC_KUNIT_CASE, PVSYNC_KUNIT_PCASE)            \
		{}                                                      \
	};                                                              \
	static struct kunit_suite suite##_kunit_suite = {               \
		.name = "pvsync_" #suite,                               \
		.test_cases = suite##_kunit_cases,                      \
	};
PVSYNC_SUITES(PVSYNC_KUNIT_SUITE)

#define PVSYNC_KUNIT_SUITE_REF(suite, CASES) &suite##_kunit_suite,
kunit_test_suites(PVSYNC_SUITES(PVSYNC_KUNIT_SUITE_REF));

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of pvsync");
