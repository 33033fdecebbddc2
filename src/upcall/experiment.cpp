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
	uint64_t pending_after_unmask, ports_after_unmask, nesting_broken;
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
		 * here if an unmask failed to deliver it, and a selector or
		 * port bit only if a handler cleared pending after an event
		 * came in (late_clear).  Reads pending, selector and ports.
		 */
		if (READ_ONCE(v->info.evtchn_upcall_pending))
			s->pending_after_unmask++;
		else if (ports_left(v))
			s->ports_after_unmask++;
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
		res->ports_after_unmask += s->ports_after_unmask;
		res->forced_elsewhere += v->forced_elsewhere;
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
		/* A forced callback enters the hypervisor of the CPU it runs
		 * on: the migrate mutant's lands on another CPU's vCPU. */
		s->v->pcp = r->pcp;
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

/*
 * Best of cost_samples timed runs of @body, which does @pairs of what is
 * measured, irqs off: ps and 1/100 cycles per pair.
 */
template <typename Body>
Cost best_of(unsigned int pairs, Body body)
{
	uint64_t best_cycles = ~0ULL, best_ns = ~0ULL;

	for (unsigned int k = 0; k < cost_samples; k++) {
		IrqSaveGuard irq;
		uint64_t t0 = pvk_now_ns();
		uint64_t c0 = rdtsc_ordered();

		body();

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

/* @pairs mask/unmask pairs with barrier @B. */
template <typename B>
Cost measure_one(Vcpu *v, unsigned int pairs)
{
	using G = Guest<B, NoAssert>;

	return best_of(pairs, [&] {
		for (unsigned int i = 0; i < pairs; i++) {
			G::mask(v);
			G::unmask(v);
		}
	});
}

/* The migrate mutant, scripted (see migrate_trial()). */
struct MigrateTrial {
	unsigned int to;
	SweepResult *res;
	int err;
	uint32_t done;
};

int migrate_fn(void *arg)
{
	using G = Guest<CompilerBarrier, NoAssert>;
	auto *m = static_cast<MigrateTrial *>(arg);
	auto *v = static_cast<Vcpu *>(pvk_zalloc(sizeof(Vcpu)));
	uint8_t old;

	if (!v) {
		m->err = -12;
		goto out;
	}
	{
		PreemptGuard pg;

		vcpu_init(v, pvk_this_cpu(), max_ports);
		old = G::mask(v);
		IrqSaveGuard irq;

		/* This CPU's hypervisor raises an event: masked, deferred. */
		hv_raise(v, 1);
		hv_deliver<G>(v);
	}
	/* curcpu() not stable: the task moves inside the section. */
	m->err = pvk_migrate_current(m->to);
	if (!m->err) {
		PreemptGuard pg;

		/* The re-check sees pending and forces a callback, which
		 * enters *this* CPU's hypervisor: nothing for @v there. */
		G::restore(v, old);
		m->res->points++;
		if (!READ_ONCE(v->info.evtchn_upcall_mask) &&
		    READ_ONCE(v->info.evtchn_upcall_pending)) {
			m->res->lost++;
			m->res->first_failure = 1;
		}
	}
	pvk_free(v);
out:
	smp_store_release(&m->done, 1);	/* pairs with migrate_trial() */
	while (!pvk_thread_should_stop())
		pvk_msleep_interruptible(1);
	return 0;
}

/* The same loop with nothing in it but a compiler barrier: subtracted. */
Cost measure_baseline(unsigned int pairs)
{
	return best_of(pairs, [&] {
		for (unsigned int i = 0; i < pairs; i++)
			barrier();
	});
}

/* The hypervisor's CPUID signature: "TCGTCGTCGTCG" is QEMU's emulator. */
const char *hypervisor_signature()
{
	static char sig[13];
	uint32_t a = 0x40000000, b = 0, c = 0, d = 0;
	uint32_t a1 = 1, b1, c1 = 0, d1;

	asm volatile("cpuid" : "+a"(a1), "=b"(b1), "+c"(c1), "=d"(d1));
	if (!(c1 & (1u << 31)))
		return "none (bare metal)";
	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	for (int i = 0; i < 4; i++) {
		sig[i] = static_cast<char>(b >> (8 * i));
		sig[4 + i] = static_cast<char>(c >> (8 * i));
		sig[8 + i] = static_cast<char>(d >> (8 * i));
	}
	for (int i = 0; i < 12; i++) {
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '?';
	}
	sig[12] = 0;
	return sig;
}

/* Settings and runners ------------------------------------------------ */

using RunFn = int (*)(const Config &cfg, Result *res);
using CostFn = Cost (*)(Vcpu *v, unsigned int pairs);

/* The variants with barrier @B, in the order of enum Variant. */
template <typename B>
constexpr Option<RunFn> variants[] = {
	{ "correct", Engine<Guest<B>>::run },
	{ "no_recheck", Engine<Guest<B, AssertStable, NoRecheck>>::run },
	{ "migrate", Engine<Guest<B>>::run },
	{ "seed_exact", Engine<Guest<B, AssertStable, SeedExact>>::run },
	{ "late_clear", Engine<Guest<B, AssertStable, LateClear>>::run },
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
	{ NoBarrier::name, &barrier_ops<NoBarrier> },
	{ CompilerBarrier::name, &barrier_ops<CompilerBarrier> },
	{ Lfence::name, &barrier_ops<Lfence> },
	{ Mfence::name, &barrier_ops<Mfence> },
	{ LockedAdd::name, &barrier_ops<LockedAdd> },
};
static_assert(sizeof(barriers) / sizeof(barriers[0]) == nr_barriers);

constexpr auto barrier_list = settings::names(barriers);
constexpr auto variant_list = settings::names(variants<CompilerBarrier>);

/* Who raises events; the remote writer's kick policy (upcall.hpp). */
constexpr Option<unsigned int> writers[] = {
	{ "local", writer_local },
	{ "remote", writer_remote },
};
static_assert(sizeof(writers) / sizeof(writers[0]) == nr_writers);

constexpr Option<unsigned int> kicks[] = {
	{ "always_kick", kick_always },
	{ "kick_if_unmasked", kick_if_unmasked },
};
static_assert(sizeof(kicks) / sizeof(kicks[0]) == nr_kick_policies);

constexpr auto writer_list = settings::names(writers);
constexpr auto kick_list = settings::names(kicks);

bool remote_writer(const Config &cfg)
{
	return cfg.writer == writer_remote;
}

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
	{ "writer", writer_list.v, writer_local, nullptr, &Config::writer },
	{ "kick", kick_list.v, kick_always, nullptr, &Config::kick,
	  remote_writer },
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

constexpr Counter<Stats> counters[] = {
	{ "runs", &Stats::runs },
	{ "runs_passed", &Stats::passed },
	{ "runs_failed", &Stats::failed },
	{ "events_raised", &Stats::raised },
	{ "events_handled", &Stats::handled },
	{ "events_coalesced", &Stats::coalesced },
	{ "upcalls_deferred", &Stats::deferred },
	{ "upcalls_delivered_direct", &Stats::delivered_direct },
	{ "upcalls_delivered_forced", &Stats::delivered_forced },
	{ "violations", &Stats::violations },
};

unsigned long stats_show(char *buf, unsigned long size)
{
	TextBuf text(buf, size);

	settings::print(text, counters, stats);
	return text.finish();
}

void stats_reset()
{
	settings::reset(counters, stats);
}

} /* namespace */

const char *const *const barrier_names = barrier_list.v;
const char *const *const variant_names = variant_list.v;
const char *const *const writer_names = writer_list.v;
const char *const *const kick_names = kick_list.v;

Config default_config()
{
	return settings::defaults(params, choices);
}

void measure_costs(unsigned int pairs, Cost cost[nr_barriers],
		   Cost *baseline)
{
	auto *v = static_cast<Vcpu *>(pvk_zalloc(sizeof(Vcpu)));

	if (!v)
		return;
	vcpu_init(v, 0, 1);
	*baseline = measure_baseline(pairs);
	for (unsigned int b = 0; b < nr_barriers; b++)
		cost[b] = barriers[b].run->cost(v, pairs);
	pvk_free(v);
}

int migrate_trial(SweepResult *res)
{
	unsigned int online = pvk_num_online_cpus();
	MigrateTrial m = { pvk_nth_online_cpu(1), res, 0, 0 };
	pvk_thread *t;

	if (online < 2)
		return -19;	/* -ENODEV */
	t = pvk_thread_start(migrate_fn, &m, pvk_nth_online_cpu(0),
			     "pvsync/upcall-mig");
	if (!t)
		return -12;
	/* Pairs with the thread's release of done. */
	while (!smp_load_acquire(&m.done))
		pvk_msleep_interruptible(1);
	pvk_thread_stop(t);
	return m.err;
}

int run(const Config &cfg, Result *res)
{
	int ret;
	unsigned int sweep_variant = cfg.variant == variant_migrate ?
		variant_correct : cfg.variant;

	res->cfg = cfg;
	if (cfg.barrier >= nr_barriers || cfg.variant >= nr_variants ||
	    cfg.writer >= nr_writers || cfg.kick >= nr_kick_policies)
		return -22;	/* -EINVAL */
	res->hypervisor = hypervisor_signature();
	measure_costs(cfg.cost_pairs, res->cost, &res->baseline);
	/* The deterministic halves first: every point, one trial each. */
	ret = scripted_sweep(cfg.barrier, sweep_variant,
			     cfg.writer == writer_remote, cfg.kick,
			     &res->scripted);
	if (!ret)
		ret = injected_sweep(cfg.barrier, sweep_variant,
				     &res->injected);
	if (!ret && cfg.variant == variant_migrate)
		ret = migrate_trial(&res->migrate);
	if (ret)
		return ret;
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
	return scripted.failures() + injected.failures() +
	       migrate.failures() + ports_after_unmask +
	       pending_after_unmask + nesting_broken + protected_lost +
	       cpu_unstable + handler_in_masked + handler_nested +
	       handler_runaway + hv_wrong_cpu + mask_left_set +
	       pending_at_quiesce + stranded + lost + duplicated;
}

const char *Result::failure_reason(char *buf, unsigned long size) const
{
	struct {
		const char *reason;
		const char *counter;
		uint64_t n;
	} c[] = {
		/* deterministic: the sweeps, first failed check */
		{ "handler ran masked", "injected_handler_masked",
		  injected.handler_masked },
		{ "handler ran masked", "scripted_handler_masked",
		  scripted.handler_masked },
		{ "pending left after unmask", "scripted_ports_left",
		  scripted.ports_left },
		{ "pending left after unmask", "injected_ports_left",
		  injected.ports_left },
		{ "lost event", "migrate_trial_lost", migrate.lost },
		{ "lost event", "injected_lost", injected.lost },
		{ "lost event", "scripted_lost", scripted.lost },
		/* the stress */
		{ "handler ran masked", "handler_in_masked_section",
		  handler_in_masked },
		{ "handler ran masked", "protected_lost", protected_lost },
		{ "pending left after unmask", "ports_after_unmask",
		  ports_after_unmask },
		{ "lost event", "pending_after_unmask", pending_after_unmask },
		{ "lost event", "events_lost", lost },
		{ "lost event", "events_stranded", stranded },
		{ "lost event", "pending_at_quiesce", pending_at_quiesce },
		{ "duplicate event", "events_duplicated", duplicated },
		{ "handler nested", "handler_nested", handler_nested },
		{ "nesting broken", "nesting_broken", nesting_broken },
		{ "mask left set", "mask_left_set", mask_left_set },
		{ "handler runaway", "handler_runaway", handler_runaway },
		{ "hypervisor off its cpu", "hypervisor_wrong_cpu",
		  hv_wrong_cpu },
		/* the assertion last: it is not an invariant */
		{ "cpu unstable", "cpu_unstable", cpu_unstable },
	};

	for (const auto &x : c) {
		if (!x.n)
			continue;
		pvk_snprintf(buf, size, "%s: %s %llu", x.reason, x.counter,
			     (unsigned long long)x.n);
		return buf;
	}
	const SweepResult *sweeps[] = { &scripted, &injected };

	for (const SweepResult *sw : sweeps) {
		if (sw->err || !sw->points) {
			pvk_snprintf(buf, size,
				     "sweep incomplete: %s_error %d, %u points",
				     sw == &scripted ? "scripted" : "injected",
				     sw->err, sw->points);
			return buf;
		}
	}
	if (cfg.variant == variant_migrate && (migrate.err || !migrate.points))
		return "sweep incomplete: migrate trial did not run";
	if (threads_started != cpus || threads_wedged)
		return "run incomplete: threads did not start or stop";
	if (ipis_done != ipis_sent)
		return "run incomplete: ipis not done";
	if (!sections || !raised)
		return "vacuous run: no section or no event";
	if (handled != raised || ports_mismatched)
		return "lost event: ports_mismatched";
	return nullptr;
}

bool Result::passed() const
{
	/* A sweep that could not run every point is no pass: without its
	 * traps the compiler's reorderings go unseen. */
	bool swept = !scripted.err && scripted.points && !injected.err &&
		     injected.points &&
		     (cfg.variant != variant_migrate ||
		      (!migrate.err && migrate.points));

	return swept && threads_started == cpus && !threads_wedged &&
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
	print_run(out, threads_started, threads_wedged, stopped_early,
		  elapsed_ns);
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
	out.kv("ports_after_unmask", ports_after_unmask);
	out.kv("forced_callbacks_elsewhere", forced_elsewhere);

	auto sweep = [&out](const char *name, const SweepResult &r) {
		char key[48];

		pvk_snprintf(key, sizeof(key), "%s_points", name);
		out.kv(key, r.points);
		pvk_snprintf(key, sizeof(key), "%s_lost", name);
		out.kv(key, r.lost);
		pvk_snprintf(key, sizeof(key), "%s_ports_left", name);
		out.kv(key, r.ports_left);
		pvk_snprintf(key, sizeof(key), "%s_handler_masked", name);
		out.kv(key, r.handler_masked);
		pvk_snprintf(key, sizeof(key), "%s_first_failure", name);
		out.kv(key, r.first_failure);
		pvk_snprintf(key, sizeof(key), "%s_error", name);
		out.kv(key, static_cast<long long>(r.err));
	};

	sweep("scripted", scripted);
	sweep("injected", injected);
	if (cfg.variant == variant_migrate)
		sweep("migrate_trial", migrate);

	/*
	 * Costs: per mask/unmask pair, and net of the empty loop.  Under
	 * QEMU TCG (hypervisor TCGTCGTCGTCG) they measure the emulator's
	 * translation of each barrier, not the CPU's.
	 */
	out.kv("cost_hypervisor", hypervisor ? hypervisor : "unknown");
	out.kv("cost_baseline_ns", Fixed{ baseline.ps, 3 });
	for (unsigned int b = 0; b < nr_barriers; b++) {
		char key[48];
		uint64_t net = cost[b].ps > baseline.ps ?
			cost[b].ps - baseline.ps : 0;

		pvk_snprintf(key, sizeof(key), "cost_%s_ns", barrier_names[b]);
		out.kv(key, Fixed{ cost[b].ps, 3 });
		pvk_snprintf(key, sizeof(key), "cost_%s_net_ns",
			     barrier_names[b]);
		out.kv(key, Fixed{ net, 3 });
		pvk_snprintf(key, sizeof(key), "cost_%s_cycles",
			     barrier_names[b]);
		out.kv(key, Fixed{ cost[b].centicycles, 2 });
	}
	if (!passed()) {
		char why[96];
		const char *r = failure_reason(why, sizeof(why));

		out.kv("failure_reason", r ? r : "unknown");
	}
	out.verdict(passed());
}

constinit const pvsync_experiment experiment = settings::describe(
	"upcall", debugfs_params, debugfs_choices, run_debugfs, stats_show,
	stats_reset);

} /* namespace pv::upcall */
