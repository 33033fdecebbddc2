/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cases.h - every pvsync test case, listed once.
 *
 * PVSYNC_SUITES(S) names each suite with the macro that lists its cases;
 * each case list, CASES(C, P), calls C(suite, name) once per plain case
 * and P(suite, name, PARAMS) once per parameterised case.  PARAMS(X) calls
 * X(label) once per parameter: the body runs once per label, with
 * t->param its index in the list (the body's own table of what each index
 * means follows the same order; PV_PARAM_CASE checks the labels match).
 *
 * The KUnit module and the debugfs selftest both expand these lists, so a
 * case added here runs under both runners: KUnit runs a parameterised
 * case through KUNIT_ARRAY_PARAM, each parameter described by its label;
 * the selftest prints it as one line per parameter, "case[label]".  The
 * body is pvsync_case_<suite>__<name>(), written with PV_CASE() in C++
 * (or by hand in C), and src/glue/exports.c exports the table of all
 * bodies, indexed by PVSYNC_CASE_ID(suite, name).
 */
#ifndef PVSYNC_CASES_H
#define PVSYNC_CASES_H

#include <pvsync/test.h>

/* Parameter lists: what each parameterised case runs once per. */
#define PVSYNC_PARAMS_WORD_LAYOUTS(X) X(small) X(large)
#define PVSYNC_PARAMS_STRESS_LOCKS(X) X(qspinlock) X(ticket) X(spinlock)
#define PVSYNC_PARAMS_PV_BACKENDS(X) X(emulated) X(native)

#define PVSYNC_HARNESS_CASES(C, P)                              \
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

#define PVSYNC_QSPINLOCK_CASES(C, P)                            \
	P(qspinlock, word_layout_encodes_fields,                \
	  PVSYNC_PARAMS_WORD_LAYOUTS)                           \
	C(qspinlock, word_helpers_make_their_transitions)       \
	C(qspinlock, tail_round_trips_every_cpu_and_idx)        \
	C(qspinlock, tail_decodes_to_that_cpus_node)            \
	C(qspinlock, lockevents_count_per_cpu_and_reset)        \
	C(qspinlock, events_policy_counts_or_compiles_out)      \
	C(qspinlock, lock_unlock_single_cpu)                    \
	C(qspinlock, trylock_fails_while_held)                  \
	C(qspinlock, pending_set_by_second_waiter)              \
	C(qspinlock, tail_set_by_queued_waiter)                 \
	C(qspinlock, nested_slowpath_uses_next_node)            \
	C(qspinlock, no_node_fallback_uses_trylock)             \
	C(qspinlock, ticket_lock_excludes_and_orders)           \
	C(qspinlock, busted_never_reports_locked)               \
	C(qspinlock, kernel_spinlock_reports_held_state)        \
	P(qspinlock, stress_excludes_with_irqs,                 \
	  PVSYNC_PARAMS_STRESS_LOCKS)                           \
	C(qspinlock, stress_catches_qspinlock_mutants)          \
	C(qspinlock, stress_catches_busted)

#define PVSYNC_UPCALL_CASES(C, P)                               \
	C(upcall, event_while_unmasked_is_delivered_at_once)    \
	C(upcall, mask_restore_delivers_event_raised_while_masked) \
	C(upcall, unmask_then_check_delivers_event_raised_while_masked) \
	C(upcall, nested_mask_restore_balances)                 \
	C(upcall, handler_never_runs_inside_masked_section)     \
	C(upcall, stability_assertion_counts_preemptible_use)   \
	C(upcall, stress_passes_with_every_barrier)             \
	C(upcall, mutant_no_recheck_loses_event)                \
	C(upcall, mutant_migrate_is_caught)                     \
	C(upcall, barrier_costs_are_measured)                   \
	C(upcall, injection_at_every_point_passes_correct)      \
	C(upcall, injection_catches_barrier_none)               \
	C(upcall, injection_catches_seed_exact_unmask)          \
	C(upcall, scripted_points_catch_each_mutant)            \
	C(upcall, remote_writer_table)                          \
	C(upcall, migrate_loses_event_scripted)

