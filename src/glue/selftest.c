// SPDX-License-Identifier: GPL-2.0
/*
 * selftest.c - /sys/kernel/debug/pvsync/selftest.
 *
 * Opening the file runs every test case once (pvsync_selftest_run(), in
 * C++) into a buffer that reads then return; a second opener meanwhile gets
 * -EBUSY rather than a second concurrent run.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <pvsync/selftest.h>

#include "glue/glue.h"

#define PVSYNC_SELFTEST_BUF_SIZE (256 * 1024)

static DEFINE_MUTEX(pvsync_selftest_lock);

struct pvsync_selftest_output {
	unsigned long len;
	char buf[];
};

static int pvsync_selftest_open(struct inode *inode, struct file *file)
{
	struct pvsync_selftest_output *out;

	if (!mutex_trylock(&pvsync_selftest_lock))
		return -EBUSY;
	out = vzalloc(sizeof(*out) + PVSYNC_SELFTEST_BUF_SIZE);
	if (!out) {
		mutex_unlock(&pvsync_selftest_lock);
		return -ENOMEM;
	}
	out->len = pvsync_selftest_run(out->buf, PVSYNC_SELFTEST_BUF_SIZE);
	mutex_unlock(&pvsync_selftest_lock);
	file->private_data = out;
	return 0;
}

static ssize_t pvsync_selftest_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct pvsync_selftest_output *out = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, out->buf, out->len);
}

static int pvsync_selftest_release(struct inode *inode, struct file *file)
{
	vfree(file->private_data);
	return 0;
}

static const struct file_operations pvsync_selftest_fops = {
	.open = pvsync_selftest_open,
	.read = pvsync_selftest_read,
	.release = pvsync_selftest_release,
	.llseek = default_llseek,
};

int pvsync_selftest_debugfs_init(struct dentry *root)
{
	debugfs_create_file("selftest", 0400, root, NULL,
			    &pvsync_selftest_fops);
	return 0;
}
