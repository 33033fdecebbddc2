/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pi_desc.hpp - the VMX posted-interrupt descriptor and the cmpxchg64 loops
 * that update its control word under a concurrent "hardware" poster.
 *
 * The idea
 * --------
 * With posted interrupts, a device (through the IOMMU) or another CPU
 * delivers an interrupt to a vCPU without a VM exit: it sets the vector's
 * bit in the 256-bit Posted Interrupt Request bitmap (PIR), then, unless
 * notifications are suppressed (SN), sets Outstanding Notification (ON)
 * and, if ON was clear, sends the notification vector NV to the physical
 * CPU named by the Notification Destination NDST.  ON means "a
 * notification is on its way, or the consumer will look anyway": posters
 * that find it set send nothing.  The vCPU side consumes by clearing ON and
 * then taking the PIR words.
 *
 * The hypervisor also writes NV, NDST and SN: when the vCPU blocks (NV
 * becomes the wakeup vector, so a post wakes the sleeping task) and when it
 * is loaded on a CPU (NDST follows the vCPU, NV returns to the notification
 * vector, SN is cleared).  These fields share one 64-bit control word with
 * ON, which the poster may set at any instant.  So every hypervisor update
 * is a read-modify-write of the whole word that must not overwrite an ON
 * set in between: read the word once, build the new value, cmpxchg64 it
 * in, and retry from what the cmpxchg found when it fails.  A plain store
 * of the new value (the mutant, Rmw::plain_store) silently clears an ON
 * that a poster set between the read and the store; the poster has already
 * spent its notification, so no later poster sends one for the vectors in
 * PIR, and a blocked vCPU is not woken: the interrupt is lost until
 * something unrelated looks at PIR.
 *
 * Layout (bits of the 512-bit descriptor; the seed's, and the SDM's)
 * ------------------------------------------------------------------
 *   255:0    PIR, as u32 pir[8]                 bytes  0-31
 *   256      ON   control bit 0                 byte  32, bit 0
 *   257      SN   control bit 1                 byte  32, bit 1
 *   271:258  reserved                            bytes 32-33
 *   279:272  NV   control bits 23:16            byte  34
 *   287:280  reserved                            byte  35
 *   319:288  NDST control bits 63:32            bytes 36-39
 *   511:320  reserved, u32 rsvd[6]              bytes 40-63
 * 64 bytes, 64-byte aligned.  The control word is handled as a u64 with
 * constexpr encode/decode (struct Control) instead of the kernel's union of
 * bitfields, so that C++ never type-puns; static_asserts below pin every
 * offset and bit position, and pi_desc/layout_matches_seed checks them on a
 * live descriptor.
 *
 * NDST encoding: x2APIC takes the 32-bit APIC id as it is; xAPIC puts the
 * 8-bit id in bits 15:8, (id << 8) & 0xFF00.  pvsync's "APIC ids" are
 * emulated: online CPU n has id n (see Documentation/pi_desc.rst).
 *
 * The update loops, as in KVM's VMX code (arch/x86/kvm/vmx/posted_intr.c)
 * ------------------------------------------------------------------------
 *   pi_block(): NV := wakeup vector.  If ON was already set in the word the
 *     cmpxchg replaced, a post arrived before the switch and its
 *     notification went to the notification vector, which does not wake a
 *     blocked task: the caller must notify itself with the wakeup vector.
 *   pi_load(): NDST := this CPU's id, NV := notification vector, SN := 0;
 *     then, with SN := 0 ordered before it, ON := 1 if PIR is not empty
 *     (posts made while SN was set are made visible again).  On x86 the
 *     locked cmpxchg64 is that order; KVM's smp_mb__after_atomic() there
 *     is a compiler barrier only.
 * Each iteration reads the control word exactly once: the first snapshot
 * is a READ_ONCE, every later one is the value the failed cmpxchg64 found.
 *
 * Guarantees, and what shows each (Documentation/pi_desc.rst has the map
 * and the counts)
 * ----------------------------------------------------------------------
 *   - Layout is the seed's: static_asserts here; KUnit
 *     pi_desc/layout_matches_seed.
 *   - An update never loses a concurrent ON: KUnit
 *     pi_desc/cmpxchg_loop_retries_and_keeps_on forces a post between the
 *     read and the cmpxchg (the Hook parameter) and sees one retry and ON
 *     kept; pi_desc/plain_store_drops_on shows Rmw::plain_store losing it;
 *     the stress's variant plain_store fails with "lost post".
 *   - NV, NDST and SN change together, as one word: split_stores_show_a_
 *     torn_word, and the stress's whole-word check (variant torn_fields,
 *     "torn control word").
 *   - A load moves NDST to its CPU (Ndst::keep is the mutant: variant
 *     stale_ndst, "stale NDST").
 *   - A block whose switch found ON notifies itself: variant
 *     no_self_notify, "lost wakeup".
 *   - The load's SN := 0 is ordered before its PIR read by the locked
 *     update itself: the stress's load litmus, variant load_plain_sn.
 *   - Every posted vector is harvested exactly once: the stress counts
 *     posts that found the PIR bit clear against bits harvested.
 *
 * Everything here is static and inline: no vague linkage (linkage.hpp).
 */
