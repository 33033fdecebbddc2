// SPDX-License-Identifier: GPL-2.0
/*
 * cases.cpp - suite pvsync_pi_desc: the posted-interrupt
 * descriptor's layout against the seed's numbers, its helpers, the KVM
 * update loops, a forced interleaving that shows the cmpxchg64 loop
 * keeping a concurrent ON and the plain store losing it, and short stress
 * runs of both variants.
 */
#include <stdint.h>

#include "core/atomic.hpp"
#include "pi_desc/experiment.hpp"
#include <pvsync/kapi.h>
#include "pi_desc/pi_desc.hpp"
#include "core/test.hpp"

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
 * way the IOMMU does (PIR bit, then ON).
 */
struct PostInWindow {
	unsigned int vector;
	unsigned int calls;

	void operator()(PiDesc *d, Control)
	{
		if (calls++ == 0) {
			pi::test_and_set_pir(vector, d);
			pi::test_and_set_on(d);
		}
	}
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

	post = { 60, 0 };
	init_loaded(&d);
	pi::set_sn(&d);
	pi::LoadResult l = pi::pi_load(&d, 7, notif, post);
	Control c = pi::read_control(&d);

	PV_EXPECT_EQ(t, l.update.retries, 1u);
	PV_EXPECT(t, c.on() && !c.sn());
	PV_EXPECT_EQ(t, c.ndst(), 7u);
	PV_EXPECT(t, !l.set_on);	/* the poster's ON survived */
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

void stress_case(struct pvsync_test *t, unsigned int variant, bool expect_pass)
{
	pi_exp::Config cfg = pi_exp::default_config();
	pi_exp::Result res;

	if (pvk_num_online_cpus() < 2)
		PV_SKIP(t, "needs two online CPUs");
	cfg.variant = variant;
	cfg.duration_ms = 1000;
	PV_ASSERT(t, pi_exp::run(cfg, &res) == 0);
	test::log(t, "%s: posts %llu notifications %llu loads %llu blocks %llu retries %llu on_lost %lld stranded %llu/%llu missing %llu",
		  variant == pi_exp::variant_cmpxchg ? "cmpxchg" : "plain_store",
		  (unsigned long long)res.posts,
		  (unsigned long long)res.notifications,
		  (unsigned long long)res.loads, (unsigned long long)res.blocks,
		  (unsigned long long)(res.retries_load + res.retries_block),
		  (long long)res.on_lost,
		  (unsigned long long)res.stranded_blocked,
		  (unsigned long long)res.stranded_quiesce,
		  (unsigned long long)res.vectors_missing);
	PV_EXPECT_EQ(t, res.threads_started, res.threads);
	PV_EXPECT_EQ(t, res.threads_wedged, 0u);
	PV_EXPECT_EQ(t, res.ipis_unfinished, 0u);
	PV_EXPECT(t, res.posts > 0 && res.loads > 0 && res.harvests > 0);
	PV_EXPECT_EQ(t, res.passed(), expect_pass);
	if (expect_pass) {
		PV_EXPECT_EQ(t, res.on_lost, 0);
		PV_EXPECT_EQ(t, res.vectors_missing, 0u);
		PV_EXPECT_EQ(t, res.stranded_blocked + res.stranded_quiesce, 0u);
	} else {
		PV_EXPECT(t, res.on_lost > 0);
	}
}

} /* namespace */

PV_CASE(pi_desc, stress_cmpxchg_loses_nothing)
{
	stress_case(t, pi_exp::variant_cmpxchg, true);
}

PV_CASE(pi_desc, stress_plain_store_loses_on)
{
	stress_case(t, pi_exp::variant_plain_store, false);
}
