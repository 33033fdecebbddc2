// SPDX-License-Identifier: GPL-2.0
/*
 * experiment.cpp - the "pi_desc" experiment (/sys/kernel/debug/pvsync/
 * pi_desc/): posted-interrupt descriptors updated by emulated vCPUs while
 * poster threads play the IOMMU, and the checks that no ON, no wakeup and
 * no vector is ever lost.
 *
 * The model
 * ---------
 * vCPU: a kthread bound to one CPU, owning one PiDesc, looping through
 *   load on pCPU X   pi_load(): NDST := X's emulated APIC id (CPU n has
 *                    id n), NV := notification, SN := 0, ON from PIR
 *   run              for run_us: harvest (clear ON, take PIR) whenever a
 *                    notification IPI has kicked it; harvest once more at
 *                    the end ("VM exit": KVM syncs PIR on each entry)
 *   put              every preempt_every-th time: set SN, stay away for
 *                    run_us; otherwise block: pi_block() (NV := wakeup),
 *                    notify itself if ON was set at the switch, wait up to
 *                    block_us for the wakeup handler (then a "timer" wakes
 *                    it, as a halted vCPU's own timer would)
 *   X is a random online CPU when migrate=1.  The update loops run with
 *   irqs off, as KVM's do.
 * Poster (one per CPU after the vCPUs'): pick a vCPU and a vector; set the
 *   PIR bit; then, as the IOMMU does atomically, set ON unless SN or ON is
 *   set, taking NV and NDST from the very word the cmpxchg64 replaced, and
 *   when it set ON "notify": an IPI to the CPU NDST names, carrying NV.
 * Handler (hard irq on that CPU): counts the vector; the notification
 *   vector kicks the vCPU to harvest; the wakeup vector, as KVM's
 *   pi_wakeup_handler(), wakes the vCPU if it is blocked on this CPU and
 *   its ON is set.
 *
 * The checks (all must hold for PASS)
 * -----------------------------------
 *   exactly once   per vector: posts that found the PIR bit clear (the
 *                  distinct deliveries) == bits harvested, after a final
 *                  load + harvest; bits still in PIR after that are
 *                  never_harvested
 *   ON ledger      ON's 0->1 transitions (a poster's cmpxchg, a load's
 *                  test_and_set_on) minus its 1->0 ones (a harvest's
 *                  test_and_clear_on) equals the final ON: an ON cleared
 *                  by anyone else was lost (on_lost)
 *   stranded       PIR not empty with ON and SN clear, seen while the vCPU
 *                  is blocked and no poster is between its PIR bit and its
 *                  ON decision (stranded_blocked), or after quiescing
 *                  (stranded_quiesce): a vector nobody will notify
 *   no mixed field every snapshot of control: reserved bits zero, NV one
 *                  of the two vectors, NDST a valid encoding of an online
 *                  CPU, SN clear whenever NV is the wakeup vector
 *   right target   every notification runs on the CPU its NDST names
 *   bookkeeping    every thread started and stopped, every IPI handled
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "core/cpu.hpp"
#include "core/crew.hpp"
#include "core/rng.hpp"
#include "pi_desc/experiment.hpp"
#include <pvsync/kapi.h>
#include "pi_desc/pi_desc.hpp"
#include "core/run_control.hpp"
#include "core/measure.hpp"
#include "core/settings.hpp"
#include "core/text_buf.hpp"

namespace pv::pi_exp {

using pi::Control;
using pi::PiDesc;
using pi::Rmw;

namespace {

constexpr unsigned int first_vector = 32;	/* 0-31 are exceptions */
constexpr unsigned int ring_size = 32;		/* IPI messages per sender */
constexpr uint32_t not_blocked = ~0u;
constexpr unsigned int start_timeout_ms = 2000;
constexpr unsigned int stop_timeout_ms = 10000;
constexpr unsigned int ipi_timeout_ms = 2000;

/*
 * The settings, once: debugfs files, bounds, defaults (tuned for a 4-vCPU
 * TCG guest, Documentation/pi_desc.rst) and the result's settings lines.
 */
