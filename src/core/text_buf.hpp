/* SPDX-License-Identifier: GPL-2.0 */
/*
 * text_buf.hpp - append whole lines to a bounded buffer.
 *
 * Results, stats and KTAP are all built this way.  A line that does not fit
 * is dropped and counted, never split, so output stays line-parseable.
 */
#ifndef PVSYNC_TEXT_BUF_HPP
#define PVSYNC_TEXT_BUF_HPP

#include <pvsync/kapi.h>

namespace pv {

class TextBuf {
public:
	TextBuf(char *buf, unsigned long size) : buf_(buf), size_(size)
	{
		if (size_)
			buf_[0] = '\0';
	}

	/* Append one line; the newline is added here. */
	void line(const char *fmt, ...) __printf(2, 3);

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
