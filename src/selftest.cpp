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
#include <pvsync/test.hpp>

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

/* Appends whole lines to a bounded buffer; a line that does not fit is
 * dropped and counted, never split. */
class KtapWriter {
public:
	KtapWriter(char *buf, unsigned long size) : buf_(buf), size_(size) {}

	void line(const char *fmt, ...) PVK_PRINTF(2, 3)
	{
		char tmp[256];
		__builtin_va_list args;
		int n;

		__builtin_va_start(args, fmt);
		n = pvk_vsnprintf(tmp, sizeof(tmp), fmt, args);
		__builtin_va_end(args);
		if (n < 0)
			return;
		if ((unsigned long)n >= sizeof(tmp))
			n = sizeof(tmp) - 1;
		/* The line, its newline and a final NUL must fit. */
		if (len_ + n + 2 > size_) {
			dropped_++;
			return;
		}
		for (int i = 0; i < n; i++)
			buf_[len_++] = tmp[i];
		buf_[len_++] = '\n';
		buf_[len_] = '\0';
	}

	unsigned long finish()
	{
		if (dropped_) {
			/* Make room for the note by cutting whole lines. */
			while (len_ > 0 && len_ + 64 > size_) {
				len_--;
				while (len_ > 0 && buf_[len_ - 1] != '\n')
					len_--;
			}
			line("# selftest: %u lines did not fit the buffer",
			     dropped_);
		}
		return len_;
	}

private:
	char *buf_;
	unsigned long size_;
	unsigned long len_ = 0;
	unsigned int dropped_ = 0;
};

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