constexpr Param<Config> params[] = {
	{ "duration_ms", 10, 60000, 1000, &Config::duration_ms },
	{ "vcpus", 1, max_vcpus, 1, &Config::vcpus },
	{ "posters", 1, max_posters, 3, &Config::posters },
	{ "vectors", 1, 256 - first_vector, 8, &Config::vectors },
	{ "post_gap_ns", 0, 1000000, 1000, &Config::post_gap_ns },
	{ "run_us", 0, 100000, 10, &Config::run_us },
	{ "block_us", 1, 100000, 100, &Config::block_us },
	{ "preempt_every", 0, 1000, 4, &Config::preempt_every },
	{ "migrate", 0, 1, 1, &Config::migrate },
	{ "window_ns", 0, 100000, 2000, &Config::window_ns },
};

/* The variants, in the order of enum Variant: the vCPU thread's body
 * with that update discipline (vcpu_fn<R> below). */
template <Rmw R>
void vcpu_fn(void *arg);

constexpr Option<Crew::Fn> variants[] = {
	{ "cmpxchg", vcpu_fn<Rmw::cmpxchg_loop> },
	{ "plain_store", vcpu_fn<Rmw::plain_store> },
};
static_assert(sizeof(variants) / sizeof(variants[0]) == nr_variants);

constexpr auto variant_names = settings::names(variants);
constexpr const char *apic_mode_names[] = { "x2apic", "xapic", nullptr };

constexpr Choice<Config> choices[] = {
	{ "variant", variant_names.v, variant_cmpxchg, nullptr,
	  &Config::variant },
	{ "apic_mode", apic_mode_names, 0, nullptr, &Config::apic_mode },
};

struct Run;
struct Vcpu;

/* One notification in flight: what the "hardware" sent, and to whom. */
struct Msg {
	Vcpu *v;
	uint32_t ndst;
	uint8_t nv;
	uint32_t busy;		/* 1 from send until the handler is done */
};

/* A sender's messages: smp_call_function_single() without wait releases
 * its csd before calling the handler, so the argument needs its own life. */
struct Sender {
	Msg msg[ring_size];
	unsigned int next;
};

struct alignas(64) Vcpu {
	PiDesc desc;
	Run *run;
	unsigned int id, cpu;

	/* Read by the handlers. */
	alignas(64) uint32_t blocked_on;	/* pCPU, or not_blocked */
	uint32_t wake;				/* wakeup handler -> vCPU */
	uint32_t kick;				/* notification -> vCPU */

	/* Posters' window: started before the PIR bit, finished after the
	 * ON decision; equal means no post is half done. */
	alignas(64) uint64_t post_started;
	uint64_t post_finished;

	/* Atomic, from any CPU. */
	alignas(64) uint64_t on_sets;
	uint64_t ipis_sent, ipis_done;
	uint64_t notif_irqs, wakeup_irqs, wakeups, wakeups_stale;
	uint64_t misdirected, bad_vector, mixed_fields;

	/* The vCPU thread's own. */
	alignas(64) uint64_t on_clears;
	uint64_t loads, blocks, preemptions, migrations;
	uint64_t retries_load, retries_block, retries_max;
	uint64_t harvests, block_timeouts, self_notifications;
	uint64_t stranded_blocked, ipi_errors;
	Sender self;

	uint64_t posted[256];		/* atomic: distinct posts per vector */
	uint64_t received[256];		/* the vCPU's harvests per vector */
};

struct alignas(64) Poster {
	Run *run;
	unsigned int id, cpu;
	uint64_t posts, distinct, coalesced, suppressed, notifications;
	uint64_t ipi_errors;
	Sender out;
};

struct Run {
	Config cfg;
	pi::ApicMode mode;
	uint8_t nv_notif, nv_wakeup;
	uint64_t gap_cycles, window_cycles, run_ns, block_ns;
	Crew crew;		/* the vCPUs, then the posters */
	Vcpu vcpu[max_vcpus];
	Poster poster[max_posters];
};

bool should_stop(const Run *r)
{
	return r->crew.stopping();
}

