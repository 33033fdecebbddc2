/* SPDX-License-Identifier: GPL-2.0 */
/*
 * instrumented.hpp - whether this object's memory accesses are
 * instrumented by a sanitizer.
 *
 * GCC defines __SANITIZE_THREAD__ under -fsanitize=thread (KCSAN in the
 * kernel, ThreadSanitizer in user space) and __SANITIZE_ADDRESS__ under
 * -fsanitize=address or kernel-address (KASAN).  Each instrumented access
 * is then preceded by a call into the sanitizer's runtime, and a call is
 * a compiler barrier for any memory the callee could see: a check that
 * relies on the compiler reordering two accesses (upcall's seed_exact and
 * barrier=none mutants) cannot show its bug in such a build, and says so
 * instead of failing (Documentation/judges.rst).
 */
#ifndef PVSYNC_CORE_INSTRUMENTED_HPP
#define PVSYNC_CORE_INSTRUMENTED_HPP

namespace pv {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr bool accesses_instrumented = true;
#else
inline constexpr bool accesses_instrumented = false;
#endif

/* The reason a reordering check gives when it cannot run here. */
inline constexpr char instrumented_no_reordering[] =
	"sanitizer build: its calls are compiler barriers, no reordering";

} /* namespace pv */

#endif /* PVSYNC_CORE_INSTRUMENTED_HPP */
