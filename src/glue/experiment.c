// SPDX-License-Identifier: GPL-2.0
/*
 * experiment.c - the debugfs front end shared by every experiment
 * (see include/pvsync/experiment.h for the ABI).
 *
 * The files carry no .owner: rmmod does not fail while a run is going on.
 * Instead module exit raises pvsync_unloading, which every run polls, and
 * debugfs_remove_recursive() then waits for the run's write() to return.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <pvsync/kapi.h>
#include <pvsync/experiment.h>

#include "glue/glue.h"

#define PVSYNC_RESULT_SIZE (16 * 1024)
#define PVSYNC_STATS_SIZE (8 * 1024)
#define PVSYNC_INPUT_MAX 32

static bool pvsync_unloading;

bool pvk_module_unloading(void)
{
	/* Pairs with the WRITE_ONCE() in pvsync_experiments_stop(). */
	return READ_ONCE(pvsync_unloading);
}

struct pvsync_exp_state;

/* One per parameter or choice file: which experiment, which entry. */
struct pvsync_exp_file {
	struct pvsync_exp_state *state;
	unsigned int index;
};

struct pvsync_exp_state {
	const struct pvsync_experiment *desc;
	struct mutex run_lock;		/* held for the length of a run */
	struct mutex result_lock;	/* guards result and settings */
	unsigned long long param[PVSYNC_MAX_PARAMS];
	unsigned int choice[PVSYNC_MAX_CHOICES];
	/* What "reset" restores: the table's defaults after pvsync.defaults. */
	unsigned long long def_param[PVSYNC_MAX_PARAMS];
	unsigned int def_choice[PVSYNC_MAX_CHOICES];
	char *result;			/* vmalloc'ed, NUL-terminated */
	struct pvsync_exp_file param_file[PVSYNC_MAX_PARAMS];
	struct pvsync_exp_file choice_file[PVSYNC_MAX_CHOICES];
};

static struct pvsync_exp_state *pvsync_exp_states;

/* A read-only snapshot taken at open, so reads need no lock. */
struct pvsync_snapshot {
	unsigned long len;
	char buf[];
};

static ssize_t pvsync_snapshot_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct pvsync_snapshot *snap = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, snap->buf,
				       snap->len);
}

static int pvsync_snapshot_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static struct pvsync_snapshot *pvsync_snapshot_alloc(unsigned long size)
{
	return kvzalloc(sizeof(struct pvsync_snapshot) + size, GFP_KERNEL);
}

/*
 * Copy a short user write into @buf and strip one trailing newline.
 * Anything as long as the buffer is rejected rather than truncated.
 */
static int pvsync_copy_input(char *buf, const char __user *ubuf, size_t count)
{
	if (count == 0 || count >= PVSYNC_INPUT_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (buf[count - 1] == '\n')
		buf[count - 1] = '\0';
	return 0;
}

/* A write that must be exactly @want (plus an optional newline). */
static int pvsync_expect_input(const char __user *ubuf, size_t count,
			       const char *want)
{
	char buf[PVSYNC_INPUT_MAX];
	int ret = pvsync_copy_input(buf, ubuf, count);

	if (ret)
		return ret;
	return strcmp(buf, want) ? -EINVAL : 0;
}

/* Parameters ---------------------------------------------------------- */

static int pvsync_param_open(struct inode *inode, struct file *file)
{
	struct pvsync_exp_file *f = inode->i_private;
	struct pvsync_snapshot *snap = pvsync_snapshot_alloc(32);

	if (!snap)
		return -ENOMEM;
	mutex_lock(&f->state->result_lock);
	snap->len = scnprintf(snap->buf, 32, "%llu\n",
			      f->state->param[f->index]);
	mutex_unlock(&f->state->result_lock);
	file->private_data = snap;
	return 0;
}

static ssize_t pvsync_param_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct pvsync_exp_file *f = file_inode(file)->i_private;
	const struct pvsync_param *p = &f->state->desc->params[f->index];
	char buf[PVSYNC_INPUT_MAX];
	unsigned long long v;
	int ret;

	ret = pvsync_copy_input(buf, ubuf, count);
	if (ret)
		return ret;
	ret = kstrtoull(buf, 0, &v);
	if (ret)
		return ret;	/* -EINVAL, or -ERANGE on overflow */
	if (v < p->min || v > p->max)
		return -ERANGE;
	mutex_lock(&f->state->result_lock);
	f->state->param[f->index] = v;
	mutex_unlock(&f->state->result_lock);
	return count;
}

