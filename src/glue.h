/* SPDX-License-Identifier: GPL-2.0 */
/*
 * glue.h - what the C glue files share among themselves (not seen by C++).
 */
#ifndef PVSYNC_GLUE_H
#define PVSYNC_GLUE_H

struct dentry;

int pvsync_selftest_debugfs_init(struct dentry *root);
void pvsync_selftest_debugfs_exit(void);

#endif /* PVSYNC_GLUE_H */
