/* SPDX-License-Identifier: GPL-2.0 */
/*
 * glue.h - what the C glue files share among themselves (not seen by C++).
 */
#ifndef PVSYNC_GLUE_H
#define PVSYNC_GLUE_H

struct dentry;

int pvsync_selftest_debugfs_init(struct dentry *root);

/* Create every experiment's directory, after applying pvsync.defaults. */
int pvsync_experiments_init(struct dentry *root, const char *defaults);
/* Tell running experiments to stop; the first step of module exit. */
void pvsync_experiments_stop(void);
/* Free experiment state, once debugfs has no user left. */
void pvsync_experiments_exit(void);

#endif /* PVSYNC_GLUE_H */
