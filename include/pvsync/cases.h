/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cases.h - every pvsync test case, listed once.
 *
 * PVSYNC_SUITES(S) names each suite with the macro that lists its cases;
 * each case list calls C(suite, name) once per case.  The KUnit module and
 * the debugfs selftest both expand these lists, so a case added here runs
 * under both runners.  The body is pvsync_case_<suite>__<name>(), written
 * with PV_CASE() in C++ (or by hand in C), and src/glue_exports.c exports
 * the table of all bodies, indexed by PVSYNC_CASE_ID(suite, name).
 */
#ifndef PVSYNC_CASES_H
#define PVSYNC_CASES_H

#include <pvsync/test.h>

#define PVSYNC_HARNESS_CASES(C)                                 \
	C(harness, read_write_once_round_trip)                  \
	C(harness, cmpxchg_stores_only_on_match)                \
	C(harness, cmpxchg_ordering_forms_agree)                \
	C(harness, try_cmpxchg_reports_current_value)           \
	C(harness, xchg_returns_previous)                       \
	C(harness, fetch_ops_return_previous)                   \
	C(harness, bit_ops_span_words)                          \
	C(harness, cond_load_returns_satisfying_value)          \
	C(harness, preempt_guard_nests)                         \
	C(harness, irq_guard_restores_previous_state)           \
	C(harness, threads_run_on_requested_cpus)               \
	C(harness, run_on_cpu_is_hardirq_on_target)             \
	C(harness, irq_timer_fires_on_its_cpu)                  \
	C(harness, percpu_instances_are_distinct)               \
	C(harness, smp_mb_forbids_store_buffering)              \
	C(harness, canary_fails_on_request)

#define PVSYNC_SUITES(S)                                        \
	S(harness, PVSYNC_HARNESS_CASES)

#define PVSYNC_DECLARE_CASE(suite, name) \
	void pvsync_case_##suite##__##name(struct pvsync_test *t);

/* A dense index of every case, for the exported table of bodies. */
#define PVSYNC_CASE_ID(suite, name) PVSYNC_CASE_ID_##suite##__##name
#define PVSYNC_ENUM_CASE(suite, name) PVSYNC_CASE_ID(suite, name),
#define PVSYNC_ENUM_SUITE(suite, CASES) CASES(PVSYNC_ENUM_CASE)
enum pvsync_case_id {
	PVSYNC_SUITES(PVSYNC_ENUM_SUITE)
	PVSYNC_NR_CASES
};

#ifdef __cplusplus
extern "C" {
#endif
extern const pvsync_case_fn pvsync_case_table[PVSYNC_NR_CASES];

#define PVSYNC_DECLARE_SUITE(suite, CASES) CASES(PVSYNC_DECLARE_CASE)
PVSYNC_SUITES(PVSYNC_DECLARE_SUITE)
#ifdef __cplusplus
}
#endif

#endif /* PVSYNC_CASES_H */
