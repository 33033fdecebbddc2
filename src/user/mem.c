// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - memory for pvsync's C++ in user space (see kapi.h).
 *
 * Per-CPU memory is one block with a slot per possible CPU number, each
 * slot a whole number of 64-byte lines, so that two vCPUs never share a
 * line of it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <pvsync/compiler.h>
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>

#define LINE 64UL

struct percpu {
	unsigned long stride;
	char *base;
};

void *pvk_zalloc(unsigned long size)
{
	void *p;

	size = (size + LINE - 1) & ~(LINE - 1);
	p = aligned_alloc(LINE, size ? size : LINE);
	if (p)
		memset(p, 0, size);
	return p;
}

void pvk_free(void *p)
{
	free(p);
}

void *pvk_percpu_zalloc(unsigned long size, unsigned long align)
{
	struct percpu *pcp = calloc(1, sizeof(*pcp));
	unsigned long a = align > LINE ? align : LINE;

	if (!pcp)
		return NULL;
	pcp->stride = (size + a - 1) & ~(a - 1);
	pcp->base = aligned_alloc(a, pcp->stride * PVU_MAX_VCPUS);
	if (!pcp->base) {
		free(pcp);
		return NULL;
	}
	memset(pcp->base, 0, pcp->stride * PVU_MAX_VCPUS);
	return pcp;
}

void pvk_percpu_free(void *p)
{
	struct percpu *pcp = p;

	if (!pcp)
		return;
	free(pcp->base);
	free(pcp);
}

void *pvk_per_cpu_ptr(void *p, unsigned int cpu)
{
	struct percpu *pcp = p;

	return pcp->base + pcp->stride * cpu;
}
