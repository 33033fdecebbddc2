// SPDX-License-Identifier: GPL-2.0
/*
 * test.cpp - format expectation failures for whichever runner
 * (KUnit or the debugfs selftest) is driving a test body.
 */
#include <stdarg.h>

#include <pvsync/kapi.h>
#include "core/test.hpp"

namespace pv::test {

void fail(struct pvsync_test *t, const char *file, int line, const char *fmt,
	  ...)
{
	char msg[224];
	int n;
	va_list args;

	n = pvk_snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	if (n < 0 || (unsigned long)n >= sizeof(msg))
		n = 0;
	va_start(args, fmt);
	pvk_vsnprintf(msg + n, sizeof(msg) - n, fmt, args);
	va_end(args);
	t->failures++;
	t->ops->fail(t, msg);
}

void log(struct pvsync_test *t, const char *fmt, ...)
{
	char msg[224];
	va_list args;

	va_start(args, fmt);
	pvk_vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	t->ops->log(t, msg);
}

void skip(struct pvsync_test *t, const char *reason)
{
	t->skipped = true;
	pvk_snprintf(t->skip_reason, sizeof(t->skip_reason), "%s", reason);
}

} /* namespace pv::test */
