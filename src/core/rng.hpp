/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rng.hpp - the one pseudo-random generator of pvsync: xorshift64
 * (Marsaglia, "Xorshift RNGs", 2003: shifts 13, 7, 17).
 *
 * Seeded, so a run's choices are reproducible from its seed; cheap enough
 * for hard-irq context; not for anything that needs unpredictability.
 */
#ifndef PVSYNC_RNG_HPP
#define PVSYNC_RNG_HPP

#include <stdint.h>

#include "linkage.hpp"

namespace pv {

class Rng {
public:
	/* A seed of 0 would stay 0 for ever: it is replaced. */
	constexpr explicit Rng(uint64_t seed = 0)
		: s_(seed ? seed : 0x9e3779b97f4a7c15ULL) {}

	/* Seeds for the n-th of several generators that must differ. */
	static constexpr uint64_t seed_for(uint64_t base, unsigned int n)
	{
		return base * (n + 1ULL);
	}

	/* __always_inline: no COMDAT copy at -Os (linkage.hpp). */
	__always_inline uint64_t next()
	{
		uint64_t x = s_;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s_ = x;
		return x;
	}

	/* A number in [0, @n); @n == 0 gives 0. */
	__always_inline uint32_t below(uint32_t n)
	{
		return n ? static_cast<uint32_t>(next() >> 32) % n : 0;
	}

private:
	uint64_t s_;
};

} /* namespace pv */

#endif /* PVSYNC_RNG_HPP */
