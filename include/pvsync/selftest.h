/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftest.h - the debugfs selftest runner, implemented in C++ and called
 * by the glue when /sys/kernel/debug/pvsync/selftest is opened.
 */
#ifndef PVSYNC_SELFTEST_H
#define PVSYNC_SELFTEST_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * pvsync_selftest_run() - run every case of every suite and write KTAP.
 * @buf: output buffer.
 * @size: its size; output that does not fit is cut at a line boundary
 *        and the cut is reported in a final KTAP comment.
 *
 * Context: process context; may sleep, spawns threads.
 * Return: bytes written to @buf.
 */
unsigned long pvsync_selftest_run(char *buf, unsigned long size);

#ifdef __cplusplus
}
#endif

#endif /* PVSYNC_SELFTEST_H */
