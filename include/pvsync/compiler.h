/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compiler.h - the kernel's attribute shorthands that the shared C
 * headers use, for C++, which does not see <linux/compiler_attributes.h>.
 */
#ifndef PVSYNC_COMPILER_HPP
#define PVSYNC_COMPILER_HPP

#ifndef __printf
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#endif

#endif /* PVSYNC_COMPILER_HPP */
