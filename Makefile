# SPDX-License-Identifier: GPL-2.0
#
# pvsync - see README.
#
#   make                 build pvsync.ko (and pvsync_kunit.ko where the target
#                        kernel has KUnit) against KDIR
#   make check           install what is missing, build the test kernel, run
#                        every KUnit suite and smoke in QEMU; ends "N passed, N failed"
#   make run             boot a 4-vCPU VM and run every experiment; print a report
#   make bench           the benchmarks, in one VM boot
#   make repeat          every mutant smoke N times (N=20), HOG=1 with the
#                        host's CPUs busy; prints caught/run per mutant
#   make ucheck          the lock stress in user space on the real CPU, plain
#                        and under ThreadSanitizer (correct locks pass, each
#                        mutant is caught); ends "N passed, N failed"; make
#                        check runs it too
#   make ubench          the user-space benchmarks on the real CPU: lock+unlock
#                        against the physical limit, upcall barrier pairs,
#                        pvqspinlock (futex) under 1x/2x/4x overcommit
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

check:
	@scripts/check

run:
	@scripts/run

bench:
	@scripts/bench

repeat:
	@N=$(or $(N),20) scripts/repeat

ucheck:
	@scripts/ucheck

ubench:
	@scripts/ubench

.PHONY: all modules clean check run bench repeat ucheck ubench
