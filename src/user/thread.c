// SPDX-License-Identifier: GPL-2.0
/*
 * thread.c - pinned POSIX threads as pvsync's CPU-bound threads (see
 * kapi.h, and cpu.c for what a CPU number is here).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>

#include <pvsync/compiler.h>
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>
#include "user.h"

struct pvk_thread {
	pthread_t tid;
	int (*fn)(void *arg);
	void *arg;
	unsigned int cpu;
	int ret;
	bool stop;		/* pvk_thread_stop() -> the thread; atomic */
};

static __thread struct pvk_thread *current;

static void *trampoline(void *p)
{
	struct pvk_thread *t = p;

	current = t;
	pvu_set_this_cpu(t->cpu);
	t->ret = t->fn(t->arg);
	return NULL;
}

struct pvk_thread *pvk_thread_start(int (*fn)(void *arg), void *arg,
				    unsigned int cpu, const char *name)
{
	struct pvk_thread *t;
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	if (cpu >= pvk_num_online_cpus())
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	t->cpu = cpu;
	CPU_ZERO(&set);
	CPU_SET(pvu_host_cpu_of(cpu), &set);
	pthread_attr_init(&attr);
	err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!err)
		err = pthread_create(&t->tid, &attr, trampoline, t);
	pthread_attr_destroy(&attr);
	if (err) {
		free(t);
		return NULL;
	}
	pthread_setname_np(t->tid, "pvsync");
	return t;
}

int pvk_thread_stop(struct pvk_thread *t)
{
	int ret;

	__atomic_store_n(&t->stop, true, __ATOMIC_RELAXED);
	/* The join orders the thread's last stores before our reads. */
	pthread_join(t->tid, NULL);
	ret = t->ret;
	free(t);
	return ret;
}

bool pvk_thread_should_stop(void)
{
	return current && __atomic_load_n(&current->stop, __ATOMIC_RELAXED);
}
