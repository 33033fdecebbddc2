// SPDX-License-Identifier: GPL-2.0
/*
 * cases.cpp - suite pvsync_pi_desc: the posted-interrupt
 * descriptor's layout against the seed's numbers, its helpers, the KVM
 * update loops, forced interleavings (the cmpxchg64 loop keeping a
 * concurrent ON and the plain store losing it, a reader between the split
 * stores seeing a torn word), and stress runs of the correct loop and of
 * each broken variant, caught for its reason.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "pi_desc/experiment.hpp"
#include <pvsync/kapi.h>
#include "pi_desc/pi_desc.hpp"
#include "harness/test.hpp"

using namespace pv;
using pi::Control;
using pi::PiDesc;

namespace {

/* Bit @n of the descriptor, counted as the SDM counts: byte n / 8. */
bool desc_bit(const PiDesc *d, unsigned int n)
{
	const auto *b = reinterpret_cast<const volatile uint8_t *>(d);

	return (b[n / 8] >> (n % 8)) & 1;
}

unsigned int desc_bits_set(const PiDesc *d)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < 512; i++)
		n += desc_bit(d, i);
	return n;
}

constexpr uint8_t wakeup = pi::posted_intr_wakeup_vector;
constexpr uint8_t notif = pi::posted_intr_vector;

/* A descriptor loaded on APIC id 3 (x2APIC), nothing pending. */
void init_loaded(PiDesc *d)
{
	*d = PiDesc{};
	d->control = Control{ 0 }.with_nv(notif).with_ndst(3).raw;
}

/*
 * The poster of the forced interleaving: on the first call, in the window
 * between the update's read of control and its write, post @vector the
 * way the IOMMU does (PIR bit, then ON unless SN or ON is set).
 */
struct PostInWindow {
	unsigned int vector;
	unsigned int calls;

	void operator()(PiDesc *d, Control)
	{
		if (calls++ == 0)
			pi::iommu_post(d, vector, [](Control) {});
	}
};

/* A reader in the window: what a poster would see there. */
struct ReadInWindow {
	Control seen;

	void operator()(PiDesc *d, Control) { seen = pi::read_control(d); }
};

} /* namespace */

PV_CASE(pi_desc, layout_matches_seed)
{
	PiDesc d = {};

	PV_EXPECT_EQ(t, sizeof(PiDesc), 64u);
	PV_EXPECT_EQ(t, alignof(PiDesc), 64u);
	PV_EXPECT_EQ(t, reinterpret_cast<uintptr_t>(&d) % 64, 0u);
	PV_EXPECT_EQ(t, __builtin_offsetof(PiDesc, pir), 0u);
	PV_EXPECT_EQ(t, __builtin_offsetof(PiDesc, control), 32u);
	PV_EXPECT_EQ(t, __builtin_offsetof(PiDesc, rsvd), 40u);

	/* Each field lands on the seed's bit numbers, and nowhere else. */
	pi::set_on(&d);
	PV_EXPECT(t, desc_bit(&d, 256));
	PV_EXPECT_EQ(t, desc_bits_set(&d), 1u);
	pi::clear_on(&d);
	pi::set_sn(&d);
	PV_EXPECT(t, desc_bit(&d, 257));
	PV_EXPECT_EQ(t, desc_bits_set(&d), 1u);
	pi::clear_sn(&d);

	d.control = Control{ 0 }.with_nv(0x81).raw;	/* bits 272 and 279 */
	PV_EXPECT(t, desc_bit(&d, 272) && desc_bit(&d, 279));
	PV_EXPECT_EQ(t, desc_bits_set(&d), 2u);
	d.control = Control{ 0 }.with_ndst(0x80000001).raw;	/* 288, 319 */
	PV_EXPECT(t, desc_bit(&d, 288) && desc_bit(&d, 319));
	PV_EXPECT_EQ(t, desc_bits_set(&d), 2u);

	d.control = 0;
	pi::test_and_set_pir(0, &d);
	pi::test_and_set_pir(255, &d);
	PV_EXPECT(t, desc_bit(&d, 0) && desc_bit(&d, 255));
	PV_EXPECT_EQ(t, d.pir[0], 1u);
	PV_EXPECT_EQ(t, d.pir[7], 0x80000000u);
	PV_EXPECT_EQ(t, desc_bits_set(&d), 2u);

	/* The reserved control bits are exactly 271:258 and 287:280. */
	d = PiDesc{};
	d.control = pi::rsvd_mask;
	for (unsigned int i = 256; i < 320; i++) {
		bool rsvd = (i >= 258 && i <= 271) || (i >= 280 && i <= 287);

		PV_EXPECT_EQ(t, desc_bit(&d, i), rsvd);
	}
}

