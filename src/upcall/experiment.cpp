// SPDX-License-Identifier: GPL-2.0
/*
 * experiment.cpp - the "upcall" experiment (/sys/kernel/debug/pvsync/upcall/):
 * one guest thread per CPU runs the masking sequences of upcall.hpp while
 * that CPU's emulated hypervisor (a pinned hrtimer, and IPIs from the
 * neighbouring CPU's thread) raises events; then everything is quiesced and
 * the books are checked.  Every run also measures a mask/unmask pair with
 * each barrier kind, side by side.
 *
 * A run, step by step:
 *   1. measure the four barrier kinds (irqs off, best of 5 samples);
 *   2. per CPU: an emulated vCPU in per-CPU memory, a pinned hrtimer, a
 *      bound thread that arms the timer and waits for "go";
 *   3. the threads loop for duration_ms: mask, masked section (a plain
 *      counter shared with the handler, sometimes a nested mask/restore),
 *      then restore or unmask-then-check on alternate rounds, then the
 *      "nothing pending after unmask" check; every ipi_every rounds an IPI
 *      makes the next CPU's hypervisor raise events too;
 *   4. stop the threads (bounded), destroy the timers, wait for IPIs in
 *      flight (bounded), then on each CPU, in an IPI: record a mask left
 *      set or anything left pending, drain it with the correct sequence;
 *   5. per port raised == handled, the violation counters, the verdict.
 * The migrate variant replaces step 3's preemption-off loop by a
 * preemptible one that moves itself to the next CPU inside the section.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/crew.hpp"
#include "upcall/experiment.hpp"
#include <pvsync/kapi.h>
#include "core/run_control.hpp"
#include "core/measure.hpp"
#include "core/settings.hpp"
#include "core/text_buf.hpp"
#include "upcall/upcall.hpp"

namespace pv::upcall {

namespace {

constexpr unsigned int max_cpus = 64;
constexpr unsigned int start_timeout_ms = 5000;
constexpr unsigned int stop_timeout_ms = 10000;
constexpr unsigned int ipi_timeout_ms = 2000;
constexpr unsigned int cost_samples = 5;

struct Run;

/* One CPU of the run: its vCPU, timer, thread and the thread's counts. */
struct alignas(64) Slot {
	Run *run;
	unsigned int idx, cpu;
	Vcpu *v;
	pvk_irq_timer *timer;
	/* written by the thread only */
	uint64_t sections, unmasks, nested, migrations, ipis_sent;
	uint64_t pending_after_unmask, nesting_broken;
	/* written by the final check (step 4) */
	uint32_t mask_left, pending_left;
	uint64_t stranded;
};

struct Run {
	Config cfg;
	unsigned int n;
	uint64_t hold_cycles, gap_cycles;
	Crew crew;			/* the slots with a timer, in order */
	uint64_t ipis_done;		/* atomic: bumped by the IPI function */
	void *pcp;
	Slot slot[max_cpus];
};

/* Event counters across runs, for the stats file. */
struct Stats {
	uint64_t runs, passed, failed;
	uint64_t raised, handled, coalesced, deferred;
	uint64_t delivered_direct, delivered_forced;
	uint64_t violations;
};

Stats stats;

uint64_t handled_sum(const Vcpu *v)
{
	uint64_t sum = 0;

	for (unsigned int p = 0; p < max_ports; p++)
		sum += READ_ONCE(v->handled[p]);
	return sum;
}

template <typename G>
struct Engine {
	static void timer_fn(void *arg)
	{
		auto *s = static_cast<Slot *>(arg);

		hv_irq<G>(s->v, s->run->cfg.burst);
	}

	static void ipi_fn(void *arg)
	{
		auto *s = static_cast<Slot *>(arg);

		hv_irq<G>(s->v, s->run->cfg.burst);
		atomic_add(&s->run->ipis_done, 1);
	}

