// SPDX-License-Identifier: GPL-2.0
/*
 * print.c - printing and formatting for pvsync's C++ (see kapi.h).
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/bug.h>

#include <pvsync/kapi.h>

void pvk_log(int level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	switch (level) {
	case PVK_LOG_ERR:
		pr_err("pvsync: %pV\n", &vaf);
		break;
	case PVK_LOG_WARNING:
		pr_warn("pvsync: %pV\n", &vaf);
		break;
	case PVK_LOG_DEBUG:
		pr_debug("pvsync: %pV\n", &vaf);
		break;
	default:
		pr_info("pvsync: %pV\n", &vaf);
		break;
	}
	va_end(args);
}

void pvk_warn_once_report(const char *what)
{
	if (!WARN_ONCE(1, "pvsync: invariant broken: %s\n", what))
		pr_warn("pvsync: invariant broken: %s\n", what);
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