/* The control value is one some writer wrote (see "no mixed field"). */
bool valid_control(const Run *r, Control c)
{
	uint32_t id = pi::decode_ndst(c.ndst(), r->mode);

	if (c.rsvd())
		return false;
	if (c.nv() != r->nv_notif && c.nv() != r->nv_wakeup)
		return false;
	if (id >= pvk_nr_cpu_ids() || !pvk_cpu_possible(id))
		return false;
	return !(c.nv() == r->nv_wakeup && c.sn());
}

void check_control(Vcpu *v, Control c)
{
	if (!valid_control(v->run, c))
		atomic_fetch_add(&v->mixed_fields, 1);
}

/* The notification and wakeup vectors' handler, in hard irq on NDST's CPU. */
void notify_handler(void *arg)
{
	auto *m = static_cast<Msg *>(arg);
	Vcpu *v = m->v;
	Run *r = v->run;
	unsigned int cpu = this_cpu();

	if (pi::decode_ndst(m->ndst, r->mode) != cpu)
		atomic_fetch_add(&v->misdirected, 1);
	if (m->nv == r->nv_notif) {
		atomic_fetch_add(&v->notif_irqs, 1);
		/* Pairs with the acquire of kick in the run phase. */
		smp_store_release(&v->kick, 1);
	} else if (m->nv == r->nv_wakeup) {
		atomic_fetch_add(&v->wakeup_irqs, 1);
		/*
		 * KVM's pi_wakeup_handler(): wake the vCPUs blocked on this
		 * CPU whose ON is set.  The acquire pairs with the release
		 * of blocked_on in vcpu_block(), made before the NV switch
		 * that let a poster pick the wakeup vector.
		 */
		if (smp_load_acquire(&v->blocked_on) == cpu &&
		    pi::test_on(&v->desc)) {
			atomic_fetch_add(&v->wakeups, 1);
			/* Pairs with the acquire of wake in vcpu_block(). */
			smp_store_release(&v->wake, 1);
		} else {
			atomic_fetch_add(&v->wakeups_stale, 1);
		}
	} else {
		atomic_fetch_add(&v->bad_vector, 1);
	}
	/* The message may be reused once busy is clear: pairs with the
	 * acquire in send(). */
	smp_store_release(&m->busy, 0);
	/* Last touch of run memory: run() frees it only after every sent
	 * IPI is counted done (the fully ordered add). */
	atomic_fetch_add(&v->ipis_done, 1);
}

/*
 * "Notify": an IPI to the CPU that @c's NDST names, with @c's NV.
 * Context: preemptible or not, irqs on.  Returns false on failure.
 */
bool send(Sender *s, Vcpu *v, Control c)
{
	Run *r = v->run;
	Msg *m = &s->msg[s->next++ % ring_size];
	uint64_t deadline = pvk_now_ns() + 100000000ULL;
	uint32_t cpu = pi::decode_ndst(c.ndst(), r->mode);

	/* Pairs with the handler's release of busy: its reads of the
	 * message are done before we rewrite it. */
	while (smp_load_acquire(&m->busy)) {
		if (pvk_now_ns() > deadline)
			return false;
		cpu_relax();
	}
	m->v = v;
	m->ndst = c.ndst();
	m->nv = c.nv();
	WRITE_ONCE(m->busy, 1);
	atomic_fetch_add(&v->ipis_sent, 1);
	/* The IPI orders the message stores before the handler's reads. */
	if (pvk_run_on_cpu(cpu, notify_handler, m, false) == 0)
		return true;
	WRITE_ONCE(m->busy, 0);
	atomic_fetch_add(&v->ipis_done, 1);
	return false;
}

/*
 * PIR not empty with ON and SN clear, while no post is half done.  Only the
 * vCPU thread calls it, between its own updates.
 *
 * If post_finished == post_started at the first two reads, no poster was
 * between its PIR bit and its ON decision then, and none started before
 * the second read; the third read shows none started up to after the
 * snapshot.  The posters' fully ordered adds pair with these reads, which
 * x86 keeps in order (smp_rmb() says so to the compiler).
 */
