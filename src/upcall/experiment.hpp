/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiment.hpp - the "upcall" experiment: a stress run of the upcall
 * masking sequences (src/upcall/upcall.hpp) against the emulated
 * same-CPU hypervisor, and the side-by-side barrier cost measurement.
 * Shared by /sys/kernel/debug/pvsync/upcall/ and the KUnit suite.
 */
#ifndef PVSYNC_EXP_UPCALL_HPP
#define PVSYNC_EXP_UPCALL_HPP

#include <stdint.h>

#include <pvsync/experiment.h>
#include "core/text_buf.hpp"

namespace pv::upcall {

/* The "barrier" choice list, in order. */
enum BarrierKind : unsigned int {
	barrier_compiler,
	barrier_lfence,
	barrier_mfence,
	barrier_locked_add,
	nr_barriers,
};

/* The "variant" choice list: the correct pattern and its mutants. */
enum Variant : unsigned int {
	variant_correct,
	variant_no_recheck,	/* unmask without re-checking pending */
	variant_migrate,	/* preemptible, migrating inside the section */
	nr_variants,
};

/* The choice lists' names, NULL-terminated, from the runner tables. */
extern const char *const *const barrier_names;
extern const char *const *const variant_names;

struct Config {
	unsigned int barrier, variant;
	unsigned int cpus;		/* 0: every online CPU */
	unsigned int duration_ms;
	unsigned int hold_ns;		/* work inside a masked section */
	unsigned int gap_ns;		/* work between sections */
	unsigned int timer_us;		/* hypervisor timer period per CPU */
	unsigned int ipi_every;		/* sections between IPIs; 0: none */
	unsigned int burst;		/* max events per hypervisor irq */
	unsigned int ports;		/* event channels per vCPU */
	unsigned int cost_pairs;	/* mask/unmask pairs per cost sample */
};

/* Defaults, as the debugfs parameters have them. */
Config default_config();

/* The cost of one mask/unmask pair, per barrier kind. */
struct Cost {
	uint64_t ps;			/* picoseconds */
	uint64_t centicycles;		/* TSC cycles x 100 */
};

struct Result {
	Config cfg;
	unsigned int cpus;
	unsigned int threads_started, threads_wedged;
	const char *stopped_early;	/* nullptr, "signal" or "unload" */
	uint64_t elapsed_ns;
	uint64_t sections, unmasks, nested, migrations;
	uint64_t hv_irqs, ipis_sent, ipis_done;
	uint64_t raised, coalesced, handled, deferred;
	uint64_t delivered_direct, delivered_forced, handler_runs;
	uint64_t stranded;		/* handled only by the final drain */
	uint64_t lost, duplicated, ports_mismatched;
	uint64_t pending_after_unmask, nesting_broken;
	uint64_t protected_expected, protected_actual, protected_lost;
	uint64_t cpu_unstable, handler_in_masked, handler_nested;
	uint64_t handler_runaway, hv_wrong_cpu;
	uint64_t mask_left_set, pending_at_quiesce;
	Cost cost[nr_barriers];

	uint64_t violations() const;	/* sum of every violation count */
	bool passed() const;
	void print(TextBuf &out) const;
};

/* One run; 0, or a negative errno when it could not start. */
int run(const Config &cfg, Result *res);

/* Measure every barrier kind's mask/unmask pair now, on this CPU. */
void measure_costs(unsigned int pairs, Cost cost[nr_barriers]);

extern const pvsync_experiment experiment;

} /* namespace pv::upcall */

#endif /* PVSYNC_EXP_UPCALL_HPP */
