// SPDX-License-Identifier: GPL-2.0
/*
 * exp_locks.cpp - the "locks" experiment (/sys/kernel/debug/pvsync/locks/):
 * choose a lock kind, set the stress parameters, run, read the result.
 */
#include <pvsync/busted_lock.hpp>
#include <pvsync/exp_locks.hpp>
#include <pvsync/kernel_spinlock.hpp>
#include <pvsync/lock_events.hpp>
#include <pvsync/qspinlock.hpp>
#include <pvsync/stress.hpp>
#include <pvsync/text_buf.hpp>
#include <pvsync/ticket_lock.hpp>

namespace pv::locks {

namespace {

enum Param : unsigned int {
	p_threads,
	p_duration_ms,
	p_hold_ns,
	p_gap_ns,
	p_irq_every_us,
	nr_params,
};

constexpr pvsync_param params[nr_params] = {
	[p_threads] = { "threads", 1, stress::max_threads, 4 },
	[p_duration_ms] = { "duration_ms", 10, 60000, 1000 },
	[p_hold_ns] = { "hold_ns", 0, 100000, 100 },
	[p_gap_ns] = { "gap_ns", 0, 1000000, 200 },
	[p_irq_every_us] = { "irq_every_us", 0, 1000000, 200 },
};

constexpr const char *lock_names[nr_kinds + 1] = {
	[kind_qspinlock] = "qspinlock",
	[kind_ticket] = "ticket",
	[kind_spinlock] = "spinlock",
	[kind_busted] = "busted",
	[kind_qspinlock_mutant_pending] = QSpinLockMutantPendingNoWait::name,
	[kind_qspinlock_mutant_head] = QSpinLockMutantHeadNoWait::name,
	[nr_kinds] = nullptr,
};

constexpr pvsync_choice choices[] = {
	{ "lock", lock_names, kind_qspinlock, nullptr },
};

int run_debugfs(const pvsync_run_args *args, char *out, unsigned long size)
{
	stress::Config cfg = {
		.threads = static_cast<unsigned int>(args->param[p_threads]),
		.duration_ms = static_cast<unsigned int>(args->param[p_duration_ms]),
		.hold_ns = static_cast<unsigned int>(args->param[p_hold_ns]),
		.gap_ns = static_cast<unsigned int>(args->param[p_gap_ns]),
		.irq_every_us = static_cast<unsigned int>(args->param[p_irq_every_us]),
	};
	stress::Result res;
	TextBuf text(out, size);
	int ret = run_kind(args->choice[0], cfg, &res);

	if (ret)
		return ret;
	text.line("experiment: locks");
	text.line("kernel_spinlock: %s", pvk_kernel_spinlock_impl());
	res.print(text);
	text.finish();
	return 0;
}

unsigned long stats_show(char *buf, unsigned long size)
{
	TextBuf text(buf, size);

	lockevents_print(text);
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
