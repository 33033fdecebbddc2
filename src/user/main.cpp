// SPDX-License-Identifier: GPL-2.0
/*
 * main.cpp - pvsync-user: the lock stress engine and the benchmarks on the
 * real CPU, in user space (Documentation/userspace.rst).
 *
 *   pvsync-user list                     the lock kinds
 *   pvsync-user stress KIND [key=N ...]  stress runs of one kind
 *   pvsync-user bench [key=N ...]        the ubench tables
 */
#include <pvsync/kapi.h>
#include <pvsync/ukapi.h>
#include "core/text_buf.hpp"
#include "locks/lock_events.hpp"
#include "locks/mcs_node.hpp"
#include "user/user.hpp"

namespace pv::user {

bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

bool parse_uint(const char *arg, const char *key, unsigned int *out)
{
	unsigned long long v = 0;

	while (*key && *arg == *key) {
		arg++;
		key++;
	}
	if (*key || *arg != '=' || !arg[1])
		return false;
	for (arg++; *arg; arg++) {
		if (*arg < '0' || *arg > '9')
			return false;
		v = v * 10 + (*arg - '0');
		if (v > 0xffffffffULL)
			return false;
	}
	*out = static_cast<unsigned int>(v);
	return true;
}

void print_result(const stress::Result &res)
{
	static char buf[4096];
	TextBuf text(buf, sizeof(buf));

	res.print(text);
	text.finish();
	pvu_printf("%s", buf);
}

} /* namespace pv::user */

int main(int argc, char **argv)
{
	using namespace pv::user;

	if (pvu_init()) {
		pvk_log(PVK_LOG_ERR, "cannot find the host CPUs");
		return 2;
	}
	if (!pv::mcs_nodes_init() || !pv::lockevents_init()) {
		pvk_log(PVK_LOG_ERR, "out of memory");
		return 2;
	}
	if (argc >= 2 && streq(argv[1], "list")) {
		list_kinds();
		return 0;
	}
	if (argc >= 3 && streq(argv[1], "stress"))
		return stress_main(argc - 2, argv + 2);
	if (argc >= 2 && streq(argv[1], "bench"))
		return bench_main(argc - 2, argv + 2);
	pvk_log(PVK_LOG_ERR,
		"usage: pvsync-user list | stress KIND [key=N...] | bench [key=N...]");
	return 2;
}
