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
	barrier_none,		/* no barrier at all: the mutant */
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
	variant_seed_exact,	/* the seed's text: plain accesses, no
				 * barrier between unmask store and load */
	variant_late_clear,	/* handler clears pending after scanning */
	nr_variants,
};

/* The "writer" choice list: who raises the events. */
enum WriterKind : unsigned int {
	writer_local,		/* this CPU's hypervisor (Xen's contract) */
	writer_remote,		/* another CPU, kicking by the "kick" policy */
	nr_writers,
};

/* The choice lists' names, NULL-terminated, from the runner tables. */
extern const char *const *const barrier_names;
extern const char *const *const variant_names;
extern const char *const *const writer_names;
extern const char *const *const kick_names;

struct Config {
	unsigned int barrier, variant, writer, kick;
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

/*
 * A sweep: one trial per ordering point (sweep.cpp).  Each failed trial
 * is counted under the one check it failed.
 */
struct SweepResult {
	unsigned int points;		/* trials run */
	unsigned int lost;		/* unmasked, pending, nothing to come */
	unsigned int ports_left;	/* pending clear, port bits set */
	unsigned int handler_masked;	/* delivered inside the section */
	unsigned int first_failure;	/* 1-based trial, 0: none */
	int err;			/* injection impossible: -errno */

	unsigned int failures() const
	{
		return lost + ports_left + handler_masked;
	}
};

/* Raise an event at every hook point of the sequences; the remote writer
 * (with @kick) against the store-buffering model when @remote. */
int scripted_sweep(unsigned int barrier, unsigned int variant, bool remote,
		   unsigned int kick, SweepResult *res);
/* Raise an event after every compiled access to mask, pending and the
 * section's datum, through hardware data breakpoints. */
int injected_sweep(unsigned int barrier, unsigned int variant,
		   SweepResult *res);
/* The migrate mutant, scripted: mask on one CPU, raise, move, restore
 * from the next CPU.  Needs two CPUs; sleeps.  Counts into @res. */
int migrate_trial(SweepResult *res);

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
	uint64_t ports_after_unmask, forced_elsewhere;
	SweepResult scripted, injected, migrate;
	Cost cost[nr_barriers];
	Cost baseline;			/* the empty loop */
	const char *hypervisor;		/* CPUID 0x40000000 signature */

	/* The first failed check, as "reason: counter value". */
	const char *failure_reason(char *buf, unsigned long size) const;

	uint64_t violations() const;	/* sum of every violation count */
	bool passed() const;
	void print(TextBuf &out) const;
};

/* One run; 0, or a negative errno when it could not start. */
int run(const Config &cfg, Result *res);

/* Measure every barrier kind's mask/unmask pair now, on this CPU. */
void measure_costs(unsigned int pairs, Cost cost[nr_barriers],
		   Cost *baseline);

extern const pvsync_experiment experiment;

} /* namespace pv::upcall */

/* Out-of-line unmasks for scripts/check-unmask-order (sweep.cpp). */
extern "C" {
void pvsync_unmask_compiler(void *v);
void pvsync_unmask_lfence(void *v);
void pvsync_unmask_mfence(void *v);
void pvsync_unmask_locked_add(void *v);
void pvsync_unmask_seed_exact(void *v);
}

#endif /* PVSYNC_EXP_UPCALL_HPP */