#ifndef PVSYNC_PI_DESC_HPP
#define PVSYNC_PI_DESC_HPP

#include <stdint.h>

#include "core/atomic.hpp"
#include "core/linkage.hpp"

namespace pv::pi {

/* The descriptor, exactly the seed's struct pi_desc. */
struct alignas(64) PiDesc {
	uint32_t pir[8];	/* bits 255:0, one per vector */
	uint64_t control;	/* bits 319:256: ON, SN, NV, NDST */
	uint32_t rsvd[6];	/* bits 511:320 */
};

/* Descriptor bit numbers, as the seed and the SDM give them. */
inline constexpr unsigned int desc_bit_on = 256;
inline constexpr unsigned int desc_bit_sn = 257;
inline constexpr unsigned int desc_bit_nv_lo = 272, desc_bit_nv_hi = 279;
inline constexpr unsigned int desc_bit_ndst_lo = 288, desc_bit_ndst_hi = 319;

/* The same fields as control-word bit positions. */
inline constexpr unsigned int control_bit0 = 8 * __builtin_offsetof(PiDesc, control);
inline constexpr unsigned int on_bit = desc_bit_on - control_bit0;
inline constexpr unsigned int sn_bit = desc_bit_sn - control_bit0;
inline constexpr unsigned int nv_shift = desc_bit_nv_lo - control_bit0;
inline constexpr unsigned int ndst_shift = desc_bit_ndst_lo - control_bit0;

inline constexpr uint64_t on_mask = 1ULL << on_bit;
inline constexpr uint64_t sn_mask = 1ULL << sn_bit;
inline constexpr uint64_t nv_mask = 0xffULL << nv_shift;
inline constexpr uint64_t ndst_mask = 0xffffffffULL << ndst_shift;
/* Bits 271:258 and 287:280. */
inline constexpr uint64_t rsvd_mask = ~(on_mask | sn_mask | nv_mask | ndst_mask);

static_assert(sizeof(PiDesc) == 64, "pi_desc is 64 bytes");
static_assert(alignof(PiDesc) == 64, "pi_desc is 64-byte aligned");
static_assert(__builtin_offsetof(PiDesc, pir) == 0, "PIR is bits 255:0");
static_assert(__builtin_offsetof(PiDesc, control) == 32,
	      "control starts at bit 256");
static_assert(__builtin_offsetof(PiDesc, rsvd) == 40,
	      "reserved words start at bit 320");
static_assert(control_bit0 == 256, "control starts at bit 256");
static_assert(on_bit == 0 && sn_bit == 1, "ON is bit 256, SN bit 257");
static_assert(nv_shift == 16 && desc_bit_nv_hi - desc_bit_nv_lo == 7,
	      "NV is bits 279:272");
static_assert(ndst_shift == 32 && desc_bit_ndst_hi - desc_bit_ndst_lo == 31,
	      "NDST is bits 319:288");
static_assert(rsvd_mask == 0x00000000ff00fffcULL,
	      "reserved control bits are 271:258 and 287:280");

/* Linux's vectors (arch/x86/include/asm/irq_vectors.h), used as defaults. */
inline constexpr uint8_t posted_intr_vector = 0xf2;
inline constexpr uint8_t posted_intr_wakeup_vector = 0xf1;

/* A value of the control word, with constexpr field access. */
struct Control {
	uint64_t raw;

	constexpr bool on() const { return raw & on_mask; }
	constexpr bool sn() const { return raw & sn_mask; }
	constexpr uint8_t nv() const { return (raw & nv_mask) >> nv_shift; }
	constexpr uint32_t ndst() const { return raw >> ndst_shift; }
	constexpr uint64_t rsvd() const { return raw & rsvd_mask; }

