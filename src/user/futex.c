// SPDX-License-Identifier: GPL-2.0
/*
 * futex.c - FUTEX_WAIT and FUTEX_WAKE, user space's halt and kick, for
 * the paravirt lock's futex backend (src/locks/pv/pv_backend_futex.hpp).
 * Private futexes: the words are this process's.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <pvsync/compiler.h>
#include <pvsync/ukapi.h>

int pvu_futex_wait(unsigned int *word, unsigned int val)
{
	if (syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0))
		return -errno;
	return 0;
}

int pvu_futex_wake(unsigned int *word, int n)
{
	long r = syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);

	return r < 0 ? -errno : (int)r;
}
