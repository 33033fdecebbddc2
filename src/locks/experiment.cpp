// SPDX-License-Identifier: GPL-2.0
/*
 * experiment.cpp - the "locks" experiment (/sys/kernel/debug/pvsync/locks/):
 * choose a lock kind, set the stress parameters, run, read the result.
 */
#include "locks/busted_lock.hpp"
#include "locks/experiment.hpp"
#include "locks/kernel_spinlock.hpp"
#include "locks/lock_events.hpp"
#include "locks/pv/pvqspinlock.hpp"
#include "locks/qspinlock.hpp"
#include "locks/stress.hpp"
#include "core/text_buf.hpp"
#include "locks/ticket_lock.hpp"

namespace pv::locks {

namespace {

enum Param : unsigned int {
	p_threads,
	p_duration_ms,
	p_hold_ns,
	p_gap_ns,
	p_irq_every_us,
	p_spin_threshold,
	p_min_halts,
	nr_params,
};

constexpr pvsync_param params[nr_params] = {
	[p_threads] = { "threads", 1, stress::max_threads, 4 },
	[p_duration_ms] = { "duration_ms", 10, 60000, 1000 },
	[p_hold_ns] = { "hold_ns", 0, 100000, 100 },
	[p_gap_ns] = { "gap_ns", 0, 1000000, 200 },
	[p_irq_every_us] = { "irq_every_us", 0, 1000000, 200 },
	/* pvqspinlock only: spins before a waiter halts (the kernel's 2^15) */
	[p_spin_threshold] = { "spin_threshold", 1, 1U << 20, 1U << 15 },
	/* pvqspinlock only: drive the run until this many halts (0: off) */
	[p_min_halts] = { "min_halts", 0, 100000, 0 },
};

constexpr const char *lock_names[nr_kinds + 1] = {
	[kind_qspinlock] = "qspinlock",
	[kind_ticket] = "ticket",
	[kind_spinlock] = "spinlock",
	[kind_busted] = "busted",
	[kind_pvqspinlock] = "pvqspinlock",
	[kind_qspinlock_mutant_pending] = QSpinLockMutantPendingNoWait::name,
	[kind_qspinlock_mutant_head] = QSpinLockMutantHeadNoWait::name,
	[nr_kinds] = nullptr,
};

constexpr const char *backend_names[nr_backends + 1] = {
	[backend_emulated] = "emulated",
	[backend_native] = "native",
	[backend_host] = "host",
	[backend_emulated_spurious] = "emulated_spurious",
	[nr_backends] = nullptr,
};

constexpr const char *variant_names[nr_variants + 1] = {
	[variant_correct] = "correct",
	[variant_seed_unhash_flaw] = "seed_unhash_flaw",
	[variant_unlock_ignores_slow] = "unlock_ignores_slow",
	[variant_slow_every_pass] = PvFlawSlowEveryPass::name,
	[variant_wake_stores_running] = PvFlawWakeStoresRunning::name,
	[variant_wait_node_no_mb] = PvFlawWaitNodeNoMb::name,
	[variant_unhash_before_locked] = PvFlawUnhashBeforeLocked::name,
	[nr_variants] = nullptr,
};

/* "host" needs the running kernel's paravirt spinlocks. */
int backend_available(unsigned int option, char *why, unsigned long size)
{
	if (option == backend_host)
		return PvBackendHost::available(why, size);
	return 0;
}

/* Choice indices in pvsync_run_args::choice. */
enum Choice : unsigned int { c_lock, c_backend, c_variant };

constexpr pvsync_choice choices[] = {
	[c_lock] = { "lock", lock_names, kind_qspinlock, nullptr },
	[c_backend] = { "backend", backend_names, backend_emulated,
			backend_available },
	[c_variant] = { "variant", variant_names, variant_correct, nullptr },
};

template <typename B, typename F>
int run_pv_with(const stress::Config &cfg, stress::Result *res,
		bool expected)
{
	int ret;

	pv_failures_reset(expected);
	ret = stress::run<PvQSpinLock<B, PvHashDefault, F, PvSpinTunable>>(cfg,
									   res);
	if (ret)
		return ret;
	res->failures = pv_failures_total();
	res->failure_reason = pv_failure_reason();
	return 0;
}

template <typename B>
int run_pv_variant(unsigned int variant, const stress::Config &cfg,
		   stress::Result *res, bool expected)
{
	switch (variant) {
	case variant_correct:
		return run_pv_with<B, PvNoFlaw>(cfg, res, expected);
	case variant_seed_unhash_flaw:
		return run_pv_with<B, PvFlawSeedUnhash>(cfg, res, expected);
	case variant_unlock_ignores_slow:
		return run_pv_with<B, PvFlawUnlockIgnoresSlow>(cfg, res, expected);
	case variant_slow_every_pass:
		return run_pv_with<B, PvFlawSlowEveryPass>(cfg, res, expected);
	case variant_wake_stores_running:
		return run_pv_with<B, PvFlawWakeStoresRunning>(cfg, res, expected);
	case variant_wait_node_no_mb:
		return run_pv_with<B, PvFlawWaitNodeNoMb>(cfg, res, expected);
	case variant_unhash_before_locked:
		return run_pv_with<B, PvFlawUnhashBeforeLocked>(cfg, res,
								expected);
	default:
		return -22;	/* -EINVAL */
	}
}

int run_debugfs(const pvsync_run_args *args, char *out, unsigned long size)
{
	stress::Config cfg = {
		.threads = static_cast<unsigned int>(args->param[p_threads]),
		.duration_ms = static_cast<unsigned int>(args->param[p_duration_ms]),
		.hold_ns = static_cast<unsigned int>(args->param[p_hold_ns]),
		.gap_ns = static_cast<unsigned int>(args->param[p_gap_ns]),
		.irq_every_us = static_cast<unsigned int>(args->param[p_irq_every_us]),
		.min_halts = static_cast<unsigned int>(args->param[p_min_halts]),
	};
	stress::Result res;
	TextBuf text(out, size);
	unsigned int kind = args->choice[c_lock];
	unsigned int spins = static_cast<unsigned int>(args->param[p_spin_threshold]);
	int ret;

	/* Only the paravirt lock halts: min_halts means nothing elsewhere. */
	if (kind != kind_pvqspinlock && cfg.min_halts)
		return -22;	/* -EINVAL */
	pv_set_spin_threshold(spins);
	ret = kind == kind_pvqspinlock ?
		run_pv(args->choice[c_backend], args->choice[c_variant], cfg,
		       &res) :
		run_kind(kind, cfg, &res);
	/* Back to the kernel's threshold for anyone else (KUnit). */
	pv_set_spin_threshold(1U << 15);

	if (ret)
		return ret;
	text.line("experiment: locks");
	text.line("kernel_spinlock: %s", pvk_kernel_spinlock_impl());
	if (kind == kind_pvqspinlock) {
		text.line("backend: %s", backend_names[args->choice[c_backend]]);
		text.line("variant: %s", variant_names[args->choice[c_variant]]);
		text.line("spin_threshold: %u", spins);
	}
	res.print(text);
	text.finish();
	return 0;
}

unsigned long stats_show(char *buf, unsigned long size)
{
	TextBuf text(buf, size);

	lockevents_print(text);
	/* The kernel's pv latencies are averages: sum / count. */
	unsigned long kicks = lockevent_sum(LockEvent::pv_kick_unlock);
	unsigned long wakes = lockevent_sum(LockEvent::pv_kick_wake);

	text.line("pv_latency_kick_avg_ns: %lu",
		  kicks ? lockevent_sum(LockEvent::pv_latency_kick) / kicks : 0);
	text.line("pv_latency_wake_avg_ns: %lu",
		  wakes ? lockevent_sum(LockEvent::pv_latency_wake) / wakes : 0);
	/* Hops per hashed lock, x 100; as the kernel, per unlock kick. */
	text.line("pv_hash_hops_avg_x100: %lu",
		  kicks ? lockevent_sum(LockEvent::pv_hash_hops) * 100 / kicks : 0);
	return text.finish();
}

} /* namespace */

int run_kind(unsigned int kind, const stress::Config &cfg,
	     stress::Result *res)
{
	switch (kind) {
	case kind_qspinlock:
		return stress::run<QSpinLock<>>(cfg, res);
	case kind_ticket:
		return stress::run<TicketLock>(cfg, res);
	case kind_spinlock:
		return stress::run<KernelSpinLock>(cfg, res);
	case kind_busted:
		return stress::run<BustedLock>(cfg, res);
	case kind_pvqspinlock:
		return run_pv(backend_emulated, variant_correct, cfg, res);
	case kind_qspinlock_mutant_pending:
		return stress::run<QSpinLock<WordLayoutSmall, 512,
					     QSpinLockMutantPendingNoWait>>(cfg, res);
	case kind_qspinlock_mutant_head:
		return stress::run<QSpinLock<WordLayoutSmall, 512,
					     QSpinLockMutantHeadNoWait>>(cfg, res);
	default:
		return -22;	/* -EINVAL */
	}
}

int run_pv(unsigned int backend, unsigned int variant,
	   const stress::Config &cfg, stress::Result *res, bool expected)
{
	char why[128];

	switch (backend) {
	case backend_emulated:
		return run_pv_variant<PvBackendEmulated<>>(variant, cfg, res,
							   expected);
	case backend_native:
		return run_pv_variant<PvBackendNative>(variant, cfg, res, expected);
	case backend_emulated_spurious:
		return run_pv_variant<PvBackendEmulated<1000, true>>(variant, cfg,
								     res,
								     expected);
	case backend_host:
		if (PvBackendHost::available(why, sizeof(why)))
			return -19;	/* -ENODEV */
		return run_pv_variant<PvBackendHost>(variant, cfg, res, expected);
	default:
		return -22;	/* -EINVAL */
	}
}

const pvsync_experiment experiment = {
	.name = "locks",
	.params = params,
	.nr_params = nr_params,
	.choices = choices,
	.nr_choices = sizeof(choices) / sizeof(choices[0]),
	.run = run_debugfs,
	.stats_show = stats_show,
	.stats_reset = lockevents_reset,
};

} /* namespace pv::locks */