	constexpr Control with_on(bool v) const
	{
		return { (raw & ~on_mask) | (v ? on_mask : 0) };
	}
	constexpr Control with_sn(bool v) const
	{
		return { (raw & ~sn_mask) | (v ? sn_mask : 0) };
	}
	constexpr Control with_nv(uint8_t v) const
	{
		return { (raw & ~nv_mask) | (static_cast<uint64_t>(v) << nv_shift) };
	}
	constexpr Control with_ndst(uint32_t v) const
	{
		return { (raw & ~ndst_mask) |
			 (static_cast<uint64_t>(v) << ndst_shift) };
	}
};

static_assert(Control{ 0 }.with_on(true).raw == 1ULL << 0, "ON encodes");
static_assert(Control{ 0 }.with_sn(true).raw == 1ULL << 1, "SN encodes");
static_assert(Control{ 0 }.with_nv(0xab).raw == 0xabULL << 16, "NV encodes");
static_assert(Control{ 0 }.with_ndst(0x12345678).raw == 0x12345678ULL << 32,
	      "NDST encodes");
static_assert(Control{ ~0ULL }.with_nv(0).nv() == 0 &&
	      Control{ ~0ULL }.with_nv(0).ndst() == 0xffffffff,
	      "fields do not overlap");

/* NDST encodings ----------------------------------------------------- */

enum class ApicMode : unsigned int { x2apic, xapic };

static constexpr uint32_t encode_ndst(uint32_t apic_id, ApicMode mode)
{
	return mode == ApicMode::x2apic ? apic_id : (apic_id << 8) & 0xff00;
}

/* The APIC id in @ndst; ~0u when @ndst is not a valid @mode encoding. */
static constexpr uint32_t decode_ndst(uint32_t ndst, ApicMode mode)
{
	if (mode == ApicMode::x2apic)
		return ndst;
	return (ndst & ~0xff00u) ? ~0u : ndst >> 8;
}

static_assert(encode_ndst(5, ApicMode::xapic) == 0x500, "xAPIC id in 15:8");
static_assert(encode_ndst(0x1ff, ApicMode::xapic) == 0xff00,
	      "xAPIC keeps 8 bits");
static_assert(decode_ndst(encode_ndst(7, ApicMode::xapic), ApicMode::xapic) == 7,
	      "xAPIC round trip");

/* Helpers: one locked bit operation each, as KVM's pi_* helpers ------ */

static __always_inline uint64_t *pir_words(PiDesc *d)
{
	/* PIR is 32-byte aligned inside the 64-byte aligned descriptor, so
	 * its four u64 words are naturally aligned; the kernel is built with
	 * -fno-strict-aliasing, as KVM's casts to unsigned long * assume. */
	return reinterpret_cast<uint64_t *>(d->pir);
}

static __always_inline bool test_and_set_on(PiDesc *d)
{
	return test_and_set_bit(on_bit, &d->control);
}

static __always_inline bool test_and_clear_on(PiDesc *d)
{
	return test_and_clear_bit(on_bit, &d->control);
}

static __always_inline void set_on(PiDesc *d)
{
	set_bit(on_bit, &d->control);
}

static __always_inline void clear_on(PiDesc *d)
{
	clear_bit(on_bit, &d->control);
}

static __always_inline void set_sn(PiDesc *d)
{
	set_bit(sn_bit, &d->control);
}

static __always_inline void clear_sn(PiDesc *d)
{
	clear_bit(sn_bit, &d->control);
}

static __always_inline bool test_on(const PiDesc *d)
{
	return test_bit(on_bit, &d->control);
}

static __always_inline bool test_sn(const PiDesc *d)
{
	return test_bit(sn_bit, &d->control);
}

static __always_inline Control read_control(const PiDesc *d)
{
	return { READ_ONCE(d->control) };
}

/* Set @vector's PIR bit; true when it was already set (the post coalesces). */
static __always_inline bool test_and_set_pir(unsigned int vector, PiDesc *d)
{
	return test_and_set_bit(vector & 255, pir_words(d));
}

static __always_inline bool pir_empty(PiDesc *d)
{
	const uint64_t *w = pir_words(d);

	return !(READ_ONCE(w[0]) | READ_ONCE(w[1]) | READ_ONCE(w[2]) |
		 READ_ONCE(w[3]));
}

/*
 * The consumer's side (KVM: vmx_sync_pir_to_irr(), or the CPU itself on a
 * notification in guest mode): when ON is set, clear it, then take every
 * PIR word with xchg and call @fn(vector) for each bit found.
 *
 * ON is cleared before PIR is read: a poster whose PIR bit lands after our
 * xchg of that word then finds ON clear and sets it again (its bit set and
 * its ON test are both locked operations, in that order), so its vector is
 * never left behind with ON clear.  The test_and_clear_on() is a full
 * barrier on x86; smp_mb__after_atomic() states the order for the reader.
 *
 * Precondition: the caller is the only one that clears ON.
 * Return: true when ON was set (a harvest happened).
 */
template <typename Fn>
static __always_inline bool harvest(PiDesc *d, Fn fn)
{
	/* model: pi.harvest */
	if (!test_on(d) || !test_and_clear_on(d))
		return false;
	smp_mb__after_atomic();	/* ON clear before the PIR xchgs below */
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t w = xchg(&pir_words(d)[i], 0);

		while (w) {
			unsigned int b = __builtin_ctzll(w);

			w &= w - 1;
			fn(i * 64 + b);
		}
	}
	return true;
}

