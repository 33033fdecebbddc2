/* SPDX-License-Identifier: GPL-2.0 */
/*
 * text_buf.hpp - append whole lines to a bounded buffer.
 *
 * Results, stats and KTAP are all built this way.  A line that does not fit
 * is dropped and counted, never split, so output stays line-parseable.
 *
 * Results and stats are "key: value" lines: kv() has one overload per
 * value type (integers of either sign, strings, fixed-point numbers), so a
 * printer is a list of kv(key, value) calls with no format strings or
 * casts.
 */
#ifndef PVSYNC_TEXT_BUF_HPP
#define PVSYNC_TEXT_BUF_HPP

#include <stdint.h>

#include <pvsync/kapi.h>

namespace pv {

/*
 * A fixed-point number for kv(): @scaled / 10^@decimals, printed with
 * exactly @decimals digits after the point (1 to 3).
 */
struct Fixed {
	uint64_t scaled;
	unsigned int decimals;
};

class TextBuf {
public:
	TextBuf(char *buf, unsigned long size) : buf_(buf), size_(size)
	{
		if (size_)
			buf_[0] = '\0';
	}

	/* Append one line; the newline is added here. */
	void line(const char *fmt, ...) __printf(2, 3);

	/* "key: value" lines. */
	void kv(const char *key, const char *value);
	void kv(const char *key, unsigned long long value);
	void kv(const char *key, long long value);
	void kv(const char *key, Fixed value);
	void kv(const char *key, unsigned long value)
	{
		kv(key, static_cast<unsigned long long>(value));
	}
	void kv(const char *key, unsigned int value)
	{
		kv(key, static_cast<unsigned long long>(value));
	}
	void kv(const char *key, long value)
	{
		kv(key, static_cast<long long>(value));
	}
	void kv(const char *key, int value)
	{
		kv(key, static_cast<long long>(value));
	}
	/* The final line of every result. */
	void verdict(bool passed) { kv("verdict", passed ? "PASS" : "FAIL"); }

	/* Close the buffer: note dropped lines, return the length. */
	unsigned long finish();

	unsigned long len() const { return len_; }

private:
	char *buf_;
	unsigned long size_;
	unsigned long len_ = 0;
	unsigned int dropped_ = 0;
};

} /* namespace pv */

#endif /* PVSYNC_TEXT_BUF_HPP */