	/* Step 4, on the slot's CPU with irqs off: look, then drain. */
	static void final_fn(void *arg)
	{
		using Drain = Guest<typename G::barrier_type>;
		auto *s = static_cast<Slot *>(arg);
		Vcpu *v = s->v;
		bool left = READ_ONCE(v->info.evtchn_upcall_pending) ||
			    READ_ONCE(v->info.evtchn_pending_sel);

		for (unsigned int w = 0; w < port_words; w++)
			left = left || READ_ONCE(v->evtchn_pending[w]);
		s->mask_left = READ_ONCE(v->info.evtchn_upcall_mask) != 0;
		s->pending_left = left;

		uint64_t before = handled_sum(v);

		/* The correct unmask, then a full scan whatever pending
		 * says: whatever was stranded is counted, not lost. */
		WRITE_ONCE(v->info.evtchn_upcall_mask, 0);
		Drain::upcall(v);
		s->stranded = handled_sum(v) - before;
	}

	/* The masked section: a plain read-modify-write of data the
	 * handler also updates, stretched by hold_cycles. */
	static void section(Slot *s, Vcpu *v, bool nest, bool migrate)
	{
		Run *r = s->run;
		uint64_t c = READ_ONCE(v->protected_count);

		WRITE_ONCE(v->guest_sections, READ_ONCE(v->guest_sections) + 1);
		if (migrate) {
			/* The seed's "curcpu() not stable": move to the next
			 * CPU while holding this CPU's vcpu_info. */
			unsigned int to = r->slot[(s->idx + 1) % r->n].cpu;

			if (pvk_migrate_current(to) == 0)
				s->migrations++;
		}
		if (r->hold_cycles)
			delay_cycles(r->hold_cycles);
		if (nest) {
			uint8_t inner = G::mask(v);

			if (inner != 1)
				s->nesting_broken++;
			G::restore(v, inner);
			if (READ_ONCE(v->info.evtchn_upcall_mask) != 1)
				s->nesting_broken++;
			s->nested++;
		}
		WRITE_ONCE(v->protected_count, c + 1);
	}

	/* One round of the guest: mask, section, restore or unmask. */
	static void round(Slot *s, Vcpu *v, uint64_t i, bool migrate)
	{
		uint8_t old = G::mask(v);

		if (old != 0)
			s->nesting_broken++;	/* outermost starts unmasked */
		WRITE_ONCE(v->in_masked_section, 1);
		section(s, v, (i & 3) == 3, migrate);
		WRITE_ONCE(v->in_masked_section, 0);
		if (i & 1) {
			G::unmask(v);
			s->unmasks++;
		} else {
			G::restore(v, old);
		}
		s->sections++;
		/*
		 * Unmasked now, and every upcall runs to completion inside
		 * the interrupt that delivers it: pending can only be set
		 * here if an unmask failed to deliver it.
		 */
		if (READ_ONCE(v->info.evtchn_upcall_pending))
			s->pending_after_unmask++;
	}

	static void maybe_ipi(Slot *s, uint64_t i)
	{
		Run *r = s->run;

		if (!r->cfg.ipi_every || r->n < 2 || i % r->cfg.ipi_every)
			return;
		Slot *to = &r->slot[(s->idx + 1) % r->n];

		if (pvk_run_on_cpu(to->cpu, ipi_fn, to, false) == 0)
			s->ipis_sent++;
	}

	static Vcpu *vcpu_here(Run *r)
	{
		return static_cast<Vcpu *>(pvk_per_cpu_ptr(r->pcp,
							   pvk_this_cpu()));
	}

	/* Before started: bound to s->cpu, "here" is the slot's CPU. */
	static void prepare(void *arg)
	{
		pvk_irq_timer_start_here(static_cast<Slot *>(arg)->timer);
	}

	/* Between go and stop (crew.hpp). */
	static void body(void *arg)
	{
		auto *s = static_cast<Slot *>(arg);
		Run *r = s->run;
		bool migrate = r->cfg.variant == variant_migrate;

		for (uint64_t i = 0; !r->crew.stopping(); i++) {
			if (migrate) {
				/* Preemptible on purpose: the mutant. */
				round(s, vcpu_here(r), i, true);
			} else {
				PreemptGuard g;

				round(s, vcpu_here(r), i, false);
			}
			if (r->gap_cycles)
				delay_cycles(r->gap_cycles);
			maybe_ipi(s, i);
			if ((i & 63) == 0)
				pvk_cond_resched();
		}
	}

