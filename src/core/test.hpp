/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test.hpp - expectations for C++ test bodies (see test.h for the runners).
 *
 *   PV_CASE(suite, name) { ... }    defines the body listed in cases.h
 *   PV_PARAM_CASE(suite, name, PARAMS, table)
 *                                   defines the body of a parameterised
 *                                   case: run table[t->param], where table
 *                                   is a {label, body} array in the order
 *                                   of PARAMS (checked at compile time)
 *   PV_EXPECT(t, cond)              record a failure, keep going
 *   PV_EXPECT_EQ(t, a, b)           the same, printing both integer values
 *   PV_ASSERT(t, cond)              record a failure and leave the body
 *   PV_SKIP(t, reason)              mark the case skipped and leave
 */
#ifndef PVSYNC_TEST_HPP
#define PVSYNC_TEST_HPP

#include <pvsync/kapi.h>
#include <pvsync/test.h>
#include <pvsync/cases.h>
#include "core/settings.hpp"

namespace pv::test {

using Body = void (*)(struct pvsync_test *t);

void fail(struct pvsync_test *t, const char *file, int line, const char *fmt,
	  ...) __printf(4, 5);
void log(struct pvsync_test *t, const char *fmt, ...) __printf(2, 3);
void skip(struct pvsync_test *t, const char *reason);

constexpr bool same_label(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* @table's labels are @labels, in order. */
template <unsigned int N, unsigned int M>
constexpr bool same_labels(const Option<Body> (&table)[N],
			   const char *const (&labels)[M])
{
	if (N != M)
		return false;
	for (unsigned int i = 0; i < N; i++) {
		if (!same_label(table[i].name, labels[i]))
			return false;
	}
	return true;
}

template <unsigned int N>
void run_param(struct pvsync_test *t, const Option<Body> (&table)[N])
{
	if (t->param >= N) {
		fail(t, __FILE__, __LINE__, "no parameter %u", t->param);
		return;
	}
	table[t->param].run(t);
}

} /* namespace pv::test */

#define PV_CASE(suite, name) \
	extern "C" void pvsync_case_##suite##__##name(struct pvsync_test *t)

#define PV_PARAM_CASE(suite, name, PARAMS, table)                        \
	static constexpr const char *pv_labels_##suite##__##name[] = {   \
		PARAMS(PVSYNC_PARAM_LABEL)                               \
	};                                                               \
	static_assert(::pv::test::same_labels(table,                     \
					      pv_labels_##suite##__##name), \
		      "the table of " #name " is not in the order of "   \
		      #PARAMS);                                          \
	PV_CASE(suite, name)                                             \
	{                                                                \
		::pv::test::run_param(t, table);                         \
	}

#define PV_EXPECT(t, cond)                                               \
	do {                                                             \
		if (!(cond))                                             \
			::pv::test::fail(t, __FILE__, __LINE__,          \
					 "expected %s", #cond);          \
	} while (0)

#define PV_EXPECT_EQ(t, a, b)                                            \
	do {                                                             \
		const auto pv_a_ = (a);                                  \
		const auto pv_b_ = (b);                                  \
		if (!(pv_a_ == pv_b_))                                   \
			::pv::test::fail(t, __FILE__, __LINE__,          \
				"expected %s == %s, got %lld (0x%llx) vs %lld (0x%llx)", \
				#a, #b, (long long)pv_a_,                \
				(unsigned long long)pv_a_,               \
				(long long)pv_b_,                        \
				(unsigned long long)pv_b_);              \
	} while (0)

#define PV_ASSERT(t, cond)                                               \
	do {                                                             \
		if (!(cond)) {                                           \
			::pv::test::fail(t, __FILE__, __LINE__,          \
					 "assertion %s failed", #cond);  \
			return;                                          \
		}                                                        \
	} while (0)

#define PV_SKIP(t, reason)                                               \
	do {                                                             \
		::pv::test::skip(t, reason);                             \
		return;                                                  \
	} while (0)

#endif /* PVSYNC_TEST_HPP */
