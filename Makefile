# SPDX-License-Identifier: GPL-2.0
#
# pvsync - see README.
#
#   make                 build pvsync.ko (and pvsync_kunit.ko where the target
#                        kernel has KUnit) against KDIR
#   make check           install what is missing, build the test kernel, run
#                        every KUnit suite and smoke in QEMU, then the judges:
#                        the KCSAN and KASAN kernels and a 1-minute soak
#                        (JUDGES=0: without them); ends "N passed, N failed"
#   make run             boot a 4-vCPU VM and run every experiment; print a report
#   make bench           the benchmarks, in one VM boot
#   make repeat          every mutant smoke N times (N=20), HOG=1 with the
#                        host's CPUs busy; prints caught/run per mutant;
#                        TEETH=1 adds the KCSAN judge's busted-lock report
#   make ucheck          the lock stress in user space on the real CPU, plain
#                        and under ThreadSanitizer (correct locks pass, each
#                        mutant is caught); ends "N passed, N failed"; make
#                        check runs it too
#   make ubench          the user-space benchmarks on the real CPU: lock+unlock
#                        against the physical limit, upcall barrier pairs,
#                        pvqspinlock (futex) under 1x/2x/4x overcommit
#   make verify          model-check the Spin models of Documentation/models/
#                        (every property, every bug switch); ends "N passed, N failed"
#   make soak [SOAK_MIN=10]  every correct variant SOAK_MIN minutes each, test
#                        and KCSAN kernels, 4 and 8 vCPUs; ends with a table
#   make leaks [LEAK_CYCLES=100] insmod/run/rmmod cycles under KASAN+kmemleak
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

soak:
	@SOAK_MIN=$(or $(SOAK_MIN),10) scripts/soak

leaks:
	@LEAK_CYCLES=$(or $(LEAK_CYCLES),100) scripts/leaks

repeat:
	@N=$(or $(N),20) scripts/repeat

ucheck:
	@scripts/ucheck

ubench:
	@scripts/ubench

verify:
	@scripts/verify

.PHONY: all modules clean check run bench repeat ucheck ubench verify soak leaks
