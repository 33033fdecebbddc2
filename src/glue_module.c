// SPDX-License-Identifier: GPL-2.0
/*
 * glue_module.c - module load and unload, the debugfs root and the module
 * parameters of pvsync.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <pvsync/kapi.h>
#include <pvsync/test.h>

#include "glue.h"

static bool inject_harness_failure;
module_param(inject_harness_failure, bool, 0644);
MODULE_PARM_DESC(inject_harness_failure,
		 "make the case harness/canary_fails_on_request fail (tests the test runners)");

bool pvsync_inject_harness_failure(void)
{
	return READ_ONCE(inject_harness_failure);
}
EXPORT_SYMBOL_GPL(pvsync_inject_harness_failure);

static struct dentry *pvsync_debugfs_root;

static int __init pvsync_init(void)
{
	int ret;

	pvsync_debugfs_root = debugfs_create_dir("pvsync", NULL);
	if (IS_ERR(pvsync_debugfs_root))
		return PTR_ERR(pvsync_debugfs_root);

	ret = pvsync_selftest_debugfs_init(pvsync_debugfs_root);
	if (ret) {
		debugfs_remove_recursive(pvsync_debugfs_root);
		return ret;
	}
	pr_info("pvsync: loaded, debugfs at /sys/kernel/debug/pvsync\n");
	return 0;
}

static void __exit pvsync_exit(void)
{
	/*
	 * debugfs_remove_recursive() waits for every file operation in
	 * progress to return, so nothing below runs under a reader.
	 */
	debugfs_remove_recursive(pvsync_debugfs_root);
	pvsync_selftest_debugfs_exit();
}

module_init(pvsync_init);
module_exit(pvsync_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pvsync: stress and validate the lock-free patterns of virtualization");
