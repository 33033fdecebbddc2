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
 *   put              every preempt_every-th time: SN := 1, away for run_us;
 *                    otherwise block on X: pi_block() (NV := wakeup),
 *                    notify itself if ON was set at the switch, wait up to
 *                    block_us for the wakeup handler (then its "timer"
 *                    ends the block)
 *   X is a random online CPU when migrate=1.  The update loops run with
 *   irqs off, as KVM's do.  A block ends at the next load: the vCPU stays
 *   findable on X until that load has switched NV back and every wakeup
 *   owed to the block has arrived (vcpu_unblock()).
 * Poster (one per CPU after the vCPUs'): pick a vCPU and a vector;
 *   pi::iommu_post(): PIR bit, then ON unless SN or ON, NV and NDST from
 *   the word the cmpxchg64 replaced; when it set ON, an IPI to the CPU
 *   NDST names, carrying NV.
 * Scripted races: every script_every-th update, the vCPU's own hook posts
 *   inside the update's window (after its read, before its write; for
 *   torn_fields between its two stores), the KUnit interleaving run inside
 *   the stress; the posters' own posts land there by chance as well.
 * Handler (hard irq on that CPU): the notification vector kicks the vCPU
 *   to harvest; the wakeup vector, as KVM's pi_wakeup_handler(), wakes the
 *   vCPU if it is blocked on this CPU and its ON is set.
 * Litmus (cmpxchg and load_plain_sn only, before the stress, two threads
 *   of its own): see "The load litmus" below.
 *
 * The checks, by the reason a failure names (Result::failure_reason())
 * --------------------------------------------------------------------
 *   lost post        exactly once per vector (posts that found the PIR
 *                    bit clear == bits harvested, after a final load and
 *                    harvest); the ON ledger (0->1 minus 1->0 transitions
 *                    == final ON: an ON overwritten is on_lost); stranded
 *                    (PIR set with ON and SN clear while blocked and no
 *                    post half done, or after quiescing); the litmus's
 *                    "both missed"
 *   torn control word every control value a poster or a blocked-vCPU
 *                    snapshot reads has the (NV, NDST, SN) of one tuple
 *                    the vCPU logged and wrote as a unit (check_control()),
 *                    and valid fields (reserved 0, NV one of the two
 *                    vectors, NDST a possible CPU; SN with the wakeup
 *                    vector is allowed, as in KVM)
 *   stale NDST       after each load NDST names the CPU loaded on; while
 *                    blocked it names the CPU blocked on; each wakeup IPI
 *                    runs on the CPU the vCPU is blocked on
 *   lost wakeup      a block ended by its timer while the word the next
 *                    load replaced had ON and the wakeup vector, and no
 *                    wakeup came once every post was done and every IPI
 *                    sent was handled
 *   bookkeeping      threads started and stopped, IPIs handled, and sent
 *                    where NDST said (misdirected: the kernel's routing)
 *   not exercised    the run reached limit_ms before the races its checks
 *                    need had happened min_events times (exercised())
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
using pi::Ndst;
using pi::PiDesc;
using pi::Rmw;

namespace {

constexpr unsigned int first_vector = 32;	/* 0-31 are exceptions */
constexpr unsigned int ring_size = 32;		/* IPI messages per sender */
constexpr unsigned int log_size = 16;		/* written tuples kept */
constexpr uint32_t not_blocked = ~0u;
constexpr unsigned int start_timeout_ms = 2000;
constexpr unsigned int stop_timeout_ms = 10000;
constexpr unsigned int ipi_timeout_ms = 2000;
constexpr unsigned int drain_timeout_ms = 2000;

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
	{ "block_us", 1, 100000, 20000, &Config::block_us },
	{ "preempt_every", 0, 1000, 4, &Config::preempt_every },
	{ "migrate", 0, 1, 1, &Config::migrate },
	{ "window_ns", 0, 100000, 2000, &Config::window_ns },
	{ "script_every", 0, 1000, 2, &Config::script_every },
	{ "min_events", 1, 1000, 20, &Config::min_events },
	{ "limit_ms", 10, 120000, 60000, &Config::limit_ms },
	{ "litmus_rounds", 0, 1000000, 2000, &Config::litmus_rounds },
};

/* The variants, in the order of enum Variant: the vCPU thread's body
 * with that variant's policy (vcpu_fn<P> below). */
template <typename P>
void vcpu_fn(void *arg);

/* The broken variants, as policies of one vCPU loop. */
template <Rmw R, Ndst N, bool SelfNotify>
struct Policy {
	static constexpr Rmw rmw = R;
	static constexpr Ndst ndst = N;
	static constexpr bool self_notify = SelfNotify;
};

using Correct = Policy<Rmw::cmpxchg_loop, Ndst::follow, true>;

constexpr Option<Crew::Fn> variants[] = {
	{ "cmpxchg", vcpu_fn<Correct> },
	{ "plain_store", vcpu_fn<Policy<Rmw::plain_store, Ndst::follow, true>> },
	{ "no_self_notify", vcpu_fn<Policy<Rmw::cmpxchg_loop, Ndst::follow, false>> },
	{ "stale_ndst", vcpu_fn<Policy<Rmw::cmpxchg_loop, Ndst::keep, true>> },
	{ "torn_fields", vcpu_fn<Policy<Rmw::split_stores, Ndst::follow, true>> },
	/* The stress runs the correct loop; the litmus, its plain SN. */
	{ "load_plain_sn", vcpu_fn<Correct> },
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

	/*
	 * The update window, published for the posters: odd while the vCPU
	 * is inside the hook of an update (after its read of control and
	 * before its write; for split_stores, between its two stores).
	 * window_moves: that update moves NDST.  Written by the vCPU only.
	 */
	alignas(64) uint32_t window_seq;
	uint32_t window_moves;

	/*
	 * Every (NV, NDST, SN) the vCPU wrote, as one unit, in a ring: entry
	 * i is logged (and log_head raised past it, release) before write i
	 * is made.  ON is not part of it: posters and harvests change ON.
	 */
	alignas(64) uint64_t log_head;
	uint64_t log[log_size];

	/* Posters' window: started before the PIR bit, finished after the
	 * notification was sent; equal means no post is half done. */
	alignas(64) uint64_t post_started;
	uint64_t post_finished;

	/* Atomic, from any CPU. */
	alignas(64) uint64_t on_sets;
	uint64_t ipis_sent, ipis_done;
	uint64_t notif_irqs, wakeup_irqs, wakeups, wakeups_stale;
	uint64_t misdirected, bad_vector, mixed_fields, wakeup_wrong_cpu;
	uint64_t torn_words, words_unchecked;
	uint64_t on_set_in_window, reads_in_move;

	/* The vCPU thread's own. */
	alignas(64) uint64_t on_clears;
	uint64_t loads, blocks, preemptions, migrations;
	uint64_t retries_load, retries_block, retries_max;
	uint64_t harvests, block_wakeups, block_timeouts, self_notifications;
	uint64_t updates, scripted_posts;
	uint64_t on_at_block, lost_wakeups, drain_timeouts;
	uint64_t ndst_stale_load, ndst_stale_blocked;
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

/* NV, NDST, SN and the reserved bits: what the vCPU writes as a unit. */
constexpr uint64_t tuple_of(Control c)
{
	return c.raw & ~pi::on_mask;
}

/*
 * Log @c's tuple as the vCPU's next write.  Only the vCPU thread (and
 * run() after it stopped) writes tuples.  The entry is stored before the
 * head moves past it (release), and the head before the write to control
 * that follows: a reader that sees the new control value sees the entry.
 */
void log_tuple(Vcpu *v, Control c)
{
	uint64_t h = v->log_head;

	WRITE_ONCE(v->log[h % log_size], tuple_of(c));
	smp_store_release(&v->log_head, h + 1);
}

/* The tuple the vCPU wrote last: the one in force between its writes. */
Control last_tuple(const Vcpu *v)
{
	return { v->log[(v->log_head - 1) % log_size] };
}

/* Reserved bits zero, NV one of the two vectors, NDST a possible CPU. */
bool valid_control(const Run *r, Control c)
{
	uint32_t id = pi::decode_ndst(c.ndst(), r->mode);

	if (c.rsvd())
		return false;
	if (c.nv() != r->nv_notif && c.nv() != r->nv_wakeup)
		return false;
	return id < pvk_nr_cpu_ids() && pvk_cpu_possible(id);
}

/*
 * Whole-word consistency of @c, read after log_head was @h0: its (NV,
 * NDST, SN) must be one tuple the vCPU wrote as a unit.  The write in
 * force at the read is entry h0 - 2 or later (entry h0 - 1 may not be
 * written yet, and entry h0 - 2 was written before h0 - 1 was logged) and
 * is logged by now.  When the ring moved on too far to tell, the word is
 * counted as unchecked instead.
 */
void check_control(Vcpu *v, Control c, uint64_t h0)
{
	uint64_t lo = h0 >= 2 ? h0 - 2 : 0;
	uint64_t h1 = smp_load_acquire(&v->log_head);	/* pairs with log_tuple() */
	bool found = false;

	if (!valid_control(v->run, c))
		atomic_fetch_add(&v->mixed_fields, 1);
	if (h1 - lo > log_size) {
		atomic_fetch_add(&v->words_unchecked, 1);
		return;
	}
	for (uint64_t i = lo; i < h1; i++)
		found |= READ_ONCE(v->log[i % log_size]) == tuple_of(c);
	smp_rmb();	/* the entries before the head that says they held */
	if (READ_ONCE(v->log_head) > lo + log_size)
		atomic_fetch_add(&v->words_unchecked, 1);
	else if (!found)
		atomic_fetch_add(&v->torn_words, 1);
}

/* The notification and wakeup vectors' handler, in hard irq on NDST's CPU. */
void notify_handler(void *arg)
{
	auto *m = static_cast<Msg *>(arg);
	Vcpu *v = m->v;
	Run *r = v->run;
	unsigned int cpu = this_cpu();

	/* The kernel delivered the IPI where send() aimed it. */
	if (pi::decode_ndst(m->ndst, r->mode) != cpu)
		atomic_fetch_add(&v->misdirected, 1);
	if (m->nv == r->nv_notif) {
		atomic_fetch_add(&v->notif_irqs, 1);
		/* Pairs with the acquire of kick in the run phase. */
		smp_store_release(&v->kick, 1);
	} else if (m->nv == r->nv_wakeup) {
		/*
		 * KVM's pi_wakeup_handler(): wake the vCPUs blocked on this
		 * CPU whose ON is set.  The acquire pairs with the release
		 * of blocked_on in vcpu_block(), made before the NV switch
		 * that let a poster pick the wakeup vector.  A vCPU blocked
		 * on another CPU means the wakeup followed a stale NDST: the
		 * vCPU keeps blocked_on until every wakeup sent for its block
		 * has arrived (vcpu_unblock()), so this is never a late one.
		 */
		/* model: pi.handler */
		uint32_t b = smp_load_acquire(&v->blocked_on);

		atomic_fetch_add(&v->wakeup_irqs, 1);
		if (b == cpu && pi::test_on(&v->desc)) {
			atomic_fetch_add(&v->wakeups, 1);
			/* Pairs with the acquire of wake in vcpu_block(). */
			smp_store_release(&v->wake, 1);
		} else if (b != cpu && b != not_blocked) {
			atomic_fetch_add(&v->wakeup_wrong_cpu, 1);
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
 * No post half done now: post_finished == post_started.  If so at the
 * first two reads, no poster was between its PIR bit and its notification
 * then, and none started before the second read.  The posters' fully
 * ordered adds pair with these reads, which x86 keeps in order (smp_rmb()
 * says so to the compiler).
 */
bool posts_quiet(Vcpu *v, uint64_t *started)
{
	uint64_t f = READ_ONCE(v->post_finished);

	smp_rmb();	/* finished before started */
	*started = READ_ONCE(v->post_started);
	return *started == f;
}

/*
 * While blocked on @pcpu: PIR not empty with ON and SN clear while no post
 * is half done (stranded), or NDST not naming @pcpu.  Only the vCPU thread
 * calls it, between its own updates.
 */
void check_blocked(Vcpu *v, uint32_t pcpu)
{
	Run *r = v->run;
	uint64_t s;

	if (!posts_quiet(v, &s))
		return;
	smp_rmb();	/* started before the snapshot */
	uint64_t h0 = smp_load_acquire(&v->log_head);
	Control c = pi::read_control(&v->desc);
	bool empty = pi::pir_empty(&v->desc);

	check_control(v, c, h0);
	if (pi::decode_ndst(c.ndst(), r->mode) != pcpu)
		v->ndst_stale_blocked++;
	smp_rmb();	/* the snapshot before started, again */
	if (READ_ONCE(v->post_started) != s)
		return;
	if (!empty && !c.on() && !c.sn())
		v->stranded_blocked++;
}

/*
 * A post made by the vCPU's own hook, inside the window of one update:
 * the forced interleaving of the KUnit cases, run in the stress every
 * script_every-th update so that each race the checks need happens on
 * schedule instead of by luck.  The "hardware" sends its notification
 * after the update, once irqs are on again (an IPI may always arrive
 * late); post_started/post_finished bracket it as any post.
 */
struct ScriptedPost {
	bool armed, done;
	pi::PostResult pr;
	unsigned int vector;
};

void scripted_post(Vcpu *v, ScriptedPost *sp)
{
	/* As post(): open the bracket first, fully ordered. */
	atomic_fetch_add(&v->post_started, 1);
	uint64_t h0 = smp_load_acquire(&v->log_head);	/* see check_control() */

	sp->pr = pi::iommu_post(&v->desc, sp->vector, [v, h0](Control c) {
		check_control(v, c, h0);
	});
	sp->done = true;
	if (!sp->pr.coalesced)
		atomic_fetch_add(&v->posted[sp->vector], 1);
}

/* After the update, irqs on: account and notify as post() does. */
void finish_scripted_post(Vcpu *v, ScriptedPost *sp, bool moves)
{
	if (!sp->done)
		return;
	v->scripted_posts++;
	atomic_fetch_add(&v->on_set_in_window, sp->pr.notify);
	atomic_fetch_add(&v->reads_in_move, moves);
	if (sp->pr.notify) {
		atomic_fetch_add(&v->on_sets, 1);
		if (!send(&v->self, v, sp->pr.c))
			v->ipi_errors++;
	}
	/* Pairs with posts_quiet(), as in post(). */
	atomic_fetch_add(&v->post_finished, 1);
}

/*
 * Busy time between the read and the write of an update, from window_ns,
 * published as the odd window_seq (see struct Vcpu); and, when @script is
 * armed, a post made right inside it on the first iteration.
 */
struct WindowHook {
	Vcpu *v;
	uint64_t cycles;
	bool moves;
	ScriptedPost *script;

	void operator()(PiDesc *, Control) const
	{
		uint32_t seq = v->window_seq;

		WRITE_ONCE(v->window_moves, moves);
		/* Our read of control is done before the odd seq is seen
		 * (x86 keeps a load before a later store); the posters'
		 * acquire of window_seq pairs with it. */
		smp_store_release(&v->window_seq, seq + 1);
		if (script->armed && !script->done)
			scripted_post(v, script);
		if (cycles)
			delay_cycles(cycles);
		/* The even seq is seen before our write of control (stores
		 * stay in order): a poster that read the same odd seq after
		 * its own access made that access inside the window. */
		smp_store_release(&v->window_seq, seq + 2);
	}
};

/* Whether this update gets a scripted post (every script_every-th). */
ScriptedPost make_script(Vcpu *v)
{
	unsigned int every = v->run->cfg.script_every;
	uint64_t n = v->updates++;

	return { every && n % every == every - 1, false, {},
		 first_vector + static_cast<unsigned int>(n % v->run->cfg.vectors) };
}

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

/*
 * Load on @pcpu.  Return: the control word the load replaced (for
 * plain_store and split_stores, the one it read).
 */
template <typename P>
Control vcpu_load(Vcpu *v, unsigned int pcpu)
{
	Run *r = v->run;
	uint32_t ndst = pi::encode_ndst(pcpu, r->mode);
	Control cur = last_tuple(v);
	Control neu = (P::ndst == Ndst::follow ? cur.with_ndst(ndst) : cur)
		.with_sn(false).with_nv(r->nv_notif);
	ScriptedPost script = make_script(v);
	WindowHook hook = { v, r->window_cycles, neu.ndst() != cur.ndst(),
			    &script };
	pi::LoadResult lr;

	{
		IrqSaveGuard irqs;

		log_tuple(v, neu);
		lr = pi::pi_load<P::rmw, P::ndst>(&v->desc, ndst, r->nv_notif,
						  hook);
	}
	finish_scripted_post(v, &script, hook.moves);
	if (lr.set_on)
		atomic_fetch_add(&v->on_sets, 1);
	v->loads++;
	account_retries(v, &v->retries_load, lr.update.retries);

	/* NDST names the CPU just loaded on (only this thread writes it). */
	if (pi::decode_ndst(pi::read_control(&v->desc).ndst(), r->mode) != pcpu)
		v->ndst_stale_load++;
	return lr.update.old;
}

/*
 * The end of a block, right after the load that ended it (blocked_on is
 * still set, so every wakeup sent for this block finds the vCPU blocked).
 * @old is the word the load replaced.  If it had ON with the wakeup
 * vector, a wakeup IPI is owed: by the poster that set ON after the NV
 * switch, or by the block's own notify_self when ON was set before it.
 * Wait until no post is half done (the one that set ON has sent its IPI)
 * and every IPI sent so far was handled; if the vCPU was still not woken,
 * the wakeup was lost.
 */
void vcpu_unblock(Vcpu *v, Control old)
{
	Run *r = v->run;
	bool woken = smp_load_acquire(&v->wake);	/* pairs with the handler */

	if (!woken && old.on() && old.nv() == r->nv_wakeup) {
		uint64_t end = pvk_now_ns() + drain_timeout_ms * 1000000ULL;
		uint64_t s;
		bool drained = false;

		while (!posts_quiet(v, &s) && pvk_now_ns() < end)
			cpu_relax();
		/* Pairs with the handler's fully ordered add of ipis_done. */
		uint64_t sent = READ_ONCE(v->ipis_sent);

		while (pvk_now_ns() < end) {
			if (READ_ONCE(v->ipis_done) >= sent) {
				drained = true;
				break;
			}
			cpu_relax();
		}
		woken = smp_load_acquire(&v->wake);
		if (!drained && !woken)
			v->drain_timeouts++;
		else if (!woken)
			v->lost_wakeups++;
	}
	if (woken)
		v->block_wakeups++;
	else
		v->block_timeouts++;
	/* Off the wakeup "list": pairs with the handler's acquire. */
	smp_store_release(&v->blocked_on, not_blocked);
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

/* Block on @pcpu until woken or block_us passed; true when blocked. */
template <typename P>
bool vcpu_block(Vcpu *v, unsigned int pcpu)
{
	Run *r = v->run;
	ScriptedPost script = make_script(v);
	WindowHook hook = { v, r->window_cycles, false, &script };
	pi::BlockResult br;

	WRITE_ONCE(v->wake, 0);
	v->blocks++;
	{
		IrqSaveGuard irqs;

		/* Findable by pcpu's wakeup handler before NV switches:
		 * pairs with the handler's acquire of blocked_on. */
		smp_store_release(&v->blocked_on, pcpu);
		log_tuple(v, last_tuple(v).with_nv(r->nv_wakeup));
		br = pi::pi_block<P::rmw>(&v->desc, r->nv_wakeup, hook);
	}
	finish_scripted_post(v, &script, false);
	account_retries(v, &v->retries_block, br.update.retries);
	/* model: pi.block.notify_self */
	if (br.notify_self) {
		v->on_at_block++;
		/* The mutant no_self_notify forgets this. */
		if (P::self_notify) {
			v->self_notifications++;
			if (!send(&v->self, v, br.update.neu))
				v->ipi_errors++;
		}
	}

	uint64_t end = pvk_now_ns() + r->block_ns;
	unsigned int n = 0;

	/* Pairs with the wakeup handler's release of wake. */
	while (!smp_load_acquire(&v->wake) && !should_stop(r)) {
		if (pvk_now_ns() > end)
			break;	/* the vCPU's timer */
		check_blocked(v, pcpu);
		cpu_relax();
		if ((++n & 1023) == 0)
			pvk_cond_resched();
	}
	return true;
}

/* Preempted: SN := 1 (one locked bit op), away for run_us. */
void vcpu_preempt(Vcpu *v)
{
	Run *r = v->run;
	uint64_t end = pvk_now_ns() + r->run_ns;

	log_tuple(v, last_tuple(v).with_sn(true));
	pi::set_sn(&v->desc);
	v->preemptions++;
	while (pvk_now_ns() < end && !should_stop(r))
		cpu_relax();
}

template <typename P>
void vcpu_loop(Vcpu *v)
{
	Run *r = v->run;
	Rng rng(Rng::seed_for(0x9e3779b97f4a7c15ULL, v->id));
	unsigned int pcpu = v->cpu, online = pvk_num_online_cpus();
	unsigned int cycle = 0;
	bool blocked = false;

	for (;;) {
		if (r->cfg.migrate) {
			unsigned int to = pvk_nth_online_cpu(rng.next() % online);

			v->migrations += to != pcpu;
			pcpu = to;
		}
		Control old = vcpu_load<P>(v, pcpu);

		if (blocked)
			vcpu_unblock(v, old);
		if (should_stop(r))
			break;
		vcpu_run(v);
		if (r->cfg.preempt_every && ++cycle % r->cfg.preempt_every == 0) {
			vcpu_preempt(v);
			blocked = false;
			continue;
		}
		blocked = vcpu_block<P>(v, pcpu);
	}
}

/* A vCPU thread, between go and stop (crew.hpp). */
template <typename P>
void vcpu_fn(void *arg)
{
	vcpu_loop<P>(static_cast<Vcpu *>(arg));
}

void post(Poster *p, Vcpu *v, unsigned int vec)
{
	/* Opens the window posts_quiet() waits out; fully ordered, so it
	 * is visible before the PIR bit. */
	atomic_fetch_add(&v->post_started, 1);
	/* Pairs with the releases in WindowHook. */
	uint32_t w0 = smp_load_acquire(&v->window_seq);
	uint64_t h0 = smp_load_acquire(&v->log_head);	/* see check_control() */
	pi::PostResult pr = pi::iommu_post(&v->desc, vec, [v, h0](Control c) {
		check_control(v, c, h0);
	});
	/* The post's reads and its cmpxchg are locked or ordered before
	 * this read; the same odd seq means they all fell inside one
	 * update's window. */
	bool inside = (w0 & 1) && READ_ONCE(v->window_seq) == w0;

	p->posts++;
	if (!pr.coalesced) {
		atomic_fetch_add(&v->posted[vec], 1);
		p->distinct++;
	} else {
		p->coalesced++;
	}
	if (pr.suppressed)
		p->suppressed++;
	if (inside && pr.notify)
		atomic_fetch_add(&v->on_set_in_window, 1);
	if (inside && READ_ONCE(v->window_moves))
		atomic_fetch_add(&v->reads_in_move, 1);
	if (pr.notify) {
		atomic_fetch_add(&v->on_sets, 1);
		p->notifications++;
		if (!send(&p->out, v, pr.c))
			p->ipi_errors++;
	}
	/* Closes the window: the PIR bit, the ON decision and the IPI's
	 * ipis_sent are visible before it (fully ordered); pairs with
	 * posts_quiet(). */
	atomic_fetch_add(&v->post_finished, 1);
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

/*
 * The load litmus: the store-buffering shape inside pi_load() against a
 * poster, on two CPUs, round after round.
 *
 *   load (CPU A)                      poster (CPU B)
 *   SN := 0   (the update's write)    PIR bit := 1   (LOCK BTS)
 *   barrier of pi_load()              r2 = control.SN
 *   r1 = PIR not empty
 *
 * "Both missed" (r1 == 0, r2 == 1) leaves the post stranded: PIR set, ON
 * and SN clear, and nobody will notify it.  With the locked update it
 * cannot happen (a locked instruction drains A's store buffer before A's
 * PIR read); with plain_sn (a plain store of the word, then KVM's
 * smp_mb__after_atomic(), a compiler barrier on x86) A's PIR read may pass
 * its own store.  Both CPUs start each round at one TSC deadline.  A
 * "race" is a round whose outcome shows that the two sides overlapped:
 * both missed, or both saw (r1 == 1, r2 == 0: both stores before both
 * loads).  The litmus runs until it has litmus_rounds rounds and
 * min_events races, or limit_ms.  The poster's notification, when it sets
 * ON, is not sent: only the four accesses matter here.
 */
constexpr unsigned int litmus_batch = 64;

/*
 * Before slot @i, the side that trails this round waits i steps more: the
 * two sides' offset then sweeps across the slots, so that one of them
 * lands inside the store buffer's window whatever offset the round began
 * with (each side leaves its TSC spin with its own jitter).  Even rounds
 * A trails, odd rounds B.
 */
void litmus_trail(uint32_t round, bool b_side, unsigned int i)
{
	if ((round & 1) == b_side) {
		for (unsigned int j = 0; j < i; j++)
			barrier();
	}
}

struct alignas(64) Litmus {
	PiDesc desc[litmus_batch];
	const Run *run;
	Rmw rmw;
	uint32_t ndst;
	alignas(64) uint64_t go_tsc;
	uint32_t round;		/* written by A: the round to prepare */
	uint32_t go;		/* written by A: go_tsc of round go is set */
	alignas(64) uint32_t ready;	/* written by B: spinning for round */
	alignas(64) uint32_t done_b;	/* written by B: last round done */
	uint32_t b_saw_sn[litmus_batch];
	uint32_t a_done, stop;
	Crew crew;		/* A, the load, and B, the poster */
	/* A's results */
	uint64_t rounds, races, both_missed, both_saw, load_saw, post_saw;
	uint64_t deadline_ns;
};

constexpr uint64_t litmus_lead_cycles = 50000;
constexpr uint64_t litmus_ready_cycles = 100000000;	/* B waits for go */

void spin_until_tsc(uint64_t when)
{
	while (rdtsc_ordered() < when)
		cpu_relax();
}

bool litmus_stop(const Litmus *l)
{
	return READ_ONCE(l->stop) || l->crew.stopping() ||
	       pvk_now_ns() > l->deadline_ns;
}

/* B, the poster, between go and stop (crew.hpp). */
void litmus_b(void *arg)
{
	auto *l = static_cast<Litmus *>(arg);
	uint32_t seen = 0;

	while (!litmus_stop(l)) {
		/* Pairs with A's release of round: desc and go_tsc. */
		uint32_t r = smp_load_acquire(&l->round);

		if (r == seen) {
			pvk_cond_resched();
			cpu_relax();
			continue;
		}
		seen = r;
		bool saw_sn[litmus_batch];
		{
			IrqSaveGuard irqs;
			uint64_t give_up = rdtsc() + litmus_ready_cycles;

			/*
			 * Tell A we are running and spin for its go, so that
			 * the round starts while both CPUs run (under TCG a
			 * vCPU may be off its host CPU for milliseconds).
			 * Pairs with A's acquire of ready and release of go.
			 */
			smp_store_release(&l->ready, r);
			while (smp_load_acquire(&l->go) != r) {
				if (rdtsc() > give_up)
					break;
				cpu_relax();
			}
			spin_until_tsc(READ_ONCE(l->go_tsc));
			for (unsigned int i = 0; i < litmus_batch; i++) {
				litmus_trail(r, true, i);
				saw_sn[i] = pi::iommu_post(&l->desc[i], first_vector,
							   [](Control) {}).suppressed;
			}
		}
		for (unsigned int i = 0; i < litmus_batch; i++)
			WRITE_ONCE(l->b_saw_sn[i], saw_sn[i]);
		smp_store_release(&l->done_b, r);	/* pairs with A's acquire */
	}
}

template <Rmw R>
void litmus_rounds(Litmus *l)
{
	const Run *r = l->run;
	unsigned int want_races = r->cfg.min_events;

	/* The correct loop: litmus_rounds rounds; load_plain_sn: on until
	 * min_events races as well (exercised()). */
	while (l->rounds < r->cfg.litmus_rounds ||
	       (l->rmw == Rmw::plain_sn && l->races < want_races)) {
		if (litmus_stop(l))
			return;
		uint32_t round = l->round + 1;

		/* Preempted with nothing pending: the state a load finds. */
		for (unsigned int i = 0; i < litmus_batch; i++) {
			for (unsigned int w = 0; w < 8; w++)
				WRITE_ONCE(l->desc[i].pir[w], 0u);
			WRITE_ONCE(l->desc[i].control, Control{ 0 }
				   .with_nv(r->nv_notif).with_ndst(l->ndst)
				   .with_sn(true).raw);
		}
		/* Publish the reset before B sees the round; pairs with B's
		 * acquire of round. */
		smp_store_release(&l->round, round);
		/* B spins for us now: pairs with its release of ready. */
		while (smp_load_acquire(&l->ready) != round) {
			if (litmus_stop(l))
				return;
			pvk_cond_resched();
			cpu_relax();
		}
		bool pir_seen[litmus_batch];
		{
			IrqSaveGuard irqs;

			WRITE_ONCE(l->go_tsc, rdtsc_ordered() + litmus_lead_cycles);
			/* go_tsc before go; pairs with B's acquire of go. */
			smp_store_release(&l->go, round);
			spin_until_tsc(l->go_tsc);
			for (unsigned int i = 0; i < litmus_batch; i++) {
				litmus_trail(round, false, i);
				pir_seen[i] = pi::pi_load<R>(&l->desc[i], l->ndst,
							     r->nv_notif).pir_seen;
			}
		}
		/* Pairs with B's release of done_b: b_saw_sn is B's answer. */
		while (smp_load_acquire(&l->done_b) != round) {
			if (litmus_stop(l))
				return;
			pvk_cond_resched();
			cpu_relax();
		}
		for (unsigned int i = 0; i < litmus_batch; i++) {
			bool b_saw_sn = READ_ONCE(l->b_saw_sn[i]);
			Control c = pi::read_control(&l->desc[i]);
			bool stranded = !pi::pir_empty(&l->desc[i]) &&
					!c.on() && !c.sn();

			l->rounds++;
			l->load_saw += pir_seen[i];
			l->post_saw += !b_saw_sn;
			/* A lost post: no ON for a PIR bit, SN clear. */
			if (stranded || (!pir_seen[i] && b_saw_sn)) {
				l->both_missed++;
				l->races++;
			} else if (pir_seen[i] && !b_saw_sn) {
				l->both_saw++;
				l->races++;
			}
		}
	}
}

/* A, the load, between go and stop (crew.hpp): all the rounds. */
void litmus_a(void *arg)
{
	auto *l = static_cast<Litmus *>(arg);

	if (l->rmw == Rmw::plain_sn)
		litmus_rounds<Rmw::plain_sn>(l);
	else
		litmus_rounds<Rmw::cmpxchg_loop>(l);
	WRITE_ONCE(l->stop, 1);
	smp_store_release(&l->a_done, 1);	/* results before a_done */
}

/*
 * Run the litmus on the first two online CPUs until done or @deadline_ns,
 * adding its two threads to the run's thread counts.
 */
void run_litmus(const Run *r, Result *res, uint64_t deadline_ns)
{
	auto *l = static_cast<Litmus *>(pvk_zalloc(sizeof(Litmus)));

	res->threads += 2;
	if (!l)
		return;
	l->run = r;
	l->rmw = r->cfg.variant == variant_load_plain_sn ? Rmw::plain_sn
							   : Rmw::cmpxchg_loop;
	l->ndst = pi::encode_ndst(pvk_nth_online_cpu(0), r->mode);
	l->deadline_ns = deadline_ns;

	bool ok = l->crew.add(pvk_nth_online_cpu(1), litmus_b, l,
			      "pvsync/pi_litmus") &&
		  l->crew.add(pvk_nth_online_cpu(0), litmus_a, l,
			      "pvsync/pi_litmus") &&
		  l->crew.wait_started(start_timeout_ms);

	if (ok) {
		l->crew.go();	/* publishes l's settings (crew.hpp) */
		/* Until A is done (it sees the deadline), a signal or rmmod. */
		while (!smp_load_acquire(&l->a_done)) {	/* pairs with A */
			if (pvk_run_should_stop())
				WRITE_ONCE(l->stop, 1);
			pvk_msleep_interruptible(1);
		}
	}
	unsigned int wedged = l->crew.finish(stop_timeout_ms);

	res->threads_wedged += wedged;
	res->threads_started += l->crew.started();
	res->litmus_rounds_done = l->rounds;
	res->litmus_races = l->races;
	res->litmus_both_missed = l->both_missed;
	res->litmus_both_saw = l->both_saw;
	res->litmus_load_saw = l->load_saw;
	res->litmus_post_saw = l->post_saw;
	if (safe_to_free(wedged, "a pi_desc litmus thread is still running"))
		pvk_free(l);
}

/* After quiescing: the checks that need the final state, per vCPU. */
void final_checks(Run *r, Vcpu *v, Result *res)
{
	PiDesc *d = &v->desc;
	uint64_t h0 = v->log_head;
	Control c = pi::read_control(d);

	check_control(v, c, h0);
	if (!pi::pir_empty(d) && !c.on() && !c.sn())
		res->stranded_quiesce++;
	/* What the vCPU would do next: load where it was, then harvest. */
	log_tuple(v, last_tuple(v).with_sn(false).with_nv(r->nv_notif));
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
		res->block_wakeups += v->block_wakeups;
		res->block_timeouts += v->block_timeouts;
		res->scripted_posts += v->scripted_posts;
		res->on_set_in_window += v->on_set_in_window;
		res->on_at_block += v->on_at_block;
		res->reads_in_move += v->reads_in_move;
		res->stranded_blocked += v->stranded_blocked;
		res->torn_words += v->torn_words;
		res->words_unchecked += v->words_unchecked;
		res->mixed_fields += v->mixed_fields;
		res->ndst_stale_load += v->ndst_stale_load;
		res->ndst_stale_blocked += v->ndst_stale_blocked;
		res->wakeup_wrong_cpu += v->wakeup_wrong_cpu;
		res->lost_wakeups += v->lost_wakeups;
		res->drain_timeouts += v->drain_timeouts;
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
	uint64_t retries, on_lost, stranded, lost_wakeups, torn_words;
	uint64_t stale_ndst, litmus_both_missed;
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
	atomic_add(&totals.lost_wakeups, res.lost_wakeups);
	atomic_add(&totals.torn_words, res.torn_words);
	atomic_add(&totals.stale_ndst, res.ndst_stale_load +
		   res.ndst_stale_blocked + res.wakeup_wrong_cpu);
	atomic_add(&totals.litmus_both_missed, res.litmus_both_missed);
}

/*
 * The races the checks need have happened min_events times each: all of
 * them for the correct loop; for a broken variant, the one its bug needs
 * to show (its precondition), so that each mutant's run is driven until
 * its bug has had min_events chances.
 */
bool exercised(const Run *r, const Result *litmus)
{
	uint64_t in_window = 0, at_block = 0, in_move = 0, moves = 0;
	uint64_t n = r->cfg.min_events;

	for (unsigned int i = 0; i < r->cfg.vcpus; i++) {
		const Vcpu *v = &r->vcpu[i];

		in_window += READ_ONCE(v->on_set_in_window);
		at_block += READ_ONCE(v->on_at_block);
		in_move += READ_ONCE(v->reads_in_move);
		moves += READ_ONCE(v->migrations);
	}
	/* The correct loop must run its litmus_rounds (and see no lost
	 * post); load_plain_sn must see min_events races, rounds where the
	 * two sides overlapped, each a chance for its store to be passed. */
	bool litmus_ran = !litmus ||
			  litmus->litmus_rounds_done >= r->cfg.litmus_rounds;
	bool litmus_raced = !litmus || litmus->litmus_races >= n;

	switch (r->cfg.variant) {
	case variant_plain_store:
		return in_window >= n;
	case variant_no_self_notify:
		return at_block >= n;
	case variant_stale_ndst:
		return moves >= n;
	case variant_torn_fields:
		return in_move >= n;
	case variant_load_plain_sn:
		return litmus_raced;
	default:
		return in_window >= n && at_block >= n && in_move >= n &&
		       (!r->cfg.migrate || moves >= n) && litmus_ran;
	}
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

	/* limit_ms bounds the litmus and the stress together. */
	unsigned int limit_ms = cfg.limit_ms > cfg.duration_ms ? cfg.limit_ms
							       : cfg.duration_ms;
	uint64_t deadline = pvk_now_ns() + limit_ms * 1000000ULL;
	/* The litmus is the load's ordering check: the correct loop and
	 * load_plain_sn run it; the other mutants break other things. */
	bool litmus = res->cpus >= 2 && (cfg.variant == variant_cmpxchg ||
					 cfg.variant == variant_load_plain_sn);
	bool ok = true;

	/* The load litmus first, on two CPUs of its own, for at most half
	 * of limit_ms. */
	if (litmus)
		run_litmus(r, res, pvk_now_ns() + limit_ms * 500000ULL);
	unsigned int litmus_wedged = res->threads_wedged;

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
		log_tuple(v, Control{ v->desc.control });
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
		/* At least duration_ms; then on until every race the checks
		 * need has happened min_events times, or limit_ms. */
		res->stopped_early = run_for(cfg.duration_ms);
		while (!res->stopped_early && !exercised(r, litmus ? res : nullptr) &&
		       pvk_now_ns() < deadline)
			res->stopped_early = run_for(10);
	}
	res->elapsed_ns = pvk_now_ns() - start;
	/* Stops only threads that finished; a wedged one keeps the run's
	 * memory, which is then leaked rather than freed under it. */
	res->threads_wedged += r->crew.finish(stop_timeout_ms);
	res->threads_started += r->crew.started();

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

	bool wedged = res->threads_wedged > litmus_wedged;

	if (!wedged) {
		for (unsigned int i = 0; i < cfg.vcpus; i++)
			final_checks(r, &r->vcpu[i], res);
	}
	collect(r, res);
	res->exercised = exercised(r, litmus ? res : nullptr);
	if (safe_to_free(wedged || res->ipis_unfinished,
			 "a pi_desc thread or IPI is still running"))
		pvk_free(r);
	if (!res->passed() && cfg.variant == variant_cmpxchg)
		pvk_warn_once_report("pi_desc: the cmpxchg64 variant failed a check");
	add_totals(*res);
	return 0;
}

/*
 * The checks, grouped by the reason a failure names.  The order is the
 * order of precedence when several fail: a lost post first (ON lost, a
 * stranded or missing vector, or the litmus), then a torn word, a stale
 * NDST, a lost wakeup.  Each broken variant trips its own group (and at
 * most groups before it in this list, never after: see
 * Documentation/pi_desc.rst).
 */
bool Result::passed() const
{
	return !failure_reason();
}

const char *Result::failure_reason() const
{
	if (on_lost || stranded_blocked || stranded_quiesce ||
	    vectors_missing || vectors_extra || never_harvested ||
	    litmus_both_missed)
		return "lost post";
	if (torn_words || mixed_fields)
		return "torn control word";
	if (ndst_stale_load || ndst_stale_blocked || wakeup_wrong_cpu)
		return "stale NDST";
	if (lost_wakeups)
		return "lost wakeup";
	if (threads_started != threads || threads_wedged || ipis_unfinished ||
	    ipi_errors || misdirected || bad_vector || !posts || !loads ||
	    !harvests)
		return "bookkeeping";
	if (!exercised)
		return "not exercised";
	return nullptr;
}

namespace {

/* The counts behind the reason, on the failure_reason line. */
void print_reason(TextBuf &out, const Result &r)
{
	const char *why = r.failure_reason();
	auto u = [](uint64_t x) { return static_cast<unsigned long long>(x); };

	if (!why)
		return;
	if (why[0] == 'l' && why[5] == 'p')	/* lost post */
		out.line("failure_reason: lost post: on_lost %lld, stranded %llu, missing %llu, extra %llu, never_harvested %llu, litmus_both_missed %llu",
			 static_cast<long long>(r.on_lost),
			 u(r.stranded_blocked + r.stranded_quiesce),
			 u(r.vectors_missing), u(r.vectors_extra),
			 u(r.never_harvested), u(r.litmus_both_missed));
	else if (why[0] == 't')
		out.line("failure_reason: torn control word: %llu words no writer wrote, %llu invalid",
			 u(r.torn_words), u(r.mixed_fields));
	else if (why[0] == 's')
		out.line("failure_reason: stale NDST: %llu after a load, %llu while blocked, %llu wakeups on another CPU",
			 u(r.ndst_stale_load), u(r.ndst_stale_blocked),
			 u(r.wakeup_wrong_cpu));
	else if (why[0] == 'l')
		out.line("failure_reason: lost wakeup: %llu blocks timed out with ON set, NV the wakeup vector and every IPI handled",
			 u(r.lost_wakeups));
	else if (why[0] == 'n')
		out.line("failure_reason: not exercised: on_set_in_window %llu, on_at_block %llu, reads_in_move %llu, migrations %llu, litmus_races %llu (want %u each), litmus_rounds_done %llu (want %u)",
			 u(r.on_set_in_window), u(r.on_at_block),
			 u(r.reads_in_move), u(r.migrations),
			 u(r.litmus_races), r.cfg.min_events,
			 u(r.litmus_rounds_done), r.cfg.litmus_rounds);
	else
		out.line("failure_reason: %s", why);
}

} /* namespace */

const char *variant_name(unsigned int variant)
{
	return variant < nr_variants ? variants[variant].name : "?";
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
	out.kv("block_wakeups", block_wakeups);
	out.kv("block_timeouts", block_timeouts);
	out.kv("preemptions", preemptions);
	out.kv("migrations", migrations);
	out.kv("updates_per_s", measure::mul_div(updates, 1000000000ULL, ns));
	out.kv("retries_load", retries_load);
	out.kv("retries_block", retries_block);
	out.kv("retries_per_1000_updates",
	       measure::mul_div(retries, 1000, updates ? updates : 1));
	out.kv("retries_max", retries_max);
	out.kv("harvests", harvests);
	out.kv("vectors_received", vectors_received);
	out.kv("scripted_posts", scripted_posts);
	out.kv("on_set_in_window", on_set_in_window);
	out.kv("on_at_block", on_at_block);
	out.kv("reads_in_move", reads_in_move);
	out.kv("litmus_rounds_done", litmus_rounds_done);
	out.kv("litmus_races", litmus_races);
	out.kv("litmus_both_saw", litmus_both_saw);
	out.kv("litmus_load_saw_pir", litmus_load_saw);
	out.kv("litmus_post_saw_sn_clear", litmus_post_saw);
	out.kv("exercised", exercised ? "yes" : "no");
	out.kv("vectors_missing", vectors_missing);
	out.kv("vectors_extra", vectors_extra);
	out.kv("never_harvested", never_harvested);
	out.kv("on_sets", on_sets);
	out.kv("on_clears", on_clears);
	out.kv("on_lost", on_lost);
	out.kv("stranded_blocked", stranded_blocked);
	out.kv("stranded_quiesce", stranded_quiesce);
	out.kv("litmus_both_missed", litmus_both_missed);
	out.kv("torn_words", torn_words);
	out.kv("words_unchecked", words_unchecked);
	out.kv("mixed_fields", mixed_fields);
	out.kv("ndst_stale_load", ndst_stale_load);
	out.kv("ndst_stale_blocked", ndst_stale_blocked);
	out.kv("wakeup_wrong_cpu", wakeup_wrong_cpu);
	out.kv("lost_wakeups", lost_wakeups);
	out.kv("drain_timeouts", drain_timeouts);
	out.kv("misdirected", misdirected);
	out.kv("bad_vector", bad_vector);
	out.kv("ipi_errors", ipi_errors);
	out.kv("ipis_unfinished", ipis_unfinished);
	print_reason(out, *this);
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
	text.kv("lost_wakeups", READ_ONCE(totals.lost_wakeups));
	text.kv("torn_words", READ_ONCE(totals.torn_words));
	text.kv("stale_ndst", READ_ONCE(totals.stale_ndst));
	text.kv("litmus_both_missed", READ_ONCE(totals.litmus_both_missed));
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
	WRITE_ONCE(totals.lost_wakeups, 0);
	WRITE_ONCE(totals.torn_words, 0);
	WRITE_ONCE(totals.stale_ndst, 0);
	WRITE_ONCE(totals.litmus_both_missed, 0);
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