/*
 * The poster's side, as the IOMMU does it (VT-d with URG=0, and KVM's
 * vmx_deliver_posted_interrupt() in its order): set @vector's PIR bit, then
 * atomically "ON := 1 unless SN or ON is set", and when that set ON, send
 * NV to NDST, both taken from the very word the cmpxchg64 replaced.  The
 * PIR bit is set before control is read (both locked): pairs with the full
 * barrier between SN := 0 and the PIR read in pi_load().
 *
 * @observe(c) sees every control value read (the checks use it); the caller
 * sends the notification described by .c when .notify is set.
 */
struct PostResult {
	bool coalesced;		/* the PIR bit was already set */
	bool suppressed;	/* SN was set: ON left alone, nothing sent */
	bool notify;		/* this post set ON: send .c.nv() to .c.ndst() */
	Control c;		/* the last control value read (with ON if set) */
};

template <typename Observe>
static __always_inline PostResult iommu_post(PiDesc *d, unsigned int vector,
					     Observe &&observe)
{
	/* model: pi.post.pir */
	PostResult p = { test_and_set_pir(vector, d), false, false, { 0 } };
	/* model: pi.post.on */
	Control c = read_control(d);

	for (;;) {
		observe(c);
		if (c.sn()) {
			p.suppressed = true;
			break;
		}
		if (c.on())
			break;
		uint64_t seen = cmpxchg64(&d->control, c.raw, c.with_on(true).raw);

		if (seen == c.raw) {
			p.notify = true;
			c = c.with_on(true);
			break;
		}
		c.raw = seen;
	}
	p.c = c;
	return p;
}

/* Update loops -------------------------------------------------------- */

/* How the control word is written back. */
enum class Rmw : unsigned int {
	cmpxchg_loop,	/* correct: cmpxchg64, retried on any change */
	plain_store,	/* mutant: load, modify, WRITE_ONCE; full barrier after */
	split_stores,	/* mutant: NDST, then NV, as two plain stores; SN by a
			 * locked bit op; ON never touched */
	plain_sn,	/* mutant: as plain_store, but only KVM's compiler
			 * barrier between the store (SN := 0) and the PIR read */
};

/* Whether a load moves NDST to the CPU it loads on. */
enum class Ndst : unsigned int {
	follow,		/* correct: NDST := the new CPU */
	keep,		/* mutant: NDST is left where it was */
};

/*
 * A hook that does nothing; tests pass one that interferes.  It runs in
 * the window of an update: between the read and the write (cmpxchg_loop,
 * plain_store, plain_sn), or between the two stores (split_stores).
 */
struct NoHook {
	__always_inline void operator()(PiDesc *, Control) const {}
};

/* The control word's NV byte and NDST half, for the split_stores mutant
 * (x86 is little-endian: NV is byte 2 of the word, NDST its upper u32). */
static __always_inline uint8_t *nv_byte(PiDesc *d)
{
	return reinterpret_cast<uint8_t *>(&d->control) + nv_shift / 8;
}

static __always_inline uint32_t *ndst_word(PiDesc *d)
{
	return reinterpret_cast<uint32_t *>(&d->control) + 1;
}

struct UpdateResult {
	Control old;		/* the value the update replaced */
	Control neu;		/* the value it wrote */
	uint32_t retries;	/* failed cmpxchg64s */
};

/*
 * Replace the control word by @modify(old), never losing a concurrent
 * change of ON (with Rmw::cmpxchg_loop).  @hook(d, old) runs between the
 * read and the write of every iteration: the tests use it to set ON in
 * exactly that window.
 *
 * Each iteration reads control once: the READ_ONCE before the loop, then
 * the value the failed cmpxchg64 returned.  cmpxchg64 is fully ordered; on
 * success, no other write to the word came between our snapshot and ours,
 * so an ON set by a poster is either in the snapshot (and copied) or makes
 * the cmpxchg fail.
 */