static const struct file_operations pvsync_param_fops = {
	.open = pvsync_param_open,
	.read = pvsync_snapshot_read,
	.write = pvsync_param_write,
	.release = pvsync_snapshot_release,
	.llseek = default_llseek,
};

/* Choices ------------------------------------------------------------- */

static int pvsync_choice_open(struct inode *inode, struct file *file)
{
	struct pvsync_exp_file *f = inode->i_private;
	const struct pvsync_choice *c = &f->state->desc->choices[f->index];
	struct pvsync_snapshot *snap = pvsync_snapshot_alloc(256);
	unsigned int i;

	if (!snap)
		return -ENOMEM;
	mutex_lock(&f->state->result_lock);
	for (i = 0; c->options[i]; i++) {
		bool cur = i == f->state->choice[f->index];

		snap->len += scnprintf(snap->buf + snap->len, 256 - snap->len,
				       "%s%s%s%s", i ? " " : "",
				       cur ? "[" : "", c->options[i],
				       cur ? "]" : "");
	}
	mutex_unlock(&f->state->result_lock);
	snap->len += scnprintf(snap->buf + snap->len, 256 - snap->len, "\n");
	file->private_data = snap;
	return 0;
}

static int pvsync_choice_set(struct pvsync_exp_state *state,
			     unsigned int index, const char *name)
{
	const struct pvsync_choice *c = &state->desc->choices[index];
	char why[128];
	unsigned int i;
	int ret;

	for (i = 0; c->options[i]; i++) {
		if (strcmp(name, c->options[i]))
			continue;
		if (c->available) {
			ret = c->available(i, why, sizeof(why));
			if (ret) {
				pr_info("pvsync: %s/%s: %s unavailable: %s\n",
					state->desc->name, c->name, name, why);
				return ret;
			}
		}
		mutex_lock(&state->result_lock);
		state->choice[index] = i;
		mutex_unlock(&state->result_lock);
		return 0;
	}
	return -EINVAL;
}

static ssize_t pvsync_choice_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct pvsync_exp_file *f = file_inode(file)->i_private;
	char buf[PVSYNC_INPUT_MAX];
	int ret;

	ret = pvsync_copy_input(buf, ubuf, count);
	if (ret)
		return ret;
	ret = pvsync_choice_set(f->state, f->index, buf);
	return ret ? ret : count;
}

static const struct file_operations pvsync_choice_fops = {
	.open = pvsync_choice_open,
	.read = pvsync_snapshot_read,
	.write = pvsync_choice_write,
	.release = pvsync_snapshot_release,
	.llseek = default_llseek,
};

/* run, result, stats -------------------------------------------------- */

static ssize_t pvsync_run_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct pvsync_exp_state *state = file_inode(file)->i_private;
	struct pvsync_run_args args;
	char *out, *old;
	int ret;

	ret = pvsync_expect_input(ubuf, count, "1");
	if (ret)
		return ret;
	if (!mutex_trylock(&state->run_lock))
		return -EBUSY;
	if (pvk_module_unloading()) {
		ret = -ENODEV;
		goto unlock;
	}
	out = vzalloc(PVSYNC_RESULT_SIZE);
	if (!out) {
		ret = -ENOMEM;
		goto unlock;
	}
	mutex_lock(&state->result_lock);
	memcpy(args.param, state->param, sizeof(args.param));
	memcpy(args.choice, state->choice, sizeof(args.choice));
	mutex_unlock(&state->result_lock);

	ret = state->desc->run(&args, out, PVSYNC_RESULT_SIZE);
	if (ret) {
		vfree(out);
		goto unlock;
	}
	mutex_lock(&state->result_lock);
	old = state->result;
	state->result = out;
	mutex_unlock(&state->result_lock);
	vfree(old);
	ret = count;
