/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiment.hpp - the "pi_desc" experiment: emulated vCPUs cycle through
 * the VMX posted-interrupt lifecycle (load, run, block or preempt) on their
 * descriptors while poster threads on other CPUs play the IOMMU; the checks
 * are those of src/pi_desc/pi_desc.hpp.  Shared by
 * /sys/kernel/debug/pvsync/pi_desc/ and the KUnit suite pvsync_pi_desc.
 */
#ifndef PVSYNC_EXP_PI_DESC_HPP
#define PVSYNC_EXP_PI_DESC_HPP

#include <stdint.h>

#include <pvsync/experiment.h>
#include "core/text_buf.hpp"

namespace pv::pi_exp {

/* The "variant" choice list, in order. */
enum Variant : unsigned int {
	variant_cmpxchg,	/* the cmpxchg64 loops: correct */
	variant_plain_store,	/* load, modify, plain store: the mutant */
	nr_variants,
};

inline constexpr unsigned int max_vcpus = 8;
inline constexpr unsigned int max_posters = 16;

struct Config {
	unsigned int variant;		/* enum Variant */
	unsigned int apic_mode;		/* 0: x2APIC, 1: xAPIC NDST encoding */
	unsigned int duration_ms;
	unsigned int vcpus;		/* emulated vCPUs, one descriptor each */
	unsigned int posters;		/* IOMMU-playing threads */
	unsigned int vectors;		/* distinct vectors posted, from 32 */
	unsigned int post_gap_ns;	/* each poster's pause between posts */
	unsigned int run_us;		/* time "in guest" per lifecycle */
	unsigned int block_us;		/* longest block before a timer wake */
	unsigned int preempt_every;	/* every Nth put is a preemption (SN) */
	unsigned int migrate;		/* 1: each load picks a random pCPU */
	unsigned int window_ns;		/* busy time between read and write */
};

/* The defaults of /sys/kernel/debug/pvsync/pi_desc/. */
Config default_config();

/* Everything a finished run reports. */
struct Result {
	Config cfg;
	unsigned int cpus;
	unsigned int threads, threads_started, threads_wedged;
	const char *stopped_early;	/* nullptr, "signal" or "unload" */
	uint64_t elapsed_ns;
	/* posting side */
	uint64_t posts, posts_distinct, posts_coalesced, posts_suppressed;
	uint64_t notifications, self_notifications;
	uint64_t notif_irqs, wakeup_irqs, wakeups, wakeups_stale;
	/* vCPU side */
	uint64_t loads, blocks, preemptions, migrations;
	uint64_t retries_load, retries_block, retries_max;
	uint64_t harvests, vectors_received, block_timeouts;
	/* checks */
	uint64_t vectors_missing, vectors_extra, never_harvested;
	uint64_t on_sets, on_clears;
	int64_t on_lost;		/* on_sets - on_clears - final ON */
	uint64_t stranded_blocked, stranded_quiesce;
	uint64_t mixed_fields, misdirected, bad_vector;
	uint64_t ipi_errors, ipis_unfinished;

	bool passed() const;
	void print(TextBuf &out) const;
};

/* One run; 0, or a negative errno when it could not start. */
int run(const Config &cfg, Result *res);

extern const pvsync_experiment experiment;

} /* namespace pv::pi_exp */

#endif /* PVSYNC_EXP_PI_DESC_HPP */