bool stranded_now(Vcpu *v)
{
	uint64_t f = READ_ONCE(v->post_finished);

	smp_rmb();	/* finished before started */
	uint64_t s = READ_ONCE(v->post_started);

	if (s != f)
		return false;
	smp_rmb();	/* started before the snapshot */
	Control c = pi::read_control(&v->desc);
	bool empty = pi::pir_empty(&v->desc);

	smp_rmb();	/* the snapshot before started, again */
	if (READ_ONCE(v->post_started) != s)
		return false;
	check_control(v, c);
	return !empty && !c.on() && !c.sn();
}

/* Busy time between the read and the write of an update, from window_ns. */
struct WindowHook {
	uint64_t cycles;

	void operator()(PiDesc *, Control) const
	{
		if (cycles)
			delay_cycles(cycles);
	}
};

void account_retries(Vcpu *v, uint64_t *sum, uint32_t retries)
{
	*sum += retries;
	if (retries > v->retries_max)
		v->retries_max = retries;
}

void vcpu_harvest(Vcpu *v)
{
	bool took = pi::harvest(&v->desc, [v](unsigned int vec) {
		v->received[vec]++;
	});

	if (took) {
		v->on_clears++;
		v->harvests++;
	}
}

template <Rmw R>
void vcpu_load(Vcpu *v, unsigned int pcpu)
{
	Run *r = v->run;
	WindowHook hook = { r->window_cycles };
	pi::LoadResult lr;

	{
		IrqSaveGuard irqs;

		/* Off the wakeup "list" before NV leaves the wakeup vector. */
		WRITE_ONCE(v->blocked_on, not_blocked);
		lr = pi::pi_load<R>(&v->desc, pi::encode_ndst(pcpu, r->mode),
				    r->nv_notif, hook);
	}
	check_control(v, lr.update.old);
	if (lr.set_on)
		atomic_fetch_add(&v->on_sets, 1);
	v->loads++;
	account_retries(v, &v->retries_load, lr.update.retries);
}

void vcpu_run(Vcpu *v)
{
	Run *r = v->run;
	uint64_t end = pvk_now_ns() + r->run_ns;
	unsigned int n = 0;

	do {
		/* Pairs with the handler's release of kick. */
		if (smp_load_acquire(&v->kick)) {
			WRITE_ONCE(v->kick, 0);
			vcpu_harvest(v);
		}
		cpu_relax();
		if ((++n & 1023) == 0)
			pvk_cond_resched();
	} while (pvk_now_ns() < end && !should_stop(r));
	vcpu_harvest(v);	/* the sync on the way back into the guest */
}

template <Rmw R>
void vcpu_block(Vcpu *v, unsigned int pcpu)
{
	Run *r = v->run;
	WindowHook hook = { r->window_cycles };
	pi::BlockResult br;

	WRITE_ONCE(v->wake, 0);
	v->blocks++;
	{
		IrqSaveGuard irqs;

		/* Findable by pcpu's wakeup handler before NV switches:
		 * pairs with the handler's acquire of blocked_on. */
		smp_store_release(&v->blocked_on, pcpu);
		br = pi::pi_block<R>(&v->desc, r->nv_wakeup, hook);
	}
	check_control(v, br.update.old);
	account_retries(v, &v->retries_block, br.update.retries);
	if (br.notify_self) {
		v->self_notifications++;
		if (!send(&v->self, v, br.update.neu))
			v->ipi_errors++;
	}
	if (should_stop(r))
		return;		/* quiesce blocked */

	uint64_t end = pvk_now_ns() + r->block_ns;
	unsigned int n = 0;

	/* Pairs with the wakeup handler's release of wake. */
	while (!smp_load_acquire(&v->wake)) {
		if (pvk_now_ns() > end) {
			v->block_timeouts++;
			break;
		}
		if (should_stop(r))
			break;
		if (stranded_now(v))
			v->stranded_blocked++;
		cpu_relax();
		if ((++n & 1023) == 0)
			pvk_cond_resched();
	}
}

