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

#include <pvsync/kapi.h>

namespace pv {

/* This CPU's number; stable only under a PreemptGuard or IrqSaveGuard. */
static inline unsigned int this_cpu()
{
	return pvk_this_cpu();
}

class PreemptGuard {
public:
	PreemptGuard() { pvk_preempt_disable(); }
	~PreemptGuard() { pvk_preempt_enable(); }
	PreemptGuard(const PreemptGuard &) = delete;
	PreemptGuard &operator=(const PreemptGuard &) = delete;
};

class IrqSaveGuard {
public:
	IrqSaveGuard() : flags_(pvk_local_irq_save()) {}
	~IrqSaveGuard() { pvk_local_irq_restore(flags_); }
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