PV_CASE(pi_desc, helpers_make_their_transitions)
{
	PiDesc d = {};

	PV_EXPECT(t, !pi::test_and_set_on(&d));
	PV_EXPECT(t, pi::test_and_set_on(&d));
	PV_EXPECT(t, pi::test_on(&d));
	pi::clear_on(&d);
	PV_EXPECT(t, !pi::test_on(&d));
	PV_EXPECT(t, !pi::test_and_clear_on(&d));

	pi::set_sn(&d);
	PV_EXPECT(t, pi::test_sn(&d));
	PV_EXPECT(t, !pi::test_on(&d));
	pi::clear_sn(&d);
	PV_EXPECT(t, !pi::test_sn(&d));
	PV_EXPECT_EQ(t, d.control, 0u);

	PV_EXPECT(t, pi::pir_empty(&d));
	PV_EXPECT(t, !pi::test_and_set_pir(100, &d));
	PV_EXPECT(t, pi::test_and_set_pir(100, &d));	/* coalesces */
	PV_EXPECT_EQ(t, d.pir[3], 1u << 4);
	PV_EXPECT(t, !pi::pir_empty(&d));
	PV_EXPECT_EQ(t, d.control, 0u);	/* PIR ops leave control alone */
}

PV_CASE(pi_desc, ndst_encodes_x2apic_and_xapic)
{
	using pi::ApicMode;

	PV_EXPECT_EQ(t, pi::encode_ndst(5, ApicMode::x2apic), 5u);
	PV_EXPECT_EQ(t, pi::encode_ndst(0x12345, ApicMode::x2apic), 0x12345u);
	PV_EXPECT_EQ(t, pi::encode_ndst(5, ApicMode::xapic), 0x500u);
	PV_EXPECT_EQ(t, pi::encode_ndst(0xff, ApicMode::xapic), 0xff00u);
	PV_EXPECT_EQ(t, pi::encode_ndst(0x1ff, ApicMode::xapic), 0xff00u);
	PV_EXPECT_EQ(t, pi::decode_ndst(0x500, ApicMode::xapic), 5u);
	PV_EXPECT_EQ(t, pi::decode_ndst(0x501, ApicMode::xapic), ~0u);
	for (unsigned int id = 0; id < 256; id++)
		PV_EXPECT_EQ(t, pi::decode_ndst(pi::encode_ndst(id, ApicMode::xapic),
						ApicMode::xapic), id);
}

PV_CASE(pi_desc, block_switches_nv_and_notifies_when_on)
{
	PiDesc d;

	init_loaded(&d);
	pi::BlockResult b = pi::pi_block(&d, wakeup);
	Control c = pi::read_control(&d);

	PV_EXPECT_EQ(t, c.nv(), wakeup);
	PV_EXPECT_EQ(t, c.ndst(), 3u);
	PV_EXPECT(t, !c.on() && !c.sn());
	PV_EXPECT(t, !b.notify_self);
	PV_EXPECT_EQ(t, b.update.retries, 0u);

	init_loaded(&d);
	pi::test_and_set_pir(40, &d);
	pi::set_on(&d);		/* a post before the switch */
	b = pi::pi_block(&d, wakeup);
	PV_EXPECT(t, b.notify_self);
	PV_EXPECT(t, pi::test_on(&d));
	PV_EXPECT_EQ(t, pi::read_control(&d).nv(), wakeup);
}

PV_CASE(pi_desc, load_sets_ndst_nv_clears_sn_and_recomputes_on)
{
	PiDesc d;

	/* Preempted with a post suppressed: PIR set, ON clear, SN set. */
	init_loaded(&d);
	pi::set_sn(&d);
	pi::test_and_set_pir(77, &d);
	pi::LoadResult l = pi::pi_load(&d, pi::encode_ndst(9, pi::ApicMode::xapic),
				       notif);
	Control c = pi::read_control(&d);

	PV_EXPECT_EQ(t, c.ndst(), 0x900u);
	PV_EXPECT_EQ(t, c.nv(), notif);
	PV_EXPECT(t, !c.sn());
	PV_EXPECT(t, c.on());		/* recomputed from PIR */
	PV_EXPECT(t, l.set_on);
	PV_EXPECT_EQ(t, c.rsvd(), 0u);

	/* From blocked, nothing pending: ON stays clear. */
	init_loaded(&d);
	pi::pi_block(&d, wakeup);
	l = pi::pi_load(&d, 4, notif);
	c = pi::read_control(&d);
	PV_EXPECT_EQ(t, c.nv(), notif);
	PV_EXPECT_EQ(t, c.ndst(), 4u);
	PV_EXPECT(t, !c.on() && !l.set_on);
}

