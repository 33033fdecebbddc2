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
	variant_plain_store,	/* load, modify, plain store: loses a post */
	variant_no_self_notify,	/* block ignores notify_self: lost wakeup */
	variant_stale_ndst,	/* load keeps NDST: stale NDST */
	variant_torn_fields,	/* NDST and NV as two stores: torn word */
	variant_load_plain_sn,	/* litmus: SN := 0 by a plain store */
	nr_variants,
};

/* The variant's name, as in the "variant" choice list. */
const char *variant_name(unsigned int variant);

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
	unsigned int script_every;	/* every Nth update: a post inside it */
	unsigned int min_events;	/* each race to drive the run to */
	unsigned int limit_ms;		/* longest a run is driven */
	unsigned int litmus_rounds;	/* fewest rounds of the load litmus */
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
	uint64_t harvests, vectors_received;
	uint64_t block_wakeups, block_timeouts;	/* how blocks ended */
	/* the races each check needs, driven to min_events */
	uint64_t scripted_posts;	/* made by the hook, inside an update */
	uint64_t on_set_in_window;	/* a post set ON inside an update */
	uint64_t on_at_block;		/* ON already set at the NV switch */
	uint64_t reads_in_move;		/* control read inside an update
					 * that moves NDST */
	uint64_t litmus_rounds_done, litmus_races;
	uint64_t litmus_both_saw, litmus_load_saw, litmus_post_saw;
	bool exercised;
	/* checks */
	uint64_t vectors_missing, vectors_extra, never_harvested;
	uint64_t on_sets, on_clears;
	int64_t on_lost;		/* on_sets - on_clears - final ON */
	uint64_t stranded_blocked, stranded_quiesce;
	uint64_t litmus_both_missed;	/* a post lost by the load litmus */
	uint64_t torn_words, words_unchecked, mixed_fields;
	uint64_t ndst_stale_load, ndst_stale_blocked, wakeup_wrong_cpu;
	uint64_t lost_wakeups, drain_timeouts;
	uint64_t misdirected, bad_vector;
	uint64_t ipi_errors, ipis_unfinished;

	bool passed() const;
	/* nullptr when passed(); else "lost post", "torn control word",
	 * "stale NDST", "lost wakeup", "bookkeeping" or "not exercised" */
	const char *failure_reason() const;
	void print(TextBuf &out) const;
};

/* One run; 0, or a negative errno when it could not start. */
int run(const Config &cfg, Result *res);

extern const pvsync_experiment experiment;

} /* namespace pv::pi_exp */

#endif /* PVSYNC_EXP_PI_DESC_HPP */
