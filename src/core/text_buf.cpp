// SPDX-License-Identifier: GPL-2.0
/*
 * text_buf.cpp - see text_buf.hpp.
 */
#include <pvsync/kapi.h>
#include "core/text_buf.hpp"

namespace pv {

void TextBuf::line(const char *fmt, ...)
{
	char tmp[256];
	__builtin_va_list args;
	int n;

	__builtin_va_start(args, fmt);
	n = pvk_vsnprintf(tmp, sizeof(tmp), fmt, args);
	__builtin_va_end(args);
	if (n < 0)
		return;
	if ((unsigned long)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	/* The line, its newline and the final NUL must fit. */
	if (len_ + n + 2 > size_) {
		dropped_++;
		return;
	}
	for (int i = 0; i < n; i++)
		buf_[len_++] = tmp[i];
	buf_[len_++] = '\n';
	buf_[len_] = '\0';
}

void TextBuf::kv(const char *key, const char *value)
{
	line("%s: %s", key, value);
}

void TextBuf::kv(const char *key, unsigned long long value)
{
	line("%s: %llu", key, value);
}

void TextBuf::kv(const char *key, long long value)
{
	line("%s: %lld", key, value);
}

void TextBuf::kv(const char *key, Fixed value)
{
	static const unsigned int pow10[] = { 1, 10, 100, 1000 };
	unsigned int d = value.decimals < 1 ? 1 : value.decimals > 3 ? 3 :
		value.decimals;
	unsigned long long unit = pow10[d];

	line("%s: %llu.%0*llu", key, value.scaled / unit, (int)d,
	     value.scaled % unit);
}

unsigned long TextBuf::finish()
{
	if (dropped_) {
		/* Cut whole lines until the note fits. */
		while (len_ > 0 && len_ + 64 > size_) {
			len_--;
			while (len_ > 0 && buf_[len_ - 1] != '\n')
				len_--;
		}
		if (size_)
			buf_[len_] = '\0';
		line("# %u lines did not fit the buffer", dropped_);
	}
	return len_;
}

} /* namespace pv */
