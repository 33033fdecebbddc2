/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test.h - the reporter interface that every pvsync test body is written
 * against, once, in C or C++.
 *
 * A test body is a function "void body(struct pvsync_test *t)".  Two runners
 * call the same bodies:
 *   - kunit/pvsync_kunit_main.c wraps each body in a KUnit case and turns
 *     reported failures into KUNIT_FAIL();
 *   - src/harness/selftest.cpp runs every body when /sys/kernel/debug/pvsync/selftest
 *     is read, and prints KTAP.
 * The list of suites and cases is include/pvsync/cases.h.
 */
#ifndef PVSYNC_TEST_H
#define PVSYNC_TEST_H

#ifdef __cplusplus
extern "C" {
#endif

struct pvsync_test;

/**
 * struct pvsync_test_ops - what a runner does with a body's reports.
 * @fail: record one failed expectation; @msg is a complete line.
 * @log: record one diagnostic line.
 */
struct pvsync_test_ops {
	void (*fail)(struct pvsync_test *t, const char *msg);
	void (*log)(struct pvsync_test *t, const char *msg);
};

/**
 * struct pvsync_test - one running test case.
 * @ops: the runner's callbacks.
 * @priv: the runner's own state (a struct kunit for KUnit).
 * @failures: failed expectations so far.
 * @skipped: the body decided it cannot run here.
 * @skip_reason: why, when @skipped.
 * @param: for a parameterised case, the index of the parameter this run
 *         is for, in the order of its PARAMS list in cases.h; else 0.
 */
struct pvsync_test {
	const struct pvsync_test_ops *ops;
	void *priv;
	unsigned int param;
	unsigned int failures;
	bool skipped;
	char skip_reason[96];
};

typedef void (*pvsync_case_fn)(struct pvsync_test *t);

/*
 * Module parameter pvsync.inject_harness_failure: when set, the case
 * harness/canary_fails_on_request fails.  make check sets it once to prove
 * that its own machinery reports a failing case as a failure.
 */
bool pvsync_inject_harness_failure(void);

#ifdef __cplusplus
}
#endif

#endif /* PVSYNC_TEST_H */
