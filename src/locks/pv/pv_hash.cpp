// SPDX-License-Identifier: GPL-2.0
/*
 * pv_hash.cpp - the paravirt queued spinlock's global state: the
 * lock -> node hash table, the failure record and the run-time spin
 * threshold (see pv_hash.hpp).
 */
#include "core/atomic.hpp"
#include <pvsync/kapi.h>
#include "locks/pv/pv_hash.hpp"

namespace pv {

namespace {

/* Static: no allocation, valid from load; 64 KiB of .bss. */
alignas(64) PvHashEntry pv_hash_storage[1U << PV_HASH_BITS];

constexpr const char *failure_text[] = {
	"lost kick: a halted waiter was not kicked within the bound",
	"pv hash table full",
	"missing entry: _Q_SLOW_VAL without a hash entry for the lock",
	"unlock found a corrupted locked byte",
	"double entry: a second hash entry for one lock",
	"stale entry: a hash entry named the lock when its run stopped",
};

static_assert(sizeof(failure_text) / sizeof(failure_text[0]) ==
	      static_cast<unsigned int>(PvFailure::nr));

} /* namespace */

namespace detail {
PvHashTable pv_lock_hash = { pv_hash_storage, PV_HASH_BITS };
PvFailureRecord pv_failure;
} /* namespace detail */

/* The kernel's SPIN_THRESHOLD, until an experiment sets another. */
PvRunSetting pv_spin_threshold = { 1U << 15 };
/* The lost-kick bound, until an experiment sets another. */
PvRunSetting pv_lost_kick_ms = { pv_lost_kick_ms_default };

void pv_record_failure(PvFailure what)
{
	unsigned int i = static_cast<unsigned int>(what);

	atomic_add(&detail::pv_failure.count[i], 1U);
	/* The first failure of the run names it and WARNs. */
	if (atomic_fetch_add(&detail::pv_failure.total, 1U) == 0) {
		WRITE_ONCE(detail::pv_failure.first, failure_text[i]);
		if (READ_ONCE(detail::pv_failure.quiet))
			pvk_log(PVK_LOG_DEBUG, "expected failure: %s",
				failure_text[i]);
		else
			pvk_warn_once_report(failure_text[i]);
	}
}

void pv_failures_reset(bool quiet)
{
	WRITE_ONCE(detail::pv_failure.quiet, quiet ? 1U : 0U);
	for (unsigned int i = 0; i < static_cast<unsigned int>(PvFailure::nr); i++)
		WRITE_ONCE(detail::pv_failure.count[i], 0U);
	WRITE_ONCE(detail::pv_failure.first, static_cast<const char *>(nullptr));
	WRITE_ONCE(detail::pv_failure.total, 0U);
}

} /* namespace pv */
