/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcs_node.hpp - the per-CPU MCS queue nodes of the queued spinlock.
 *
 * A CPU waiting in a queued spinlock's MCS queue spins on its own node, so
 * that each waiter spins on a line nobody else polls and the hand-over
 * from one waiter to the next writes one line.  A CPU can be in at most
 * one lock's queue per context it can nest: task, softirq, hardirq and
 * NMI.  So each CPU owns MAX_NODES nodes, and a lock's tail names a node
 * by (cpu, idx), which fits the lock word where a pointer would not.
 *
 * The fields:
 *   next    the node queued behind this one, written by that waiter.
 *   locked  set to 1 by the predecessor when this node becomes the head.
 *   count   in node 0 of each CPU only: how many of the CPU's nodes are in
 *           use, i.e. the next idx to take.  Touched only by its own CPU,
 *           with preemption disabled; an interrupt that nests a lock
 *           takes idx + 1 and gives it back before returning.
 *
 * Each node fills a 64-byte line of its own (Linux packs four to a line
 * and doubles that for paravirt; we spend the memory so that a CPU's
 * nesting levels never share a line).  The spare words after the native
 * fields are reserved for the paravirt lock's per-node state (its CPU and
 * wait state), read with node_pv_state<T>(), so that the paravirt lock
 * uses these same nodes.
 *
 * The nodes are per-CPU memory from pvk_percpu_zalloc().  mcs_nodes_init()
 * allocates them and a table of each possible CPU's base address, so that
 * grab_node() is an indexed load rather than a call into the glue.
 *
 * Checked by the qspinlock KUnit cases tail_decodes_to_that_cpus_node
 * (every (cpu, idx) names a distinct, line-aligned node),
 * nested_slowpath_uses_next_node and no_node_fallback_uses_trylock (count
 * is taken and given back).
 */
#ifndef PVSYNC_MCS_NODE_HPP
#define PVSYNC_MCS_NODE_HPP

#include <stdint.h>

namespace pv {

/* Nesting levels a CPU can queue at: task, softirq, hardirq, NMI. */
inline constexpr unsigned int MAX_NODES = 4;

struct alignas(64) McsNode {
	McsNode *next;
	uint32_t locked;
	uint32_t count;
	/* Reserved for the paravirt lock's node state; zero, unused here. */
	uint64_t pv_spare[6];
};

static_assert(sizeof(McsNode) == 64, "one node per cache line");
static_assert(__builtin_offsetof(McsNode, pv_spare) == 16);

namespace detail {
/* Indexed by CPU: that CPU's MAX_NODES nodes; NULL for impossible CPUs. */
extern McsNode **mcs_node_base;
} /* namespace detail */

/**
 * mcs_nodes_init() - allocate MAX_NODES zeroed nodes per possible CPU.
 *
 * Fails when the CPU numbers do not fit WordLayoutSmall's tail (more than
 * 16383 CPU ids), as the kernel refuses to build then.
 *
 * Context: process context (module init), may sleep.
 * Return: true on success.
 */
bool mcs_nodes_init();

/* mcs_nodes_exit() - free the nodes; safe after a failed or no init. */
void mcs_nodes_exit();

/* True between a successful mcs_nodes_init() and mcs_nodes_exit(). */
static inline bool mcs_nodes_ready()
{
	return detail::mcs_node_base != nullptr;
}

/*
 * grab_node() - node @idx (< MAX_NODES) of @cpu, a possible CPU.
 * Nodes must be initialised.
 */
static inline McsNode *grab_node(unsigned int cpu, unsigned int idx)
{
	return detail::mcs_node_base[cpu] + idx;
}

/*
 * decode_tail() - the node a non-zero tail code of Layout names.  The
 * tail must come from the lock word, so its CPU is a possible one.
 */
template <typename Layout>
static inline McsNode *decode_tail(uint32_t tail)
{
	return grab_node(Layout::decode_tail_cpu(tail),
			 Layout::decode_tail_idx(tail));
}

/* The paravirt lock's view of a node's spare words. */
template <typename T>
static inline T *node_pv_state(McsNode *node)
{
	static_assert(sizeof(T) <= sizeof(node->pv_spare),
		      "paravirt node state must fit the spare words");
	static_assert(alignof(T) <= alignof(uint64_t));
	return reinterpret_cast<T *>(node->pv_spare);
}

} /* namespace pv */

#endif /* PVSYNC_MCS_NODE_HPP */
