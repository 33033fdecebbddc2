// SPDX-License-Identifier: GPL-2.0
/*
 * thread.c - CPU-bound kernel threads for pvsync's C++ (see kapi.h).
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include <pvsync/kapi.h>

struct pvk_thread {
	struct task_struct *task;
};

struct pvk_thread *pvk_thread_start(int (*fn)(void *arg), void *arg,
				    unsigned int cpu, const char *name)
{
	struct pvk_thread *t;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return NULL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->task = kthread_create_on_node(fn, arg, cpu_to_node(cpu), "%s", name);
	if (IS_ERR(t->task)) {
		kfree(t);
		return NULL;
	}
	/*
	 * Hold a reference so that pvk_thread_stop() stays valid after @fn
	 * has returned and the task has exited.
	 */
	get_task_struct(t->task);
	kthread_bind(t->task, cpu);
	wake_up_process(t->task);
	return t;
}

int pvk_thread_stop(struct pvk_thread *t)
{
	int ret;

	ret = kthread_stop(t->task);
	put_task_struct(t->task);
	kfree(t);
	return ret;
}

bool pvk_thread_should_stop(void)
{
	return kthread_should_stop();
}
