// SPDX-License-Identifier: GPL-2.0
/*
 * lock_events.cpp - allocation, sums and reset of the per-CPU lock event
 * counters (see src/locks/lock_events.hpp).
 */
#include "core/atomic.hpp"
#include <pvsync/kapi.h>
#include "locks/lock_events.hpp"
#include "core/text_buf.hpp"

namespace pv {

namespace detail {
unsigned long **lockevent_base;
} /* namespace detail */

namespace {
void *lockevents_pcp;	/* the per-CPU cookie behind lockevent_base */
} /* namespace */

bool lockevents_init()
{
	unsigned int nr = pvk_nr_cpu_ids();
	unsigned long **base;

	lockevents_pcp = pvk_percpu_zalloc(sizeof(unsigned long) *
						   lockevent_num, 64);
	base = static_cast<unsigned long **>(pvk_zalloc(sizeof(*base) * nr));
	if (!lockevents_pcp || !base) {
		pvk_free(base);
		lockevents_exit();
		return false;
	}
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		if (pvk_cpu_possible(cpu))
			base[cpu] = static_cast<unsigned long *>(
				pvk_per_cpu_ptr(lockevents_pcp, cpu));
	}
	detail::lockevent_base = base;
	return true;
}

void lockevents_exit()
{
	pvk_free(detail::lockevent_base);
	detail::lockevent_base = nullptr;
	if (lockevents_pcp)
		pvk_percpu_free(lockevents_pcp);
	lockevents_pcp = nullptr;
}

unsigned long lockevent_read(LockEvent ev, unsigned int cpu)
{
	unsigned long **base = detail::lockevent_base;

	if (!base || cpu >= pvk_nr_cpu_ids() || !base[cpu])
		return 0;
	/* Untorn: the counter is an aligned word written by one ADD. */
	return READ_ONCE(base[cpu][static_cast<unsigned int>(ev)]);
}

unsigned long lockevent_sum(LockEvent ev)
{
	unsigned long sum = 0;

	for (unsigned int cpu = 0; cpu < pvk_nr_cpu_ids(); cpu++)
		sum += lockevent_read(ev, cpu);
	return sum;
}

void lockevents_reset()
{
	unsigned long **base = detail::lockevent_base;

	if (!base)
		return;
	for (unsigned int cpu = 0; cpu < pvk_nr_cpu_ids(); cpu++) {
		if (!base[cpu])
			continue;
		for (unsigned int ev = 0; ev < lockevent_num; ev++)
			WRITE_ONCE(base[cpu][ev], 0UL);
	}
}

void lockevents_print(TextBuf &text)
{
	for (unsigned int ev = 0; ev < lockevent_num; ev++)
		text.kv(lockevent_names[ev],
			lockevent_sum(static_cast<LockEvent>(ev)));
}

} /* namespace pv */