PV_CASE(pi_desc, harvest_clears_on_then_takes_pir)
{
	PiDesc d;
	uint64_t seen[4] = {};
	auto take = [&seen](unsigned int v) { seen[v / 64] |= 1ULL << (v % 64); };

	init_loaded(&d);
	pi::test_and_set_pir(33, &d);
	PV_EXPECT(t, !pi::harvest(&d, take));	/* ON clear: nothing taken */
	PV_EXPECT_EQ(t, seen[0], 0u);
	pi::test_and_set_pir(200, &d);
	pi::set_on(&d);
	PV_EXPECT(t, pi::harvest(&d, take));
	PV_EXPECT_EQ(t, seen[0], 1ULL << 33);
	PV_EXPECT_EQ(t, seen[3], 1ULL << (200 - 192));
	PV_EXPECT(t, pi::pir_empty(&d));
	PV_EXPECT(t, !pi::test_on(&d));
	PV_EXPECT_EQ(t, pi::read_control(&d).nv(), notif);	/* rest kept */
}

PV_CASE(pi_desc, cmpxchg_loop_retries_and_keeps_on)
{
	PiDesc d;
	PostInWindow post = { 50, 0 };

	init_loaded(&d);
	pi::BlockResult b = pi::pi_block(&d, wakeup, post);

	PV_EXPECT_EQ(t, b.update.retries, 1u);
	PV_EXPECT_EQ(t, post.calls, 2u);	/* one read per iteration */
	PV_EXPECT(t, pi::test_on(&d));
	PV_EXPECT(t, b.notify_self);		/* ON seen at the switch */
	PV_EXPECT_EQ(t, pi::read_control(&d).nv(), wakeup);

	/* Preempted (SN set): the post in the window only sets its PIR bit,
	 * as VT-d with URG=0 does, so the word does not change and the
	 * load does not retry; ON comes from the load's own look at PIR. */
	post = { 60, 0 };
	init_loaded(&d);
	pi::set_sn(&d);
	pi::LoadResult l = pi::pi_load(&d, 7, notif, post);
	Control c = pi::read_control(&d);

	PV_EXPECT_EQ(t, l.update.retries, 0u);
	PV_EXPECT(t, c.on() && !c.sn());
	PV_EXPECT_EQ(t, c.ndst(), 7u);
	PV_EXPECT(t, l.pir_seen && l.set_on);	/* ON recomputed from PIR */

	/* Running (SN clear): the post sets ON in the window, the load
	 * retries once and keeps it. */
	post = { 61, 0 };
	init_loaded(&d);
	l = pi::pi_load(&d, 7, notif, post);
	c = pi::read_control(&d);
	PV_EXPECT_EQ(t, l.update.retries, 1u);
	PV_EXPECT(t, c.on() && !c.sn());
	PV_EXPECT(t, l.pir_seen && !l.set_on);	/* the poster's ON survived */
}

PV_CASE(pi_desc, split_stores_show_a_torn_word)
{
	using pi::Rmw;
	PiDesc d;
	ReadInWindow r = {};

	/* Blocked on APIC id 3; load on 7.  Between the mutant's two
	 * stores a reader sees NDST 7 with the wakeup vector: a word that
	 * neither the block nor the load wrote. */
	init_loaded(&d);
	pi::pi_block(&d, wakeup);
	pi::pi_load<Rmw::split_stores>(&d, 7, notif, r);
	PV_EXPECT_EQ(t, r.seen.ndst(), 7u);
	PV_EXPECT_EQ(t, r.seen.nv(), wakeup);
	PV_EXPECT_EQ(t, pi::read_control(&d).nv(), notif);

	/* The cmpxchg loop writes the word at once: the reader sees the
	 * old word whole. */
	r = {};
	init_loaded(&d);
	pi::pi_block(&d, wakeup);
	pi::pi_load(&d, 7, notif, r);
	PV_EXPECT_EQ(t, r.seen.ndst(), 3u);
	PV_EXPECT_EQ(t, r.seen.nv(), wakeup);
}

PV_CASE(pi_desc, load_keeping_ndst_leaves_stale_destination)
{
	using pi::Ndst;
	using pi::Rmw;
	PiDesc d;

	init_loaded(&d);
	pi::pi_block(&d, wakeup);
	pi::pi_load<Rmw::cmpxchg_loop, Ndst::keep>(&d, 7, notif);
	PV_EXPECT_EQ(t, pi::read_control(&d).ndst(), 3u);	/* stale */
	pi::pi_load(&d, 7, notif);
	PV_EXPECT_EQ(t, pi::read_control(&d).ndst(), 7u);
}