template <Rmw R>
void vcpu_loop(Vcpu *v)
{
	Run *r = v->run;
	Rng rng(Rng::seed_for(0x9e3779b97f4a7c15ULL, v->id));
	unsigned int pcpu = v->cpu, online = pvk_num_online_cpus();
	unsigned int cycle = 0;

	while (!should_stop(r)) {
		if (r->cfg.migrate) {
			unsigned int to = pvk_nth_online_cpu(rng.next() % online);

			v->migrations += to != pcpu;
			pcpu = to;
		}
		vcpu_load<R>(v, pcpu);
		vcpu_run(v);
		if (r->cfg.preempt_every && ++cycle % r->cfg.preempt_every == 0) {
			pi::set_sn(&v->desc);
			v->preemptions++;
			uint64_t end = pvk_now_ns() + r->run_ns;

			while (pvk_now_ns() < end && !should_stop(r))
				cpu_relax();
			continue;
		}
		vcpu_block<R>(v, pcpu);
	}
}

/* A vCPU thread, between go and stop (crew.hpp). */
template <Rmw R>
void vcpu_fn(void *arg)
{
	vcpu_loop<R>(static_cast<Vcpu *>(arg));
}

void post(Poster *p, Vcpu *v, unsigned int vec)
{
	PiDesc *d = &v->desc;
	bool notify = false;

	/* Opens the window stranded_now() waits out; fully ordered, so it
	 * is visible before the PIR bit. */
	atomic_fetch_add(&v->post_started, 1);
	p->posts++;
	if (!pi::test_and_set_pir(vec, d)) {
		atomic_fetch_add(&v->posted[vec], 1);
		p->distinct++;
	} else {
		p->coalesced++;
	}
	/*
	 * The IOMMU's atomic "ON := 1 unless SN or ON, and notify NDST with
	 * NV": NV and NDST come from the word the cmpxchg64 replaced, so the
	 * notification goes where the descriptor pointed when ON was set.
	 * The PIR bit above is set before this read of SN (both locked):
	 * pairs with the barrier between SN clear and the PIR read in
	 * pi_load().
	 */
	Control c = pi::read_control(d);

	for (;;) {
		check_control(v, c);
		if (c.sn()) {
			p->suppressed++;
			break;
		}
		if (c.on())
			break;
		uint64_t seen = cmpxchg64(&d->control, c.raw,
					  c.with_on(true).raw);

		if (seen == c.raw) {
			notify = true;
			break;
		}
		c.raw = seen;
	}
	if (notify)
		atomic_fetch_add(&v->on_sets, 1);
	/* Closes the window: the PIR bit and the ON decision are visible
	 * before it (fully ordered); pairs with stranded_now(). */
	atomic_fetch_add(&v->post_finished, 1);
	if (notify) {
		p->notifications++;
		if (!send(&p->out, v, c.with_on(true)))
			p->ipi_errors++;
	}
}

/* A poster thread, between go and stop (crew.hpp). */
void poster_fn(void *arg)
{
	auto *p = static_cast<Poster *>(arg);
	Run *r = p->run;
	Rng rng(Rng::seed_for(0x2545f4914f6cdd1dULL, p->id));
	unsigned int n = 0;

	while (!should_stop(r)) {
		uint64_t x = rng.next();
		Vcpu *v = &r->vcpu[(x >> 32) % r->cfg.vcpus];

		post(p, v, first_vector + (x & 0xffff) % r->cfg.vectors);
		if (r->gap_cycles)
			delay_cycles(r->gap_cycles);
		if ((++n & 255) == 0)
			pvk_cond_resched();
	}
}

/* After quiescing: the checks that need the final state, per vCPU. */
void final_checks(Run *r, Vcpu *v, Result *res)
{
	PiDesc *d = &v->desc;
	Control c = pi::read_control(d);

	check_control(v, c);
	if (!pi::pir_empty(d) && !c.on() && !c.sn())
		res->stranded_quiesce++;
	/* What the vCPU would do next: load where it was, then harvest. */
	pi::LoadResult lr = pi::pi_load(d, c.ndst(), r->nv_notif);

	if (lr.set_on)
		v->on_sets++;
	vcpu_harvest(v);
	for (unsigned int i = 0; i < 4; i++) {
		/* Counted bit by bit: no libgcc popcount in the kernel. */
		for (uint64_t w = xchg(&pi::pir_words(d)[i], 0); w; w &= w - 1)
			res->never_harvested++;
	}
	v->on_clears += pi::test_and_clear_on(d);	/* 0 after a harvest */
	res->on_sets += v->on_sets;
	res->on_clears += v->on_clears;
	res->on_lost += static_cast<int64_t>(v->on_sets - v->on_clears);
	for (unsigned int vec = 0; vec < 256; vec++) {
		res->posts_distinct += v->posted[vec];
		res->vectors_received += v->received[vec];
		if (v->posted[vec] > v->received[vec])
			res->vectors_missing += v->posted[vec] - v->received[vec];
		else
			res->vectors_extra += v->received[vec] - v->posted[vec];
	}
}

