// SPDX-License-Identifier: GPL-2.0
/*
 * kcsan.c - the kernel's data_race() for pvsync's C++ (see kapi.h): C++
 * cannot include <linux/kcsan-checks.h>, so it brackets an intended race
 * with these two calls, as data_race() brackets its expression.
 */
#include <linux/kcsan-checks.h>

#include <pvsync/kapi.h>

void pvk_kcsan_disable_current(void)
{
	kcsan_disable_current();
}

void pvk_kcsan_enable_current(void)
{
	kcsan_enable_current();
}