PV_CASE(pi_desc, post_honours_sn_and_on)
{
	PiDesc d;

	init_loaded(&d);
	pi::set_sn(&d);
	pi::PostResult p = pi::iommu_post(&d, 40, [](Control) {});
	PV_EXPECT(t, p.suppressed && !p.notify && !pi::test_on(&d));
	pi::clear_sn(&d);
	p = pi::iommu_post(&d, 41, [](Control) {});
	PV_EXPECT(t, p.notify && pi::test_on(&d));
	PV_EXPECT_EQ(t, p.c.nv(), notif);
	PV_EXPECT_EQ(t, p.c.ndst(), 3u);
	p = pi::iommu_post(&d, 41, [](Control) {});
	PV_EXPECT(t, p.coalesced && !p.notify);	/* ON set: nothing sent */

	/* Blocked and preempted at once (KVM allows SN with the wakeup
	 * vector): suppressed, nothing sent. */
	init_loaded(&d);
	pi::pi_block(&d, wakeup);
	pi::set_sn(&d);
	p = pi::iommu_post(&d, 42, [](Control) {});
	PV_EXPECT(t, p.suppressed && !p.notify);
}

PV_CASE(pi_desc, plain_store_drops_on)
{
	using pi::Rmw;
	PiDesc d;
	PostInWindow post = { 50, 0 };

	init_loaded(&d);
	pi::BlockResult b = pi::pi_block<Rmw::plain_store>(&d, wakeup, post);
	Control c = pi::read_control(&d);

	PV_EXPECT_EQ(t, b.update.retries, 0u);
	PV_EXPECT_EQ(t, post.calls, 1u);
	/* The poster set ON and spent its notification; ON is gone, so no
	 * wakeup is ever sent for vector 50: stranded. */
	PV_EXPECT(t, !c.on());
	PV_EXPECT(t, !b.notify_self);
	PV_EXPECT(t, !pi::pir_empty(&d) && !c.sn());

	/* In the load, the recompute from PIR hides the loss, but the ON
	 * the poster set was still overwritten: ON went 1 -> 0 -> 1 and the
	 * load took the 0 -> 1 step (set_on) that the poster already took. */
	post = { 60, 0 };
	init_loaded(&d);
	pi::LoadResult l = pi::pi_load<Rmw::plain_store>(&d, 7, notif, post);

	PV_EXPECT(t, l.set_on);
	PV_EXPECT(t, pi::test_on(&d));
}

namespace {

bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* One default run of @variant; it must end with @reason (nullptr: PASS). */
void stress_case(struct pvsync_test *t, unsigned int variant,
		 const char *reason)
{
	pi_exp::Config cfg = pi_exp::default_config();
	pi_exp::Result res;

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	cfg.variant = variant;
	PV_ASSERT(t, pi_exp::run(cfg, &res) == 0);
	const char *why = res.failure_reason();

	test::log(t, "%s: %s; posts %llu loads %llu blocks %llu (woken %llu, timed out %llu) on_lost %lld torn %llu stale_ndst %llu lost_wakeups %llu litmus %llu/%llu",
		  pi_exp::variant_name(variant), why ? why : "PASS",
		  (unsigned long long)res.posts, (unsigned long long)res.loads,
		  (unsigned long long)res.blocks,
		  (unsigned long long)res.block_wakeups,
		  (unsigned long long)res.block_timeouts,
		  (long long)res.on_lost, (unsigned long long)res.torn_words,
		  (unsigned long long)(res.ndst_stale_load + res.wakeup_wrong_cpu),
		  (unsigned long long)res.lost_wakeups,
		  (unsigned long long)res.litmus_both_missed,
		  (unsigned long long)res.litmus_rounds_done);
	PV_EXPECT_EQ(t, res.threads_started, res.threads);
	PV_EXPECT_EQ(t, res.threads_wedged, 0u);
	PV_EXPECT_EQ(t, res.ipis_unfinished, 0u);
	if (!reason) {
		PV_EXPECT(t, res.passed());
		PV_EXPECT(t, res.exercised);
	} else {
		PV_EXPECT(t, !res.passed());
		PV_EXPECT(t, why && str_eq(why, reason));
	}
}

} /* namespace */

PV_CASE(pi_desc, stress_cmpxchg_loses_nothing)
{
	stress_case(t, pi_exp::variant_cmpxchg, nullptr);
}

PV_CASE(pi_desc, stress_plain_store_loses_a_post)
{
	stress_case(t, pi_exp::variant_plain_store, "lost post");
}

PV_CASE(pi_desc, stress_no_self_notify_loses_a_wakeup)
{
	stress_case(t, pi_exp::variant_no_self_notify, "lost wakeup");
}

PV_CASE(pi_desc, stress_stale_ndst_is_caught)
{
	stress_case(t, pi_exp::variant_stale_ndst, "stale NDST");
}

PV_CASE(pi_desc, stress_torn_fields_are_caught)
{
	stress_case(t, pi_exp::variant_torn_fields, "torn control word");
}
