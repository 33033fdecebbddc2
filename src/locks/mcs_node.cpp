// SPDX-License-Identifier: GPL-2.0
/*
 * mcs_node.cpp - allocation of the queued spinlock's per-CPU MCS nodes
 * (see src/locks/mcs_node.hpp).
 */
#include <pvsync/kapi.h>
#include "locks/mcs_node.hpp"
#include "locks/qspinlock_word.hpp"

namespace pv {

namespace detail {
McsNode **mcs_node_base;
} /* namespace detail */

namespace {
void *mcs_nodes_pcp;	/* the per-CPU cookie behind mcs_node_base */
} /* namespace */

bool mcs_nodes_init()
{
	unsigned int nr = pvk_nr_cpu_ids();
	McsNode **base;

	if (nr > WordLayoutSmall::max_cpus) {
		pvk_log(PVK_LOG_ERR,
			"pvsync: %u CPU ids, but the qspinlock tail holds %u",
			nr, WordLayoutSmall::max_cpus);
		return false;
	}
	mcs_nodes_pcp = pvk_percpu_zalloc(sizeof(McsNode) * MAX_NODES,
					  alignof(McsNode));
	base = static_cast<McsNode **>(pvk_zalloc(sizeof(*base) * nr));
	if (!mcs_nodes_pcp || !base) {
		pvk_free(base);
		mcs_nodes_exit();
		return false;
	}
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		if (pvk_cpu_possible(cpu))
			base[cpu] = static_cast<McsNode *>(
				pvk_per_cpu_ptr(mcs_nodes_pcp, cpu));
	}
	detail::mcs_node_base = base;
	return true;
}

void mcs_nodes_exit()
{
	pvk_free(detail::mcs_node_base);
	detail::mcs_node_base = nullptr;
	if (mcs_nodes_pcp)
		pvk_percpu_free(mcs_nodes_pcp);
	mcs_nodes_pcp = nullptr;
}

} /* namespace pv */
