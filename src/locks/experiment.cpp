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
#include "core/settings.hpp"
#include "core/text_buf.hpp"
#include "locks/ticket_lock.hpp"

namespace pv::locks {

namespace {

/* The kernel's spins before a halt (SPIN_THRESHOLD, 1 << 15). */
constexpr unsigned int kernel_spin_threshold = 1U << 15;

using RunFn = int (*)(const Config &cfg, stress::Result *res,
		      bool failures_expected);

/* Runners: each is the stress engine with one lock type. */
template <typename Lock>
int run_lock(const Config &cfg, stress::Result *res, bool failures_expected)
{
	return stress::run<Lock>(cfg, res, failures_expected);
}

template <typename Lock>
constexpr Option<RunFn> lock_kind = { Lock::name, run_lock<Lock> };

/* A lock with both Events policies: the instantiation cfg.events names. */
template <typename On, typename Off>
int run_lock_events(const Config &cfg, stress::Result *res,
		    bool failures_expected)
{
	if (cfg.events == events_off)
		return stress::run<Off>(cfg, res, failures_expected);
	return stress::run<On>(cfg, res, failures_expected);
}

/* A mutant: counted only, it exists for the checks. */
template <typename Lock>
int run_mutant(const Config &cfg, stress::Result *res, bool failures_expected)
{
	if (cfg.events != events_on)
		return -22;	/* -EINVAL */
	return stress::run<Lock>(cfg, res, failures_expected);
}

template <typename Lock>
constexpr Option<RunFn> mutant_kind = { Lock::name, run_mutant<Lock> };

/*
 * The paravirt lock with backend @B and flaw @F, its spin threshold and
 * lost-kick bound from the settings; back to the defaults afterwards, for
 * anyone else (KUnit).
 */
template <typename B, typename F>
int run_pv_with(const Config &cfg, stress::Result *res,
		bool failures_expected)
{
	using Lock = PvQSpinLock<B, PvHashDefault, F, PvSpinTunable>;
	using Uncounted = PvQSpinLock<B, PvHashDefault, F, PvSpinTunable,
				      EventsOff>;
	constexpr bool mutant = !__is_same(F, PvNoFlaw);
	int ret;

	/* The paravirt mutants, as the others, exist only counted. */
	if (mutant && cfg.events != events_on)
		return -22;	/* -EINVAL */
	pv_spin_threshold.set(cfg.spin_threshold);
	pv_lost_kick_ms.set(cfg.lost_kick_ms);
	if constexpr (mutant)
		ret = stress::run<Lock>(cfg, res, failures_expected);
	else
		ret = run_lock_events<Lock, Uncounted>(cfg, res,
						       failures_expected);
	pv_spin_threshold.set(kernel_spin_threshold);
	pv_lost_kick_ms.set(pv_lost_kick_ms_default);
	return ret;
}

/* The paravirt lock's variants with backend @B, in enum Variant order. */
template <typename B>
constexpr Option<RunFn> pv_variants[] = {
	{ PvNoFlaw::name, run_pv_with<B, PvNoFlaw> },
	{ PvFlawSeedUnhash::name, run_pv_with<B, PvFlawSeedUnhash> },
	{ PvFlawUnlockIgnoresSlow::name,
	  run_pv_with<B, PvFlawUnlockIgnoresSlow> },
	{ PvFlawSlowEveryPass::name, run_pv_with<B, PvFlawSlowEveryPass> },
	{ PvFlawWakeStoresRunning::name,
	  run_pv_with<B, PvFlawWakeStoresRunning> },
	{ PvFlawWaitNodeNoMb::name, run_pv_with<B, PvFlawWaitNodeNoMb> },
	{ PvFlawUnhashBeforeLocked::name,
	  run_pv_with<B, PvFlawUnhashBeforeLocked> },
	{ PvFlawUnlockSkipsKick::name, run_pv_with<B, PvFlawUnlockSkipsKick> },
};
static_assert(sizeof(pv_variants<PvBackendNative>) /
	      sizeof(pv_variants<PvBackendNative>[0]) == nr_variants);

/* What a backend offers: its runner, and whether it can run here. */
struct BackendOps {
	RunFn run;
	int (*available)(char *why, unsigned long size);
};

template <typename B>
int run_pv_backend(const Config &cfg, stress::Result *res,
		   bool failures_expected)
{
	char why[128];

	if (B::available(why, sizeof(why)))
		return -19;	/* -ENODEV */
	return pv_variants<B>[cfg.variant].run(cfg, res, failures_expected);
}

template <typename B>
int backend_available_here(char *why, unsigned long size)
{
	return B::available(why, size);
}

template <typename B>
constexpr BackendOps backend_ops = { run_pv_backend<B>,
				     backend_available_here<B> };

/* The backends, in enum Backend order. */
constexpr Option<const BackendOps *> backends[] = {
	{ PvBackendEmulated<>::name, &backend_ops<PvBackendEmulated<>> },
	{ PvBackendNative::name, &backend_ops<PvBackendNative> },
	{ PvBackendHost::name, &backend_ops<PvBackendHost> },
	{ PvBackendEmulatedSpurious::name,
	  &backend_ops<PvBackendEmulatedSpurious> },
};
static_assert(sizeof(backends) / sizeof(backends[0]) == nr_backends);

int run_pv_chosen(const Config &cfg, stress::Result *res,
		  bool failures_expected)
{
	return backends[cfg.backend].run->run(cfg, res, failures_expected);
}

/* The lock kinds, in enum Kind order. */
constexpr Option<RunFn> kinds[] = {
	{ QSpinLock<>::name,
	  run_lock_events<QSpinLock<>,
			  QSpinLock<WordLayoutSmall, 512, QSpinLockCorrect,
				    EventsOff>> },
	lock_kind<TicketLock>,
	lock_kind<KernelSpinLock>,
	lock_kind<BustedLock>,
	{ "pvqspinlock", run_pv_chosen },
	mutant_kind<QSpinLock<WordLayoutSmall, 512, QSpinLockMutantPendingNoWait>>,
	mutant_kind<QSpinLock<WordLayoutSmall, 512, QSpinLockMutantHeadNoWait>>,
};
static_assert(sizeof(kinds) / sizeof(kinds[0]) == nr_kinds);

constexpr auto lock_names = settings::names(kinds);
constexpr auto backend_names = settings::names(backends);
constexpr auto variant_names = settings::names(pv_variants<PvBackendNative>);
constexpr const char *events_names[nr_events + 1] = { "on", "off", nullptr };

/* "host" needs the running kernel's paravirt spinlocks. */
int backend_available(unsigned int option, char *why, unsigned long size)
{
	return backends[option].run->available(why, size);
}

/* Settings that only the paravirt lock reads are shown only for it. */
bool pv_only(const Config &cfg)
{
	return cfg.lock == kind_pvqspinlock;
}

/* The settings, once: debugfs files, bounds, defaults, result lines. */
constexpr Param<Config> params[] = {
	{ "threads", 1, stress::max_threads, 4, &Config::threads },
	{ "duration_ms", 10, 60000, 1000, &Config::duration_ms },
	{ "hold_ns", 0, 100000, 100, &Config::hold_ns },
	{ "gap_ns", 0, 1000000, 200, &Config::gap_ns },
	{ "irq_every_us", 0, 1000000, 200, &Config::irq_every_us },
	/* pvqspinlock only: spins before a waiter halts (the kernel's 2^15) */
	{ "spin_threshold", 1, 1U << 20, kernel_spin_threshold,
	  &Config::spin_threshold, pv_only },
	/*
	 * pvqspinlock, emulated backends: a waiter halted this long without
	 * its kick records a lost kick.  A correct lock's queue at 4x
	 * overcommit on a loaded host can keep a waiter halted past 1 s:
	 * scripts/soak raises it (Documentation/judges.rst).  At most half
	 * the engine's 10 s stop bound: after the first lost kick the
	 * backend halts no more, so a failed run still stops in time.
	 */
	{ "lost_kick_ms", 100, 5000, pv_lost_kick_ms_default,
	  &Config::lost_kick_ms, pv_only },
	/* pvqspinlock only: drive the run until this many halts (0: off) */
	{ "min_halts", 0, 100000, 0, &Config::min_halts, pv_only },
};

constexpr Choice<Config> choices[] = {
	{ "lock", lock_names.v, kind_qspinlock, nullptr, &Config::lock },
	{ "backend", backend_names.v, backend_emulated, backend_available,
	  &Config::backend, pv_only },
	{ "variant", variant_names.v, variant_correct, nullptr,
	  &Config::variant, pv_only },
	{ "events", events_names, events_on, nullptr, &Config::events },
};

constexpr auto debugfs_params = settings::debugfs(params);
constexpr auto debugfs_choices = settings::debugfs(choices);

int run_debugfs(const pvsync_run_args *args, char *out, unsigned long size)
{
	Config cfg = settings::from_args(params, choices, args);
	stress::Result res;
	TextBuf text(out, size);
	int ret = run(cfg, &res);

	if (ret)
		return ret;
	text.kv("experiment", "locks");
	text.kv("kernel_spinlock", pvk_kernel_spinlock_impl());
	settings::print(text, params, choices, cfg);
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

	text.kv("pv_latency_kick_avg_ns",
		kicks ? lockevent_sum(LockEvent::pv_latency_kick) / kicks : 0);
	text.kv("pv_latency_wake_avg_ns",
		wakes ? lockevent_sum(LockEvent::pv_latency_wake) / wakes : 0);
	/* Hops per hashed lock, x 100; as the kernel, per unlock kick. */
	text.kv("pv_hash_hops_avg_x100",
		kicks ? lockevent_sum(LockEvent::pv_hash_hops) * 100 / kicks : 0);
	return text.finish();
}

} /* namespace */

Config default_config()
{
	return settings::defaults(params, choices);
}

int run(const Config &cfg, stress::Result *res, bool failures_expected)
{
	if (cfg.lock >= nr_kinds || cfg.backend >= nr_backends ||
	    cfg.variant >= nr_variants || cfg.events >= nr_events)
		return -22;	/* -EINVAL */
	return kinds[cfg.lock].run(cfg, res, failures_expected);
}

int run_kind(unsigned int kind, const stress::Config &cfg,
	     stress::Result *res)
{
	Config c = default_config();

	static_cast<stress::Config &>(c) = cfg;
	c.lock = kind;
	return run(c, res);
}

int run_pv(unsigned int backend, unsigned int variant,
	   const stress::Config &cfg, stress::Result *res,
	   bool failures_expected)
{
	Config c = default_config();

	static_cast<stress::Config &>(c) = cfg;
	c.lock = kind_pvqspinlock;
	c.backend = backend;
	c.variant = variant;
	return run(c, res, failures_expected);
}

constinit const pvsync_experiment experiment = settings::describe(
	"locks", debugfs_params, debugfs_choices, run_debugfs, stats_show,
	lockevents_reset);

} /* namespace pv::locks */
