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
#include "core/text_buf.hpp"
#include "upcall/upcall.hpp"

namespace pv::upcall {

const char *const barrier_names[nr_barriers + 1] = {
	[barrier_compiler] = CompilerBarrier::name,
	[barrier_lfence] = Lfence::name,
	[barrier_mfence] = Mfence::name,
	[barrier_locked_add] = LockedAdd::name,
	[nr_barriers] = nullptr,
};

const char *const variant_names[nr_variants + 1] = {
	[variant_correct] = "correct",
	[variant_no_recheck] = "no_recheck",
	[variant_migrate] = "migrate",
	[nr_variants] = nullptr,
};

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

template <typename B>
int run_barrier(const Config &cfg, Result *res)
{
	if (cfg.variant == variant_no_recheck)
		return Engine<Guest<B, AssertStable, false>>::run(cfg, res);
	return Engine<Guest<B>>::run(cfg, res);
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

/* Parameters ---------------------------------------------------------- */

enum Param : unsigned int {
	p_cpus,
	p_duration_ms,
	p_hold_ns,
	p_gap_ns,
	p_timer_us,
	p_ipi_every,
	p_burst,
	p_ports,
	p_cost_pairs,
	nr_params,
};

constexpr pvsync_param params[nr_params] = {
	[p_cpus] = { "cpus", 0, max_cpus, 0 },
	[p_duration_ms] = { "duration_ms", 10, 60000, 500 },
	[p_hold_ns] = { "hold_ns", 0, 100000, 2000 },
	[p_gap_ns] = { "gap_ns", 0, 1000000, 1000 },
	[p_timer_us] = { "timer_us", 5, 100000, 20 },
	[p_ipi_every] = { "ipi_every", 0, 1000000, 16 },
	[p_burst] = { "burst", 1, 16, 3 },
	[p_ports] = { "ports", 1, max_ports, max_ports },
	[p_cost_pairs] = { "cost_pairs", 1000, 1000000, 50000 },
};

enum ChoiceIdx : unsigned int { c_barrier, c_variant, nr_choices };

constexpr pvsync_choice choices[nr_choices] = {
	[c_barrier] = { "barrier", barrier_names, barrier_compiler, nullptr },
	[c_variant] = { "variant", variant_names, variant_correct, nullptr },
};

int run_debugfs(const pvsync_run_args *args, char *out, unsigned long size)
{
	auto u = [args](unsigned int p) {
		return static_cast<unsigned int>(args->param[p]);
	};
	Config cfg = {
		.barrier = args->choice[c_barrier],
		.variant = args->choice[c_variant],
		.cpus = u(p_cpus),
		.duration_ms = u(p_duration_ms),
		.hold_ns = u(p_hold_ns),
		.gap_ns = u(p_gap_ns),
		.timer_us = u(p_timer_us),
		.ipi_every = u(p_ipi_every),
		.burst = u(p_burst),
		.ports = u(p_ports),
		.cost_pairs = u(p_cost_pairs),
	};
	auto *res = static_cast<Result *>(pvk_zalloc(sizeof(Result)));
	TextBuf text(out, size);
	int ret;

	if (!res)
		return -12;
	ret = run(cfg, res);
	if (!ret) {
		text.line("experiment: upcall");
		res->print(text);
		text.finish();
	}
	pvk_free(res);
	return ret;
}

unsigned long stats_show(char *buf, unsigned long size)
{
	TextBuf text(buf, size);
	auto v = [](const uint64_t &x) {
		return static_cast<unsigned long long>(READ_ONCE(x));
	};

	text.line("runs: %llu", v(stats.runs));
	text.line("runs_passed: %llu", v(stats.passed));
	text.line("runs_failed: %llu", v(stats.failed));
	text.line("events_raised: %llu", v(stats.raised));
	text.line("events_handled: %llu", v(stats.handled));
	text.line("events_coalesced: %llu", v(stats.coalesced));
	text.line("upcalls_deferred: %llu", v(stats.deferred));
	text.line("upcalls_delivered_direct: %llu", v(stats.delivered_direct));
	text.line("upcalls_delivered_forced: %llu", v(stats.delivered_forced));
	text.line("violations: %llu", v(stats.violations));
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

void print_fixed2(TextBuf &out, const char *key, uint64_t hundredths)
{
	out.line("%s: %llu.%02llu", key, (unsigned long long)(hundredths / 100),
		 (unsigned long long)(hundredths % 100));
}

} /* namespace */

Config default_config()
{
	return Config{
		.barrier = barrier_compiler,
		.variant = variant_correct,
		.cpus = static_cast<unsigned int>(params[p_cpus].def),
		.duration_ms = static_cast<unsigned int>(params[p_duration_ms].def),
		.hold_ns = static_cast<unsigned int>(params[p_hold_ns].def),
		.gap_ns = static_cast<unsigned int>(params[p_gap_ns].def),
		.timer_us = static_cast<unsigned int>(params[p_timer_us].def),
		.ipi_every = static_cast<unsigned int>(params[p_ipi_every].def),
		.burst = static_cast<unsigned int>(params[p_burst].def),
		.ports = static_cast<unsigned int>(params[p_ports].def),
		.cost_pairs = static_cast<unsigned int>(params[p_cost_pairs].def),
	};
}

void measure_costs(unsigned int pairs, Cost cost[nr_barriers])
{
	auto *v = static_cast<Vcpu *>(pvk_zalloc(sizeof(Vcpu)));

	if (!v)
		return;
	vcpu_init(v, 0, 1);
	cost[barrier_compiler] = measure_one<CompilerBarrier>(v, pairs);
	cost[barrier_lfence] = measure_one<Lfence>(v, pairs);
	cost[barrier_mfence] = measure_one<Mfence>(v, pairs);
	cost[barrier_locked_add] = measure_one<LockedAdd>(v, pairs);
	pvk_free(v);
}

int run(const Config &cfg, Result *res)
{
	int ret;

	res->cfg = cfg;
	measure_costs(cfg.cost_pairs, res->cost);
	switch (cfg.barrier) {
	case barrier_compiler:
		ret = run_barrier<CompilerBarrier>(cfg, res);
		break;
	case barrier_lfence:
		ret = run_barrier<Lfence>(cfg, res);
		break;
	case barrier_mfence:
		ret = run_barrier<Mfence>(cfg, res);
		break;
	case barrier_locked_add:
		ret = run_barrier<LockedAdd>(cfg, res);
		break;
	default:
		return -22;	/* -EINVAL */
	}
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
	out.line("barrier: %s", barrier_names[cfg.barrier]);
	out.line("variant: %s", variant_names[cfg.variant]);
	out.line("cpus: %u", cpus);
	out.line("duration_ms: %u", cfg.duration_ms);
	out.line("hold_ns: %u", cfg.hold_ns);
	out.line("gap_ns: %u", cfg.gap_ns);
	out.line("timer_us: %u", cfg.timer_us);
	out.line("ipi_every: %u", cfg.ipi_every);
	out.line("burst: %u", cfg.burst);
	out.line("ports: %u", cfg.ports);
	out.line("cost_pairs: %u", cfg.cost_pairs);
	out.line("threads_started: %u", threads_started);
	out.line("threads_wedged: %u", threads_wedged);
	out.line("stopped_early: %s", stopped_early ? stopped_early : "no");
	out.line("elapsed_ms: %llu", (unsigned long long)(elapsed_ns / 1000000));

	auto l = [&out](const char *k, uint64_t x) {
		out.line("%s: %llu", k, (unsigned long long)x);
	};

	l("masked_sections", sections);
	l("unmask_sequences", unmasks);
	l("restore_sequences", sections - unmasks);
	l("nested_sections", nested);
	l("migrations", migrations);
	l("hypervisor_irqs", hv_irqs);
	l("ipis_sent", ipis_sent);
	l("ipis_done", ipis_done);
	l("events_raised", raised);
	l("events_coalesced", coalesced);
	l("events_handled", handled);
	l("events_stranded", stranded);
	l("events_lost", lost);
	l("events_duplicated", duplicated);
	l("ports_mismatched", ports_mismatched);
	l("upcalls_deferred", deferred);
	l("upcalls_delivered_direct", delivered_direct);
	l("upcalls_delivered_forced", delivered_forced);
	l("handler_runs", handler_runs);
	l("pending_after_unmask", pending_after_unmask);
	l("nesting_broken", nesting_broken);
	l("protected_expected", protected_expected);
	l("protected_actual", protected_actual);
	l("cpu_unstable", cpu_unstable);
	l("handler_in_masked_section", handler_in_masked);
	l("handler_nested", handler_nested);
	l("handler_runaway", handler_runaway);
	l("hypervisor_wrong_cpu", hv_wrong_cpu);
	l("mask_left_set", mask_left_set);
	l("pending_at_quiesce", pending_at_quiesce);
	for (unsigned int b = 0; b < nr_barriers; b++) {
		char key[48];

		pvk_snprintf(key, sizeof(key), "cost_%s_ns", barrier_names[b]);
		out.line("%s: %llu.%03llu", key,
			 (unsigned long long)(cost[b].ps / 1000),
			 (unsigned long long)(cost[b].ps % 1000));
		pvk_snprintf(key, sizeof(key), "cost_%s_cycles",
			     barrier_names[b]);
		print_fixed2(out, key, cost[b].centicycles);
	}
	uint64_t base = cost[barrier_compiler].ps ? cost[barrier_compiler].ps : 1;

	print_fixed2(out, "cost_mfence_over_compiler",
		     measure::mul_div(cost[barrier_mfence].ps, 100, base));
	print_fixed2(out, "cost_lfence_over_compiler",
		     measure::mul_div(cost[barrier_lfence].ps, 100, base));
	print_fixed2(out, "cost_locked_add_over_compiler",
		     measure::mul_div(cost[barrier_locked_add].ps, 100, base));
	out.line("verdict: %s", passed() ? "PASS" : "FAIL");
}

const pvsync_experiment experiment = {
	.name = "upcall",
	.params = params,
	.nr_params = nr_params,
	.choices = choices,
	.nr_choices = nr_choices,
	.run = run_debugfs,
	.stats_show = stats_show,
	.stats_reset = stats_reset,
};

} /* namespace pv::upcall */