	static int run(const Config &cfg, Result *res);
};

uint64_t ipis_sent(const Run *r)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < r->n; i++)
		sum += r->slot[i].ipis_sent;
	return sum;
}

bool wait_ipis(Run *r)
{
	uint64_t sent = ipis_sent(r);

	/* Pairs with the IPI function's atomic add: its events are in. */
	return wait_until([r, sent] {
		return smp_load_acquire(&r->ipis_done) == sent;
	}, ipi_timeout_ms);
}

void collect(Run *r, Result *res, bool checked)
{
	for (unsigned int i = 0; i < r->n; i++) {
		const Slot *s = &r->slot[i];
		const Vcpu *v = s->v;

		res->sections += s->sections;
		res->unmasks += s->unmasks;
		res->nested += s->nested;
		res->migrations += s->migrations;
		res->pending_after_unmask += s->pending_after_unmask;
		res->nesting_broken += s->nesting_broken;
		res->hv_irqs += v->hv_irqs;
		res->coalesced += v->coalesced;
		res->deferred += v->deferred;
		res->delivered_direct += v->delivered_direct;
		res->delivered_forced += v->delivered_forced;
		res->cpu_unstable += READ_ONCE(v->cpu_unstable);
		res->handler_in_masked += READ_ONCE(v->handler_in_masked);
		res->handler_nested += READ_ONCE(v->handler_nested);
		res->handler_runaway += READ_ONCE(v->handler_runaway);
		res->hv_wrong_cpu += READ_ONCE(v->hv_wrong_cpu);
		if (!checked)
			continue;
		res->mask_left_set += s->mask_left;
		res->pending_at_quiesce += s->pending_left;
		res->stranded += s->stranded;
		/* The drain's own handler run is not a guest update. */
		res->handler_runs += v->handler_runs - 1;
		res->protected_expected += v->guest_sections + v->handler_runs;
		res->protected_actual += v->protected_count;
		for (unsigned int p = 0; p < max_ports; p++) {
			res->raised += v->raised[p];
			res->handled += v->handled[p];
			if (v->raised[p] == v->handled[p])
				continue;
			res->ports_mismatched++;
			if (v->raised[p] > v->handled[p])
				res->lost += v->raised[p] - v->handled[p];
			else
				res->duplicated += v->handled[p] - v->raised[p];
		}
	}
	res->handled -= res->stranded;
	res->protected_lost = res->protected_expected - res->protected_actual;
}

template <typename G>
int Engine<G>::run(const Config &cfg, Result *res)
{
	auto *r = static_cast<Run *>(pvk_zalloc(sizeof(Run)));
	unsigned int online = pvk_num_online_cpus();
	bool healthy;

	if (!r)
		return -12;	/* -ENOMEM */
	r->cfg = cfg;
	r->n = cfg.cpus && cfg.cpus < online ? cfg.cpus : online;
	if (r->n > max_cpus)
		r->n = max_cpus;
	r->hold_cycles = measure::ns_to_cycles(cfg.hold_ns);
	r->gap_cycles = measure::ns_to_cycles(cfg.gap_ns);
	r->pcp = pvk_percpu_zalloc(sizeof(Vcpu), alignof(Vcpu));
	if (!r->pcp) {
		pvk_free(r);
		return -12;
	}
	res->cpus = r->n;
	for (unsigned int i = 0; i < r->n; i++) {
		Slot *s = &r->slot[i];

		s->run = r;
		s->idx = i;
		s->cpu = pvk_nth_online_cpu(i);
		s->v = static_cast<Vcpu *>(pvk_per_cpu_ptr(r->pcp, s->cpu));
		vcpu_init(s->v, s->cpu, cfg.ports);
		s->timer = pvk_irq_timer_create(timer_fn, s,
						cfg.timer_us * 1000ULL);
	}
	for (unsigned int i = 0; i < r->n; i++) {
		Slot *s = &r->slot[i];

		if (s->timer)
			r->crew.add(s->cpu, body, s, "pvsync/upcall", prepare);
	}
	r->crew.wait_started(start_timeout_ms);
	res->threads_started = r->crew.started();

	uint64_t start = pvk_now_ns();

	if (res->threads_started == r->n) {
		/* Publishes the settings to the threads (crew.hpp). */
		r->crew.go();
		res->stopped_early = run_for(cfg.duration_ms);
	}
	r->crew.stop();
	res->elapsed_ns = pvk_now_ns() - start;
	res->threads_wedged = r->crew.finish(stop_timeout_ms);
	if (!res->threads_wedged) {
		for (unsigned int i = 0; i < r->n; i++)
			pvk_irq_timer_destroy(r->slot[i].timer);
	}
	res->ipis_sent = ipis_sent(r);
	healthy = !res->threads_wedged && wait_ipis(r);
	res->ipis_done = READ_ONCE(r->ipis_done);
	if (healthy) {
		for (unsigned int i = 0; i < r->n; i++)
			pvk_run_on_cpu(r->slot[i].cpu, final_fn, &r->slot[i],
				       true);
	}
	collect(r, res, healthy);
	/* Something may still use the memory unless healthy: leak it. */
	if (safe_to_free(!healthy, "an upcall thread or IPI is still running")) {
		pvk_percpu_free(r->pcp);
		pvk_free(r);
	}
	return 0;
}

