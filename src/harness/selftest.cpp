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
 *   ok 1 pvsync_<suite>
 */
#include <pvsync/kapi.h>
#include <pvsync/selftest.h>
#include "harness/test.hpp"
#include "core/text_buf.hpp"

namespace {

struct Case {
	const char *name;
	pvsync_case_fn body;
};

struct Suite {
	const char *name;
	const Case *cases;
	unsigned int nr_cases;
};

#define PV_CASE_ENTRY(suite, name) { #name, pvsync_case_##suite##__##name },
#define PV_SUITE_CASES(suite, CASES) \
	constexpr Case suite##_cases[] = { CASES(PV_CASE_ENTRY) };
PVSYNC_SUITES(PV_SUITE_CASES)

#define PV_SUITE_ENTRY(suite, CASES) \
	{ "pvsync_" #suite, suite##_cases, sizeof(suite##_cases) / sizeof(Case) },
constexpr Suite suites[] = { PVSYNC_SUITES(PV_SUITE_ENTRY) };

using KtapWriter = pv::TextBuf;

struct SelftestRun {
	KtapWriter *out;
	const char *case_name;
};

void selftest_fail(struct pvsync_test *t, const char *msg)
{
	auto *run = static_cast<SelftestRun *>(t->priv);

	run->out->line("    # %s: %s", run->case_name, msg);
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

/* Returns true when the suite passed (skips count as passes). */
bool run_suite(KtapWriter &out, const Suite &suite, unsigned int nr)
{
	unsigned int passed = 0, failed = 0, skipped = 0;

	out.line("    KTAP version 1");
	out.line("    # Subtest: %s", suite.name);
	out.line("    1..%u", suite.nr_cases);
	for (unsigned int i = 0; i < suite.nr_cases; i++) {
		const Case &c = suite.cases[i];
		SelftestRun run = { &out, c.name };
		pvsync_test t = {};

		t.ops = &selftest_ops;
		t.priv = &run;
		c.body(&t);
		if (t.failures) {
			failed++;
			out.line("    not ok %u %s", i + 1, c.name);
		} else if (t.skipped) {
			skipped++;
			out.line("    ok %u %s # SKIP %s", i + 1, c.name,
				 t.skip_reason);
		} else {
			passed++;
			out.line("    ok %u %s", i + 1, c.name);
		}
		pvk_cond_resched();
	}
	out.line("# %s: pass:%u fail:%u skip:%u total:%u", suite.name, passed,
		 failed, skipped, suite.nr_cases);
	out.line("%s %u %s", failed ? "not ok" : "ok", nr, suite.name);
	return !failed;
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