void collect(Run *r, Result *res)
{
	for (unsigned int i = 0; i < r->cfg.vcpus; i++) {
		Vcpu *v = &r->vcpu[i];

		res->self_notifications += v->self_notifications;
		res->notif_irqs += v->notif_irqs;
		res->wakeup_irqs += v->wakeup_irqs;
		res->wakeups += v->wakeups;
		res->wakeups_stale += v->wakeups_stale;
		res->loads += v->loads;
		res->blocks += v->blocks;
		res->preemptions += v->preemptions;
		res->migrations += v->migrations;
		res->retries_load += v->retries_load;
		res->retries_block += v->retries_block;
		if (v->retries_max > res->retries_max)
			res->retries_max = v->retries_max;
		res->harvests += v->harvests;
		res->block_timeouts += v->block_timeouts;
		res->stranded_blocked += v->stranded_blocked;
		res->mixed_fields += v->mixed_fields;
		res->misdirected += v->misdirected;
		res->bad_vector += v->bad_vector;
		res->ipi_errors += v->ipi_errors;
	}
	for (unsigned int i = 0; i < r->cfg.posters; i++) {
		Poster *p = &r->poster[i];

		res->posts += p->posts;
		res->posts_coalesced += p->coalesced;
		res->posts_suppressed += p->suppressed;
		res->notifications += p->notifications;
		res->ipi_errors += p->ipi_errors;
	}
}

/* Totals over runs since the last reset, for the stats file. */
struct Totals {
	uint64_t runs, failed_runs, posts, notifications, loads, blocks;
	uint64_t retries, on_lost, stranded;
};

Totals totals;

void add_totals(const Result &res)
{
	atomic_add(&totals.runs, 1);
	atomic_add(&totals.failed_runs, res.passed() ? 0 : 1);
	atomic_add(&totals.posts, res.posts);
	atomic_add(&totals.notifications, res.notifications);
	atomic_add(&totals.loads, res.loads);
	atomic_add(&totals.blocks, res.blocks);
	atomic_add(&totals.retries, res.retries_load + res.retries_block);
	atomic_add(&totals.on_lost, static_cast<uint64_t>(res.on_lost));
	atomic_add(&totals.stranded, res.stranded_blocked + res.stranded_quiesce);
}

} /* namespace */

Config default_config()
{
	return settings::defaults(params, choices);
}

