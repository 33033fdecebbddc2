/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpu.hpp - this CPU's id and RAII guards for preemption and local irqs.
 *
 * A guard disables on construction and restores on destruction, so no early
 * return can leave preemption or interrupts disabled.  Guards nest the way
 * the kernel's calls do: PreemptGuard counts, IrqSaveGuard saves and
 * restores the previous irq state.
 *
 * Checked by pvsync_harness: the guards' effect on pvk_preemptible() and
 * pvk_irqs_disabled(), nesting, and this_cpu() staying put under a guard.
 */
#ifndef PVSYNC_CPU_HPP
#define PVSYNC_CPU_HPP

#include <stdint.h>

#include <pvsync/kapi.h>

#include "linkage.hpp"

namespace pv {

/* The time-stamp counter, for delays and cycle counts. */
static inline uint64_t rdtsc()
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (static_cast<uint64_t>(hi) << 32) | lo;
}

/* The TSC read in program order: RDTSCP waits for earlier instructions,
 * the LFENCE keeps later ones from starting before the read. */
static inline uint64_t rdtsc_ordered()
{
	uint32_t lo, hi;

	asm volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi) : : "rcx", "memory");
	return (static_cast<uint64_t>(hi) << 32) | lo;
}

/* Busy-wait for @cycles TSC cycles. */
static inline void delay_cycles(uint64_t cycles)
{
	uint64_t start = rdtsc();

	while (rdtsc() - start < cycles)
		asm volatile("rep; nop" ::: "memory");
}

/* This CPU's number; stable only under a PreemptGuard or IrqSaveGuard. */
static inline unsigned int this_cpu()
{
	return pvk_this_cpu();
}

class PreemptGuard {
public:
	/* __always_inline: no COMDAT copy whatever the -O level. */
	__always_inline PreemptGuard() { pvk_preempt_disable(); }
	__always_inline ~PreemptGuard() { pvk_preempt_enable(); }
	PreemptGuard(const PreemptGuard &) = delete;
	PreemptGuard &operator=(const PreemptGuard &) = delete;
};

class IrqSaveGuard {
public:
	__always_inline IrqSaveGuard() : flags_(pvk_local_irq_save()) {}
	__always_inline ~IrqSaveGuard() { pvk_local_irq_restore(flags_); }
	IrqSaveGuard(const IrqSaveGuard &) = delete;
	IrqSaveGuard &operator=(const IrqSaveGuard &) = delete;

private:
	unsigned long flags_;
};

/* A guard type that does nothing, for policies that need no protection. */
class NoGuard {
public:
	NoGuard() = default;
	NoGuard(const NoGuard &) = delete;
	NoGuard &operator=(const NoGuard &) = delete;
};

} /* namespace pv */

#endif /* PVSYNC_CPU_HPP */