template <Rmw R, typename Modify, typename Hook>
static __always_inline UpdateResult update_control(PiDesc *d, Modify modify,
						   Hook &hook)
{
	Control old = read_control(d);
	uint32_t retries = 0;

	for (;;) {
		Control neu = modify(old);

		if (R == Rmw::split_stores) {
			/* The bug: NDST and NV land one after the other, so a
			 * reader between them sees a pair nobody wrote. */
			if (neu.ndst() != old.ndst())
				WRITE_ONCE(*ndst_word(d), neu.ndst());
			hook(d, old);
			if (neu.nv() != old.nv())
				WRITE_ONCE(*nv_byte(d), neu.nv());
			if (neu.sn() != old.sn()) {
				if (neu.sn())
					set_bit(sn_bit, &d->control);
				else
					clear_bit(sn_bit, &d->control);
			}
			return { old, neu, retries };
		}
		hook(d, old);
		if (R == Rmw::plain_store || R == Rmw::plain_sn) {
			/* The bug: whatever changed since the read is lost. */
			WRITE_ONCE(d->control, neu.raw);
			return { old, neu, retries };
		}
		/* model: pi.update.cmpxchg */
		uint64_t seen = cmpxchg64(&d->control, old.raw, neu.raw);

		if (seen == old.raw)
			return { old, neu, retries };
		old.raw = seen;
		retries++;
	}
}

struct BlockResult {
	UpdateResult update;
	bool notify_self;	/* ON was set at the switch: send wakeup */
};

/*
 * Blocking (KVM: pi_enable_wakeup_handler()): switch NV to @wakeup_vector,
 * keeping ON, SN and NDST.
 * Precondition: the caller is already findable by the wakeup handler of
 * its CPU (KVM: on that CPU's wakeup list), and SN is clear.
 */
template <Rmw R = Rmw::cmpxchg_loop, typename Hook = const NoHook>
static __always_inline BlockResult pi_block(PiDesc *d, uint8_t wakeup_vector,
					    Hook &&hook = NoHook())
{
	/* model: pi.block.update */
	auto r = update_control<R>(d, [=](Control c) {
		return c.with_nv(wakeup_vector);
	}, hook);

	/* The word we replaced had ON: a post came before the switch and
	 * notified the (non-waking) notification vector. */
	return { r, r.neu.on() };
}

struct LoadResult {
	UpdateResult update;
	bool pir_seen;		/* the PIR read after SN := 0 found a bit */
	bool set_on;		/* ON recomputed from PIR went 0 -> 1 */
};

/*
 * Waking up or being loaded on a CPU (KVM: vmx_vcpu_pi_load()): NDST := the
 * CPU's encoded APIC id @ndst, NV := @notification_vector, SN := 0, keeping
 * ON; then ON := 1 if PIR holds anything.
 *
 * The full barrier between clearing SN and reading PIR pairs with the
 * poster, which sets its PIR bit before it reads SN (both locked ops): a
 * poster that still saw SN set and so left ON alone has its bit visible to
 * our PIR read.  set_on is done as test_and_set_on (the same LOCK BTS) so
 * that the caller can account for the transition.
 */
template <Rmw R = Rmw::cmpxchg_loop, Ndst N = Ndst::follow,
	  typename Hook = const NoHook>
static __always_inline LoadResult pi_load(PiDesc *d, uint32_t ndst,
					  uint8_t notification_vector,
					  Hook &&hook = NoHook())
{
	/* model: pi.load.update */
	auto r = update_control<R>(d, [=](Control c) {
		if (N == Ndst::follow)
			c = c.with_ndst(ndst);
		return c.with_sn(false).with_nv(notification_vector);
	}, hook);

	/*
	 * SN clear before the PIR read: a store followed by a load of another
	 * location, the one order x86 does not keep by itself (store
	 * buffering).  Pairs with the poster, which sets its PIR bit and then
	 * reads SN, both locked.  Here SN was cleared by a LOCK CMPXCHG8B
	 * (cmpxchg_loop) or a LOCK BTR (split_stores): a locked instruction
	 * drains the store buffer, so on x86 KVM's smp_mb__after_atomic() is
	 * only a compiler barrier and the order comes from the lock.
	 * plain_store keeps a real smp_mb() so that its only bug is the lost
	 * ON; plain_sn keeps KVM's compiler barrier after a plain store, and
	 * the PIR read can then pass the store of SN (the load litmus).
	 */
	if (R == Rmw::plain_store)
		smp_mb();
	else
		smp_mb__after_atomic();
	/* model: pi.load.recompute_on */
	bool seen = !pir_empty(d);
	bool set = seen && !test_and_set_on(d);

	return { r, seen, set };
}

} /* namespace pv::pi */

#endif /* PVSYNC_PI_DESC_HPP */
