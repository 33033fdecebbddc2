// SPDX-License-Identifier: GPL-2.0
/*
 * module.c - module load and unload, the debugfs root and the module
 * parameters of pvsync.
 */
#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <pvsync/experiment.h>
#include <pvsync/kapi.h>
#include <pvsync/test.h>

#include "glue/glue.h"

static bool inject_harness_failure;
module_param(inject_harness_failure, bool, 0644);
MODULE_PARM_DESC(inject_harness_failure,
		 "make the case harness/canary_fails_on_request fail (tests the test runners)");

bool pvsync_inject_harness_failure(void)
{
	return READ_ONCE(inject_harness_failure);
}
EXPORT_SYMBOL_GPL(pvsync_inject_harness_failure);

static char *defaults = "";
module_param(defaults, charp, 0444);
MODULE_PARM_DESC(defaults,
		 "experiment defaults, e.g. \"locks.threads=8,locks.lock=ticket\"");

static struct dentry *pvsync_debugfs_root;

static unsigned long pvsync_pinned;

void pvk_pin_module(const char *why)
{
	if (test_and_set_bit(0, &pvsync_pinned))
		return;
	__module_get(THIS_MODULE);
	pr_err("pvsync: pinned in memory, rmmod will be refused: %s\n", why);
}

static int __init pvsync_init(void)
{
	int ret;

	ret = pvsync_core_init();
	if (ret)
		return ret;

	pvsync_debugfs_root = debugfs_create_dir("pvsync", NULL);
	if (IS_ERR(pvsync_debugfs_root)) {
		ret = PTR_ERR(pvsync_debugfs_root);
		goto out_core;
	}
	ret = pvsync_selftest_debugfs_init(pvsync_debugfs_root);
	if (ret)
		goto out_debugfs;
	ret = pvsync_experiments_init(pvsync_debugfs_root, defaults);
	if (ret)
		goto out_debugfs;
	pr_info("pvsync: loaded, debugfs at /sys/kernel/debug/pvsync\n");
	return 0;

out_debugfs:
	debugfs_remove_recursive(pvsync_debugfs_root);
out_core:
	pvsync_core_exit();
	return ret;
}

static void __exit pvsync_exit(void)
{
	/*
	 * Ask running experiments to stop first; debugfs_remove_recursive()
	 * then waits for every file operation in progress (a run's write())
	 * to return, so nothing below runs under a reader or a run.
	 */
	pvsync_experiments_stop();
	debugfs_remove_recursive(pvsync_debugfs_root);
	pvsync_experiments_exit();
	pvsync_core_exit();
}

module_init(pvsync_init);
module_exit(pvsync_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pvsync: stress and validate the lock-free patterns of virtualization");
