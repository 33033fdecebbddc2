// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - memory for pvsync's C++ (see kapi.h).
 */
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include <pvsync/kapi.h>

void *pvk_zalloc(unsigned long size)
{
	/*
	 * kmalloc memory of at least a cache line is cache-line aligned
	 * (ARCH_KMALLOC_MINALIGN and power-of-two slabs); round small sizes
	 * up so that every object pvsync allocates starts on its own line.
	 */
	if (size < L1_CACHE_BYTES)
		size = L1_CACHE_BYTES;
	return kvzalloc(size, GFP_KERNEL);
}

void pvk_free(void *p)
{
	kvfree(p);
}

void *pvk_percpu_zalloc(unsigned long size, unsigned long align)
{
	return (__force void *)__alloc_percpu(size, align);
}

void pvk_percpu_free(void *pcp)
{
	free_percpu((void __percpu __force *)pcp);
}

void *pvk_per_cpu_ptr(void *pcp, unsigned int cpu)
{
	return per_cpu_ptr((void __percpu __force *)pcp, cpu);
}