unlock:
	mutex_unlock(&state->run_lock);
	return ret;
}

/*
 * reset: write 1 to put every parameter and choice back to its default
 * (the load-time defaults), so that a run does not depend on what an
 * earlier one set.  A run already going on keeps its snapshot.
 */
static ssize_t pvsync_reset_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct pvsync_exp_state *state = file_inode(file)->i_private;
	int ret;

	ret = pvsync_expect_input(ubuf, count, "1");
	if (ret)
		return ret;
	mutex_lock(&state->result_lock);
	memcpy(state->param, state->def_param, sizeof(state->param));
	memcpy(state->choice, state->def_choice, sizeof(state->choice));
	mutex_unlock(&state->result_lock);
	return count;
}

static const struct file_operations pvsync_reset_fops = {
	.write = pvsync_reset_write,
	.llseek = noop_llseek,
};

static const struct file_operations pvsync_run_fops = {
	.write = pvsync_run_write,
	.llseek = noop_llseek,
};

static int pvsync_result_open(struct inode *inode, struct file *file)
{
	struct pvsync_exp_state *state = inode->i_private;
	struct pvsync_snapshot *snap;

	snap = pvsync_snapshot_alloc(PVSYNC_RESULT_SIZE);
	if (!snap)
		return -ENOMEM;
	mutex_lock(&state->result_lock);
	if (state->result)
		snap->len = strscpy(snap->buf, state->result,
				    PVSYNC_RESULT_SIZE);
	else
		snap->len = scnprintf(snap->buf, PVSYNC_RESULT_SIZE,
				      "no run yet: write 1 to run\n");
	mutex_unlock(&state->result_lock);
	file->private_data = snap;
	return 0;
}

static const struct file_operations pvsync_result_fops = {
	.open = pvsync_result_open,
	.read = pvsync_snapshot_read,
	.release = pvsync_snapshot_release,
	.llseek = default_llseek,
};

static int pvsync_stats_open(struct inode *inode, struct file *file)
{
	struct pvsync_exp_state *state = inode->i_private;
	struct pvsync_snapshot *snap;

	snap = pvsync_snapshot_alloc(PVSYNC_STATS_SIZE);
	if (!snap)
		return -ENOMEM;
	snap->len = state->desc->stats_show(snap->buf, PVSYNC_STATS_SIZE);
	file->private_data = snap;
	return 0;
}

static ssize_t pvsync_stats_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct pvsync_exp_state *state = file_inode(file)->i_private;
	int ret;

	ret = pvsync_expect_input(ubuf, count, "0");
	if (ret)
		return ret;
	state->desc->stats_reset();
	return count;
}

static const struct file_operations pvsync_stats_fops = {
	.open = pvsync_stats_open,
	.read = pvsync_snapshot_read,
	.write = pvsync_stats_write,
	.release = pvsync_snapshot_release,
	.llseek = default_llseek,
};

/* Set up ---------------------------------------------------------------- */

static struct pvsync_exp_state *pvsync_find_experiment(const char *name,
						       size_t len)
{
	unsigned int i;

	for (i = 0; i < pvsync_nr_experiments; i++) {
		const char *n = pvsync_experiments[i]->name;

		if (strlen(n) == len && !strncmp(n, name, len))
			return &pvsync_exp_states[i];
	}
	return NULL;
}

/* Apply one "experiment.setting=value" item of pvsync.defaults. */
static int pvsync_apply_default(char *item)
{
	const struct pvsync_experiment *desc;
	struct pvsync_exp_state *state;
	char *dot = strchr(item, '.');
	char *eq = strchr(item, '=');
	unsigned long long v;
	unsigned int i;

	if (!dot || !eq || eq < dot)
		return -EINVAL;
	*eq = '\0';
	state = pvsync_find_experiment(item, dot - item);
	if (!state)
		return -EINVAL;
	desc = state->desc;
	for (i = 0; i < desc->nr_params; i++) {
		if (strcmp(dot + 1, desc->params[i].name))
			continue;
		if (kstrtoull(eq + 1, 0, &v))
			return -EINVAL;
		if (v < desc->params[i].min || v > desc->params[i].max)
			return -ERANGE;
		state->param[i] = v;
		return 0;
	}
	for (i = 0; i < desc->nr_choices; i++) {
		if (!strcmp(dot + 1, desc->choices[i].name))
			return pvsync_choice_set(state, i, eq + 1);
	}
	return -EINVAL;
}

