/* SPDX-License-Identifier: GPL-2.0 */
/*
 * user.hpp - the user-space programs' shared C++ (the .cpp files of src/user/): the
 * lock kinds they run, argument parsing, output.
 *
 * The programs are the same freestanding C++ as the module's core, run
 * through kapi.h's user-space implementation (the C files of src/user/); they include
 * no system header either.  See Documentation/userspace.rst.
 */
#ifndef PVSYNC_USER_HPP
#define PVSYNC_USER_HPP

#include <stdint.h>

#include "locks/stress_stats.hpp"

namespace pv::user {

/* "key=value" with a number: true and *@out set when @arg is @key. */
bool parse_uint(const char *arg, const char *key, unsigned int *out);
bool streq(const char *a, const char *b);

/* The subcommands, with the arguments after their name. */
int stress_main(int argc, char **argv);
int bench_main(int argc, char **argv);
void list_kinds();

/* Print a TextBuf-built result to standard output. */
void print_result(const stress::Result &res);

} /* namespace pv::user */

#endif /* PVSYNC_USER_HPP */