/* Best of cost_samples runs of @pairs mask/unmask pairs, irqs off. */
template <typename B>
Cost measure_one(Vcpu *v, unsigned int pairs)
{
	using G = Guest<B, NoAssert>;
	uint64_t best_cycles = ~0ULL, best_ns = ~0ULL;

	for (unsigned int k = 0; k < cost_samples; k++) {
		IrqSaveGuard irq;
		uint64_t t0 = pvk_now_ns();
		uint64_t c0 = rdtsc_ordered();

		for (unsigned int i = 0; i < pairs; i++) {
			G::mask(v);
			G::unmask(v);
		}

		uint64_t c1 = rdtsc_ordered();
		uint64_t t1 = pvk_now_ns();

		if (c1 - c0 < best_cycles)
			best_cycles = c1 - c0;
		if (t1 - t0 < best_ns)
			best_ns = t1 - t0;
	}
	return Cost{ measure::mul_div(best_ns, 1000, pairs),
		     measure::mul_div(best_cycles, 100, pairs) };
}

/* Settings and runners ------------------------------------------------ */

using RunFn = int (*)(const Config &cfg, Result *res);
using CostFn = Cost (*)(Vcpu *v, unsigned int pairs);

/* The variants with barrier @B, in the order of enum Variant. */
template <typename B>
constexpr Option<RunFn> variants[] = {
	{ "correct", Engine<Guest<B>>::run },
	{ "no_recheck", Engine<Guest<B, AssertStable, false>>::run },
	{ "migrate", Engine<Guest<B>>::run },
};
static_assert(sizeof(variants<CompilerBarrier>) /
	      sizeof(variants<CompilerBarrier>[0]) == nr_variants);

/* What a barrier kind runs: the stress, and the cost measurement. */
struct BarrierOps {
	RunFn run;
	CostFn cost;
};

template <typename B>
int run_barrier(const Config &cfg, Result *res)
{
	return variants<B>[cfg.variant].run(cfg, res);
}

template <typename B>
constexpr BarrierOps barrier_ops = { run_barrier<B>, measure_one<B> };

/* The barrier kinds, in the order of enum BarrierKind. */
constexpr Option<const BarrierOps *> barriers[] = {
	{ CompilerBarrier::name, &barrier_ops<CompilerBarrier> },
	{ Lfence::name, &barrier_ops<Lfence> },
	{ Mfence::name, &barrier_ops<Mfence> },
	{ LockedAdd::name, &barrier_ops<LockedAdd> },
};
static_assert(sizeof(barriers) / sizeof(barriers[0]) == nr_barriers);

constexpr auto barrier_list = settings::names(barriers);
constexpr auto variant_list = settings::names(variants<CompilerBarrier>);