int run(const Config &cfg, Result *res)
{
	*res = Result{};
	res->cfg = cfg;
	if (cfg.vcpus < 1 || cfg.vcpus > max_vcpus || cfg.posters < 1 ||
	    cfg.posters > max_posters || cfg.vectors < 1 ||
	    cfg.vectors > 256 - first_vector || cfg.variant >= nr_variants ||
	    cfg.apic_mode > 1)
		return -22;	/* -EINVAL */
	if (cfg.apic_mode == 1 && pvk_nr_cpu_ids() > 256)
		return -19;	/* -ENODEV: xAPIC ids are 8 bits */

	auto *r = static_cast<Run *>(pvk_zalloc(sizeof(Run)));

	if (!r)
		return -12;	/* -ENOMEM */
	r->cfg = cfg;
	r->mode = cfg.apic_mode ? pi::ApicMode::xapic : pi::ApicMode::x2apic;
	r->nv_notif = pi::posted_intr_vector;
	r->nv_wakeup = pi::posted_intr_wakeup_vector;
	r->gap_cycles = measure::ns_to_cycles(cfg.post_gap_ns);
	r->window_cycles = measure::ns_to_cycles(cfg.window_ns);
	r->run_ns = cfg.run_us * 1000ULL;
	r->block_ns = cfg.block_us * 1000ULL;
	res->cpus = pvk_num_online_cpus();
	res->threads = cfg.vcpus + cfg.posters;

	bool ok = true;

	for (unsigned int i = 0; i < cfg.vcpus && ok; i++) {
		Vcpu *v = &r->vcpu[i];

		v->run = r;
		v->id = i;
		v->cpu = pvk_nth_online_cpu(i);
		v->blocked_on = not_blocked;
		/* Loaded on its own CPU, as after vCPU creation. */
		v->desc.control = Control{ 0 }
			.with_nv(r->nv_notif)
			.with_ndst(pi::encode_ndst(v->cpu, r->mode)).raw;
		ok = r->crew.add(v->cpu, variants[cfg.variant].run, v,
				 "pvsync/pi_vcpu");
	}
	for (unsigned int i = 0; i < cfg.posters && ok; i++) {
		Poster *p = &r->poster[i];

		p->run = r;
		p->id = i;
		p->cpu = pvk_nth_online_cpu(cfg.vcpus + i);
		ok = r->crew.add(p->cpu, poster_fn, p, "pvsync/pi_post");
	}
	if (ok)
		ok = r->crew.wait_started(start_timeout_ms);

	uint64_t start = pvk_now_ns();

	if (ok) {
		/* Publishes the settings to the threads (crew.hpp). */
		r->crew.go();
		res->stopped_early = run_for(cfg.duration_ms);
	}
	res->elapsed_ns = pvk_now_ns() - start;
	/* Stops only threads that finished; a wedged one keeps the run's
	 * memory, which is then leaked rather than freed under it. */
	res->threads_wedged = r->crew.finish(stop_timeout_ms);
	res->threads_started = r->crew.started();

	/* Every notification handled before the checks and the free.
	 * Pairs with the handler's fully ordered add of ipis_done. */
	wait_until([r] {
		for (unsigned int i = 0; i < r->cfg.vcpus; i++) {
			if (READ_ONCE(r->vcpu[i].ipis_done) !=
			    READ_ONCE(r->vcpu[i].ipis_sent))
				return false;
		}
		return true;
	}, ipi_timeout_ms);
	for (unsigned int i = 0; i < cfg.vcpus; i++)
		res->ipis_unfinished += READ_ONCE(r->vcpu[i].ipis_sent) -
					READ_ONCE(r->vcpu[i].ipis_done);
	smp_mb();	/* handlers' counter updates before we read them */

	if (!res->threads_wedged) {
		for (unsigned int i = 0; i < cfg.vcpus; i++)
			final_checks(r, &r->vcpu[i], res);
	}
	collect(r, res);
	if (safe_to_free(res->threads_wedged || res->ipis_unfinished,
			 "a pi_desc thread or IPI is still running"))
		pvk_free(r);
	if (!res->passed() && cfg.variant == variant_cmpxchg)
		pvk_warn_once_report("pi_desc: the cmpxchg64 variant failed a check");
	add_totals(*res);
	return 0;
}

bool Result::passed() const
{
	return threads_started == threads && !threads_wedged &&
	       !ipis_unfinished && !ipi_errors && posts && loads &&
	       harvests && !vectors_missing && !vectors_extra &&
	       !never_harvested && !on_lost && !stranded_blocked &&
	       !stranded_quiesce && !mixed_fields && !misdirected &&
	       !bad_vector;
}