#define PVSYNC_PI_DESC_CASES(C, P)                              \
	C(pi_desc, layout_matches_seed)                         \
	C(pi_desc, helpers_make_their_transitions)              \
	C(pi_desc, ndst_encodes_x2apic_and_xapic)               \
	C(pi_desc, block_switches_nv_and_notifies_when_on)      \
	C(pi_desc, load_sets_ndst_nv_clears_sn_and_recomputes_on) \
	C(pi_desc, harvest_clears_on_then_takes_pir)            \
	C(pi_desc, cmpxchg_loop_retries_and_keeps_on)           \
	C(pi_desc, plain_store_drops_on)                        \
	C(pi_desc, split_stores_show_a_torn_word)               \
	C(pi_desc, load_keeping_ndst_leaves_stale_destination)  \
	C(pi_desc, post_honours_sn_and_on)                      \
	C(pi_desc, stress_cmpxchg_loses_nothing)                \
	C(pi_desc, stress_plain_store_loses_a_post)             \
	C(pi_desc, stress_no_self_notify_loses_a_wakeup)        \
	C(pi_desc, stress_stale_ndst_is_caught)                 \
	C(pi_desc, stress_torn_fields_are_caught)

#define PVSYNC_PVQSPINLOCK_CASES(C, P)                          \
	C(pvqspinlock, node_states_follow_kick_and_wake)        \
	C(pvqspinlock, hash_collides_wraps_and_removes_only_own) \
	C(pvqspinlock, reused_entry_after_spurious_wake_is_kicked) \
	C(pvqspinlock, mutant_woken_head_unhashing_is_caught)   \
	C(pvqspinlock, mutant_unlock_ignoring_slow_is_caught) \
	C(pvqspinlock, steal_after_kick_keeps_slow_with_entry)  \
	C(pvqspinlock, steal_after_kick_catches_slow_every_pass) \
	C(pvqspinlock, free_before_slow_takes_lock_cleanly)     \
	C(pvqspinlock, free_before_slow_catches_unhash_before_locked) \
	C(pvqspinlock, kick_races_spurious_wake_one_entry)      \
	C(pvqspinlock, kick_races_spurious_wake_catches_wake_stores_running) \
	C(pvqspinlock, emulated_kick_wakes_halted_waiter)       \
	C(pvqspinlock, emulated_lost_kick_is_recorded)          \
	C(pvqspinlock, wait_node_store_buffering)               \
	P(pvqspinlock, stress_excludes_and_kicks,               \
	  PVSYNC_PARAMS_PV_BACKENDS)                            \
	C(pvqspinlock, stress_catches_unlock_skipping_kick)     \
	C(pvqspinlock, host_backend_runs_or_says_why)

#define PVSYNC_SUITES(S)                                        \
	S(harness, PVSYNC_HARNESS_CASES)                        \
	S(qspinlock, PVSYNC_QSPINLOCK_CASES)                    \
	S(upcall, PVSYNC_UPCALL_CASES)                          \
	S(pi_desc, PVSYNC_PI_DESC_CASES)                        \
	S(pvqspinlock, PVSYNC_PVQSPINLOCK_CASES)

/* A parameter's label, as a string, for a list of labels. */
#define PVSYNC_PARAM_LABEL(label) #label,

#define PVSYNC_DECLARE_CASE(suite, name) \
	void pvsync_case_##suite##__##name(struct pvsync_test *t);
#define PVSYNC_DECLARE_PCASE(suite, name, PARAMS) \
	PVSYNC_DECLARE_CASE(suite, name)

/* A dense index of every case, for the exported table of bodies. */
#define PVSYNC_CASE_ID(suite, name) PVSYNC_CASE_ID_##suite##__##name
#define PVSYNC_ENUM_CASE(suite, name) PVSYNC_CASE_ID(suite, name),
#define PVSYNC_ENUM_PCASE(suite, name, PARAMS) PVSYNC_ENUM_CASE(suite, name)
#define PVSYNC_ENUM_SUITE(suite, CASES) \
	CASES(PVSYNC_ENUM_CASE, PVSYNC_ENUM_PCASE)
enum pvsync_case_id {
	PVSYNC_SUITES(PVSYNC_ENUM_SUITE)
	PVSYNC_NR_CASES
};

#ifdef __cplusplus
extern "C" {
#endif
extern const pvsync_case_fn pvsync_case_table[PVSYNC_NR_CASES];

#define PVSYNC_DECLARE_SUITE(suite, CASES) \
	CASES(PVSYNC_DECLARE_CASE, PVSYNC_DECLARE_PCASE)
PVSYNC_SUITES(PVSYNC_DECLARE_SUITE)
#ifdef __cplusplus
}
#endif

#endif /* PVSYNC_CASES_H */
