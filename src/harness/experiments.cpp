// SPDX-License-Identifier: GPL-2.0
/*
 * experiments.cpp - the table of experiments the debugfs front end shows,
 * and the C++ core's set-up at module load.
 */
#include "locks/experiment.hpp"
#include "upcall/experiment.hpp"
#include "pi_desc/experiment.hpp"
#include <pvsync/experiment.h>
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"

extern "C" {

const pvsync_experiment *const pvsync_experiments[] = {
	&pv::locks::experiment,
	&pv::upcall::experiment,
	&pv::pi_exp::experiment,
};

const unsigned int pvsync_nr_experiments =
	sizeof(pvsync_experiments) / sizeof(pvsync_experiments[0]);

int pvsync_core_init(void)
{
	if (!pv::lockevents_init())
		return -12;	/* -ENOMEM */
	if (!pv::mcs_nodes_init()) {
		pv::lockevents_exit();
		return -12;
	}
	return 0;
}

void pvsync_core_exit(void)
{
	pv::mcs_nodes_exit();
	pv::lockevents_exit();
}

} /* extern "C" */