void Result::print(TextBuf &out) const
{
	uint64_t updates = loads + blocks;
	uint64_t retries = retries_load + retries_block;
	uint64_t ns = elapsed_ns ? elapsed_ns : 1;

	settings::print(out, params, choices, cfg);
	out.kv("cpus", cpus);
	out.kv("threads_started", threads_started);
	out.kv("threads_wedged", threads_wedged);
	out.kv("stopped_early", stopped_early ? stopped_early : "no");
	out.kv("elapsed_ms", elapsed_ns / 1000000);
	out.kv("posts", posts);
	out.kv("posts_per_s", measure::mul_div(posts, 1000000000ULL, ns));
	out.kv("posts_distinct", posts_distinct);
	out.kv("posts_coalesced", posts_coalesced);
	out.kv("posts_suppressed", posts_suppressed);
	out.kv("notifications", notifications);
	out.kv("self_notifications", self_notifications);
	out.kv("notification_irqs", notif_irqs);
	out.kv("wakeup_irqs", wakeup_irqs);
	out.kv("wakeups", wakeups);
	out.kv("wakeups_stale", wakeups_stale);
	out.kv("loads", loads);
	out.kv("blocks", blocks);
	out.kv("preemptions", preemptions);
	out.kv("migrations", migrations);
	out.kv("block_timeouts", block_timeouts);
	out.kv("updates_per_s", measure::mul_div(updates, 1000000000ULL, ns));
	out.kv("retries_load", retries_load);
	out.kv("retries_block", retries_block);
	out.kv("retries_per_1000_updates",
	       measure::mul_div(retries, 1000, updates ? updates : 1));
	out.kv("retries_max", retries_max);
	out.kv("harvests", harvests);
	out.kv("vectors_received", vectors_received);
	out.kv("vectors_missing", vectors_missing);
	out.kv("vectors_extra", vectors_extra);
	out.kv("never_harvested", never_harvested);
	out.kv("on_sets", on_sets);
	out.kv("on_clears", on_clears);
	out.kv("on_lost", on_lost);
	out.kv("stranded_blocked", stranded_blocked);
	out.kv("stranded_quiesce", stranded_quiesce);
	out.kv("mixed_fields", mixed_fields);
	out.kv("misdirected", misdirected);
	out.kv("bad_vector", bad_vector);
	out.kv("ipi_errors", ipi_errors);
	out.kv("ipis_unfinished", ipis_unfinished);
	out.verdict(passed());
}

namespace {

constexpr auto debugfs_params = settings::debugfs(params);
constexpr auto debugfs_choices = settings::debugfs(choices);

int run_debugfs(const pvsync_run_args *args, char *out, unsigned long size)
{
	Config cfg = settings::from_args(params, choices, args);
	Result res;
	TextBuf text(out, size);
	int ret = run(cfg, &res);

	if (ret)
		return ret;
	text.kv("experiment", "pi_desc");
	res.print(text);
	text.finish();
	return 0;
}

unsigned long stats_show(char *buf, unsigned long size)
{
	TextBuf text(buf, size);

	text.kv("runs", READ_ONCE(totals.runs));
	text.kv("failed_runs", READ_ONCE(totals.failed_runs));
	text.kv("posts", READ_ONCE(totals.posts));
	text.kv("notifications", READ_ONCE(totals.notifications));
	text.kv("loads", READ_ONCE(totals.loads));
	text.kv("blocks", READ_ONCE(totals.blocks));
	text.kv("update_retries", READ_ONCE(totals.retries));
	text.kv("on_lost", READ_ONCE(totals.on_lost));
	text.kv("stranded", READ_ONCE(totals.stranded));
	return text.finish();
}

void stats_reset()
{
	WRITE_ONCE(totals.runs, 0);
	WRITE_ONCE(totals.failed_runs, 0);
	WRITE_ONCE(totals.posts, 0);
	WRITE_ONCE(totals.notifications, 0);
	WRITE_ONCE(totals.loads, 0);
	WRITE_ONCE(totals.blocks, 0);
	WRITE_ONCE(totals.retries, 0);
	WRITE_ONCE(totals.on_lost, 0);
	WRITE_ONCE(totals.stranded, 0);
}

} /* namespace */

const pvsync_experiment experiment = {
	.name = "pi_desc",
	.params = debugfs_params.v,
	.nr_params = debugfs_params.size(),
	.choices = debugfs_choices.v,
	.nr_choices = debugfs_choices.size(),
	.run = run_debugfs,
	.stats_show = stats_show,
	.stats_reset = stats_reset,
};

} /* namespace pv::pi_exp */