constexpr Param<Config> params[] = {
	{ "cpus", 0, max_cpus, 0, &Config::cpus },
	{ "duration_ms", 10, 60000, 500, &Config::duration_ms },
	{ "hold_ns", 0, 100000, 2000, &Config::hold_ns },
	{ "gap_ns", 0, 1000000, 1000, &Config::gap_ns },
	{ "timer_us", 5, 100000, 20, &Config::timer_us },
	{ "ipi_every", 0, 1000000, 16, &Config::ipi_every },
	{ "burst", 1, 16, 3, &Config::burst },
	{ "ports", 1, max_ports, max_ports, &Config::ports },
	{ "cost_pairs", 1000, 1000000, 50000, &Config::cost_pairs },
};

constexpr Choice<Config> choices[] = {
	{ "barrier", barrier_list.v, barrier_compiler, nullptr,
	  &Config::barrier },
	{ "variant", variant_list.v, variant_correct, nullptr,
	  &Config::variant },
};

constexpr auto debugfs_params = settings::debugfs(params);
constexpr auto debugfs_choices = settings::debugfs(choices);

int run_debugfs(const pvsync_run_args *args, char *out, unsigned long size)
{
	Config cfg = settings::from_args(params, choices, args);
	auto *res = static_cast<Result *>(pvk_zalloc(sizeof(Result)));
	TextBuf text(out, size);
	int ret;

	if (!res)
		return -12;
	ret = run(cfg, res);
	if (!ret) {
		text.kv("experiment", "upcall");
		res->print(text);
		text.finish();
	}
	pvk_free(res);
	return ret;
}

unsigned long stats_show(char *buf, unsigned long size)
{
	TextBuf text(buf, size);

	text.kv("runs", READ_ONCE(stats.runs));
	text.kv("runs_passed", READ_ONCE(stats.passed));
	text.kv("runs_failed", READ_ONCE(stats.failed));
	text.kv("events_raised", READ_ONCE(stats.raised));
	text.kv("events_handled", READ_ONCE(stats.handled));
	text.kv("events_coalesced", READ_ONCE(stats.coalesced));
	text.kv("upcalls_deferred", READ_ONCE(stats.deferred));
	text.kv("upcalls_delivered_direct", READ_ONCE(stats.delivered_direct));
	text.kv("upcalls_delivered_forced", READ_ONCE(stats.delivered_forced));
	text.kv("violations", READ_ONCE(stats.violations));
	return text.finish();
}

void stats_reset()
{
	uint64_t *f[] = { &stats.runs, &stats.passed, &stats.failed,
			  &stats.raised, &stats.handled, &stats.coalesced,
			  &stats.deferred, &stats.delivered_direct,
			  &stats.delivered_forced, &stats.violations };

	for (uint64_t *p : f)
		WRITE_ONCE(*p, 0);
}

} /* namespace */

const char *const *const barrier_names = barrier_list.v;
const char *const *const variant_names = variant_list.v;

Config default_config()
{
	return settings::defaults(params, choices);
}

void measure_costs(unsigned int pairs, Cost cost[nr_barriers])
{
	auto *v = static_cast<Vcpu *>(pvk_zalloc(sizeof(Vcpu)));

	if (!v)
		return;
	vcpu_init(v, 0, 1);
	for (unsigned int b = 0; b < nr_barriers; b++)
		cost[b] = barriers[b].run->cost(v, pairs);
	pvk_free(v);
}

int run(const Config &cfg, Result *res)
{
	int ret;

	res->cfg = cfg;
	if (cfg.barrier >= nr_barriers || cfg.variant >= nr_variants)
		return -22;	/* -EINVAL */
	measure_costs(cfg.cost_pairs, res->cost);
	ret = barriers[cfg.barrier].run->run(cfg, res);
	if (ret)
		return ret;
	atomic_add(&stats.runs, 1);
	atomic_add(res->passed() ? &stats.passed : &stats.failed, 1);
	atomic_add(&stats.raised, res->raised);
	atomic_add(&stats.handled, res->handled);
	atomic_add(&stats.coalesced, res->coalesced);
	atomic_add(&stats.deferred, res->deferred);
	atomic_add(&stats.delivered_direct, res->delivered_direct);
	atomic_add(&stats.delivered_forced, res->delivered_forced);
	atomic_add(&stats.violations, res->violations());
	return 0;
}

