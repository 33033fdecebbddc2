/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linkage.hpp - keeping C++'s vague linkage out of the module link.
 *
 * A function that C++ gives vague linkage (a class member, an inline
 * function, a template instance) and that the compiler emits out of line
 * goes into a COMDAT section, once in every object that uses it.  The
 * module link keeps one copy and discards the rest; but objtool has added
 * .return_sites and .orc_unwind_ip entries, outside the COMDAT group, that
 * point into each copy, and ld rejects those pointing into a discarded one:
 *
 *   `.text._ZN2pv9QSpinLock...slowpathEj' referenced in section
 *   `.return_sites' of .../cases_qspinlock.o: defined in discarded section
 *
 * So the lock headers emit no out-of-line function with vague linkage:
 * hot-path members are __always_inline (the kernel's spelling, for the
 * kernel's reason), and what must stay out of line (the queued spinlock's
 * slow path) is a static function, private to each object that uses it.
 */
#ifndef PVSYNC_LINKAGE_HPP
#define PVSYNC_LINKAGE_HPP

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif

#endif /* PVSYNC_LINKAGE_HPP */
