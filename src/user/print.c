// SPDX-License-Identifier: GPL-2.0
/*
 * print.c - printing and formatting for pvsync's C++ in user space (see
 * kapi.h).  The kernel's format strings that pvsync uses (%u, %llu, %lu,
 * %s, %d, %x) mean the same to glibc.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <pvsync/compiler.h>
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>

void pvk_log(int level, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	flockfile(stderr);
	fputs(level <= PVK_LOG_WARNING ? "pvsync: warning: " : "pvsync: ",
	      stderr);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
	funlockfile(stderr);
	va_end(args);
}

void pvk_warn_once_report(const char *what)
{
	fprintf(stderr, "pvsync: invariant broken: %s\n", what);
}

int pvk_vsnprintf(char *buf, unsigned long size, const char *fmt,
		  va_list args)
{
	return vsnprintf(buf, size, fmt, args);
}

int pvk_snprintf(char *buf, unsigned long size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

void pvu_printf(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	fflush(stdout);
}