uint64_t Result::violations() const
{
	return pending_after_unmask + nesting_broken + protected_lost +
	       cpu_unstable + handler_in_masked + handler_nested +
	       handler_runaway + hv_wrong_cpu + mask_left_set +
	       pending_at_quiesce + stranded + lost + duplicated;
}

bool Result::passed() const
{
	return threads_started == cpus && !threads_wedged &&
	       ipis_done == ipis_sent && sections > 0 && raised > 0 &&
	       handled == raised && ports_mismatched == 0 &&
	       violations() == 0;
}

void Result::print(TextBuf &out) const
{
	/* The cpus line is the count the run used (0 means every CPU). */
	Config shown = cfg;

	shown.cpus = cpus;
	settings::print(out, params, choices, shown);
	out.kv("threads_started", threads_started);
	out.kv("threads_wedged", threads_wedged);
	out.kv("stopped_early", stopped_early ? stopped_early : "no");
	out.kv("elapsed_ms", elapsed_ns / 1000000);
	out.kv("masked_sections", sections);
	out.kv("unmask_sequences", unmasks);
	out.kv("restore_sequences", sections - unmasks);
	out.kv("nested_sections", nested);
	out.kv("migrations", migrations);
	out.kv("hypervisor_irqs", hv_irqs);
	out.kv("ipis_sent", ipis_sent);
	out.kv("ipis_done", ipis_done);
	out.kv("events_raised", raised);
	out.kv("events_coalesced", coalesced);
	out.kv("events_handled", handled);
	out.kv("events_stranded", stranded);
	out.kv("events_lost", lost);
	out.kv("events_duplicated", duplicated);
	out.kv("ports_mismatched", ports_mismatched);
	out.kv("upcalls_deferred", deferred);
	out.kv("upcalls_delivered_direct", delivered_direct);
	out.kv("upcalls_delivered_forced", delivered_forced);
	out.kv("handler_runs", handler_runs);
	out.kv("pending_after_unmask", pending_after_unmask);
	out.kv("nesting_broken", nesting_broken);
	out.kv("protected_expected", protected_expected);
	out.kv("protected_actual", protected_actual);
	out.kv("cpu_unstable", cpu_unstable);
	out.kv("handler_in_masked_section", handler_in_masked);
	out.kv("handler_nested", handler_nested);
	out.kv("handler_runaway", handler_runaway);
	out.kv("hypervisor_wrong_cpu", hv_wrong_cpu);
	out.kv("mask_left_set", mask_left_set);
	out.kv("pending_at_quiesce", pending_at_quiesce);
	for (unsigned int b = 0; b < nr_barriers; b++) {
		char key[48];

		pvk_snprintf(key, sizeof(key), "cost_%s_ns", barrier_names[b]);
		out.kv(key, Fixed{ cost[b].ps, 3 });
		pvk_snprintf(key, sizeof(key), "cost_%s_cycles",
			     barrier_names[b]);
		out.kv(key, Fixed{ cost[b].centicycles, 2 });
	}
	uint64_t base = cost[barrier_compiler].ps ? cost[barrier_compiler].ps : 1;

	out.kv("cost_mfence_over_compiler",
	       Fixed{ measure::mul_div(cost[barrier_mfence].ps, 100, base), 2 });
	out.kv("cost_lfence_over_compiler",
	       Fixed{ measure::mul_div(cost[barrier_lfence].ps, 100, base), 2 });
	out.kv("cost_locked_add_over_compiler",
	       Fixed{ measure::mul_div(cost[barrier_locked_add].ps, 100, base), 2 });
	out.verdict(passed());
}

const pvsync_experiment experiment = {
	.name = "upcall",
	.params = debugfs_params.v,
	.nr_params = debugfs_params.size(),
	.choices = debugfs_choices.v,
	.nr_choices = debugfs_choices.size(),
	.run = run_debugfs,
	.stats_show = stats_show,
	.stats_reset = stats_reset,
};

} /* namespace pv::upcall */
