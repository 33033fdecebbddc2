// SPDX-License-Identifier: GPL-2.0
/*
 * selftest.cpp - run every test body listed in cases.h and print KTAP, for
 * kernels without KUnit (Debian's stock kernel has none).
 *
 * The output has the shape KUnit prints, so tools/testing/kunit/kunit.py
 * parse reads it the same way:
 *
 *   KTAP version 1
 *   1..<suites>
 *       KTAP version 1
 *       # Subtest: pvsync_<suite>
 *       1..<cases>
 *       # <case>: <failure message>
 *       not ok 1 <case>
 *       ok 2 <case> # SKIP <reason>
 *       ok 3 <case>[<label>]      one line per parameter of a
 *       ok 4 <case>[<label>]      parameterised case (cases.h)
 *   ok 1 pvsync_<suite>
 */
#include <pvsync/kapi.h>
#include <pvsync/selftest.h>
#include "core/test.hpp"
#include "core/text_buf.hpp"

namespace {

/* A case; a parameterised one runs once per label. */
struct Case {
	const char *name;
	pvsync_case_fn body;
	const char *const *labels;	/* nullptr: not parameterised */
	unsigned int nr_labels;
};

struct Suite {
	const char *name;
	const Case *cases;
	unsigned int nr_cases;
	unsigned int nr_tests;		/* its cases' runs, summed */
};

/* The labels of every parameterised case, <suite>__<case>_labels. */
#define PV_NO_LABELS(suite, name)
#define PV_LABELS(suite, name, PARAMS) \
	constexpr const char *suite##__##name##_labels[] = { \
		PARAMS(PVSYNC_PARAM_LABEL) };
#define PV_SUITE_LABELS(suite, CASES) CASES(PV_NO_LABELS, PV_LABELS)
PVSYNC_SUITES(PV_SUITE_LABELS)

#define PV_CASE_ENTRY(suite, name) \
	{ #name, pvsync_case_##suite##__##name, nullptr, 0 },
#define PV_PCASE_ENTRY(suite, name, PARAMS) \
	{ #name, pvsync_case_##suite##__##name, suite##__##name##_labels, \
	  sizeof(suite##__##name##_labels) / sizeof(const char *) },
#define PV_SUITE_CASES(suite, CASES) \
	constexpr Case suite##_cases[] = { CASES(PV_CASE_ENTRY, PV_PCASE_ENTRY) };
PVSYNC_SUITES(PV_SUITE_CASES)

/* Each run of a parameterised case is one test of the suite. */
constexpr unsigned int nr_tests(const Case *cases, unsigned int n)
{
	unsigned int tests = 0;

	for (unsigned int i = 0; i < n; i++)
		tests += cases[i].labels ? cases[i].nr_labels : 1;
	return tests;
}

#define PV_SUITE_ENTRY(suite, CASES) \
	{ "pvsync_" #suite, suite##_cases, \
	  sizeof(suite##_cases) / sizeof(Case), \
	  nr_tests(suite##_cases, sizeof(suite##_cases) / sizeof(Case)) },
constexpr Suite suites[] = { PVSYNC_SUITES(PV_SUITE_ENTRY) };

using KtapWriter = pv::TextBuf;

struct SelftestRun {
	KtapWriter *out;
	char test_name[96];		/* "case" or "case[label]" */
};

void selftest_fail(struct pvsync_test *t, const char *msg)
{
	auto *run = static_cast<SelftestRun *>(t->priv);

	run->out->line("    # %s: %s", run->test_name, msg);
}

void selftest_log(struct pvsync_test *t, const char *msg)
{
	auto *run = static_cast<SelftestRun *>(t->priv);

	run->out->line("    # %s", msg);
}

constexpr pvsync_test_ops selftest_ops = {
	.fail = selftest_fail,
	.log = selftest_log,
};

struct Tally {
	unsigned int tests, passed, failed, skipped;
};

/* One run of @c's body, with @param; one KTAP test line. */
void run_test(KtapWriter &out, const Case &c, unsigned int param,
	      Tally *tally)
{
	SelftestRun run = { &out, {} };
	pvsync_test t = {};
	unsigned int nr = ++tally->tests;

	if (c.labels)
		pvk_snprintf(run.test_name, sizeof(run.test_name), "%s[%s]",
			     c.name, c.labels[param]);
	else
		pvk_snprintf(run.test_name, sizeof(run.test_name), "%s",
			     c.name);
	t.ops = &selftest_ops;
	t.priv = &run;
	t.param = param;
	c.body(&t);
	if (t.failures) {
		tally->failed++;
		out.line("    not ok %u %s", nr, run.test_name);
	} else if (t.skipped) {
		tally->skipped++;
		out.line("    ok %u %s # SKIP %s", nr, run.test_name,
			 t.skip_reason);
	} else {
		tally->passed++;
		out.line("    ok %u %s", nr, run.test_name);
	}
	pvk_cond_resched();
}

/* Returns true when the suite passed (skips count as passes). */
bool run_suite(KtapWriter &out, const Suite &suite, unsigned int nr)
{
	Tally tally = {};

	out.line("    KTAP version 1");
	out.line("    # Subtest: %s", suite.name);
	out.line("    1..%u", suite.nr_tests);
	for (unsigned int i = 0; i < suite.nr_cases; i++) {
		const Case &c = suite.cases[i];
		unsigned int runs = c.labels ? c.nr_labels : 1;

		for (unsigned int param = 0; param < runs; param++)
			run_test(out, c, param, &tally);
	}
	out.line("# %s: pass:%u fail:%u skip:%u total:%u", suite.name,
		 tally.passed, tally.failed, tally.skipped, suite.nr_tests);
	out.line("%s %u %s", tally.failed ? "not ok" : "ok", nr, suite.name);
	return !tally.failed;
}

} /* namespace */

extern "C" unsigned long pvsync_selftest_run(char *buf, unsigned long size)
{
	KtapWriter out(buf, size);
	unsigned int nr = sizeof(suites) / sizeof(suites[0]);

	out.line("KTAP version 1");
	out.line("1..%u", nr);
	for (unsigned int i = 0; i < nr; i++)
		run_suite(out, suites[i], i + 1);
	return out.finish();
}