static int pvsync_apply_defaults(const char *defaults)
{
	char *copy, *cur, *item;
	int ret = 0;

	if (!defaults || !*defaults)
		return 0;
	copy = kstrdup(defaults, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = copy;
	while ((item = strsep(&cur, ",")) != NULL) {
		if (!*item)
			continue;
		ret = pvsync_apply_default(item);
		if (ret) {
			pr_err("pvsync: bad defaults item '%s'\n", item);
			break;
		}
	}
	kfree(copy);
	return ret;
}

static void pvsync_experiment_create(struct pvsync_exp_state *state,
				     struct dentry *root)
{
	const struct pvsync_experiment *desc = state->desc;
	struct dentry *dir = debugfs_create_dir(desc->name, root);
	unsigned int i;

	for (i = 0; i < desc->nr_choices; i++) {
		state->choice_file[i].state = state;
		state->choice_file[i].index = i;
		debugfs_create_file(desc->choices[i].name, 0644, dir,
				    &state->choice_file[i],
				    &pvsync_choice_fops);
	}
	for (i = 0; i < desc->nr_params; i++) {
		state->param_file[i].state = state;
		state->param_file[i].index = i;
		debugfs_create_file(desc->params[i].name, 0644, dir,
				    &state->param_file[i], &pvsync_param_fops);
	}
	debugfs_create_file("run", 0200, dir, state, &pvsync_run_fops);
	debugfs_create_file("reset", 0200, dir, state, &pvsync_reset_fops);
	debugfs_create_file("result", 0444, dir, state, &pvsync_result_fops);
	debugfs_create_file("stats", 0644, dir, state, &pvsync_stats_fops);
}

int pvsync_experiments_init(struct dentry *root, const char *defaults)
{
	unsigned int i, j;
	int ret;

	pvsync_exp_states = kcalloc(pvsync_nr_experiments,
				    sizeof(*pvsync_exp_states), GFP_KERNEL);
	if (!pvsync_exp_states)
		return -ENOMEM;
	for (i = 0; i < pvsync_nr_experiments; i++) {
		struct pvsync_exp_state *state = &pvsync_exp_states[i];
		const struct pvsync_experiment *desc = pvsync_experiments[i];

		if (WARN_ON(desc->nr_params > PVSYNC_MAX_PARAMS ||
			    desc->nr_choices > PVSYNC_MAX_CHOICES)) {
			ret = -EINVAL;
			goto fail;
		}
		state->desc = desc;
		mutex_init(&state->run_lock);
		mutex_init(&state->result_lock);
		for (j = 0; j < desc->nr_params; j++)
			state->param[j] = desc->params[j].def;
		for (j = 0; j < desc->nr_choices; j++)
			state->choice[j] = desc->choices[j].def;
	}
	ret = pvsync_apply_defaults(defaults);
	if (ret)
		goto fail;
	for (i = 0; i < pvsync_nr_experiments; i++) {
		struct pvsync_exp_state *state = &pvsync_exp_states[i];

		memcpy(state->def_param, state->param, sizeof(state->param));
		memcpy(state->def_choice, state->choice, sizeof(state->choice));
	}
	for (i = 0; i < pvsync_nr_experiments; i++)
		pvsync_experiment_create(&pvsync_exp_states[i], root);
	return 0;
fail:
	kfree(pvsync_exp_states);
	pvsync_exp_states = NULL;
	return ret;
}

void pvsync_experiments_stop(void)
{
	/* Pairs with the READ_ONCE() in pvk_module_unloading(). */
	WRITE_ONCE(pvsync_unloading, true);
}

void pvsync_experiments_exit(void)
{
	unsigned int i;

	if (!pvsync_exp_states)
		return;
	for (i = 0; i < pvsync_nr_experiments; i++)
		vfree(pvsync_exp_states[i].result);
	kfree(pvsync_exp_states);
	pvsync_exp_states = NULL;
}
