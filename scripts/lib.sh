# SPDX-License-Identifier: GPL-2.0
# Shared by scripts/check, scripts/run and scripts/bench; sourced, not run.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$top/build

# The headers of Debian's kernel that scripts/vm --kernel debian boots.
debian_kdir() {
	local d
	d=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || { echo "no linux-headers-6.1.*-amd64 installed" >&2; return 1; }
	echo "$d"
}

test_kdir() {
	"$top/scripts/build-kernel" | tail -n 1
}

# The extracted kernel source, for tools/testing/kunit/kunit.py.
kernel_src() {
	echo "${PVSYNC_CACHE:-$HOME/.cache/pvsync}/src/linux-source-6.1"
}

# Print "pass|fail NAME" and keep count.
passed=0
failed=0
result() {
	local status=$1; shift
	if [ "$status" = pass ]; then
		passed=$((passed + 1))
		printf 'PASS  %s\n' "$*"
	else
		failed=$((failed + 1))
		printf 'FAIL  %s\n' "$*"
	fi
}

# The sanitizer kernels (scripts/build-kernel --variant).
variant_kdir() {
	"$top/scripts/build-kernel" --variant "$1" | tail -n 1
}

# check_smokes LOG MODE [LABEL]: the verdicts scripts/guest-smokes MODE
# printed into LOG, each against what it must be; LABEL names the kernel.
check_smokes() {
	local log=$1 mode=$2 label=${3:+ ($3)} got overcommit b
	_smoke() {	# _smoke correct|mutants NAME EXPECTED
		[ "$mode" = all ] || [ "$mode" = "$1" ] || return 0
		got=$(sed -n "s|^smoke $2 ||p" "$log")
		if [ "$got" = "$3" ]; then
			result pass "smoke $2$label: $got as expected"
		else
			result fail "smoke $2$label: expected $3, got ${got:-nothing} (see $log)"
		fi
	}
	_smoke correct locks/qspinlock PASS
	_smoke correct locks/ticket PASS
	_smoke correct locks/spinlock PASS
	_smoke mutants locks/busted FAIL
	_smoke mutants locks/qspinlock_mutant_pending FAIL
	_smoke mutants locks/qspinlock_mutant_head FAIL
	if [ "$mode" != mutants ]; then
		got=$(sed -n "s|^smoke locks/qspinlock-irq-nesting ||p" "$log")
		case $got in
		"PASS node2="*) result pass "smoke locks/qspinlock with irqs$label: nested queue nodes used ($got)" ;;
		*) result fail "smoke locks/qspinlock with irqs$label: ${got:-nothing} (see $log)" ;;
		esac
	fi
	_smoke correct upcall/compiler PASS
	_smoke correct upcall/lfence PASS
	_smoke correct upcall/mfence PASS
	_smoke correct upcall/locked_add PASS
	_smoke mutants upcall/no_recheck FAIL
	_smoke mutants upcall/migrate FAIL
	_smoke correct pi_desc/cmpxchg PASS
	_smoke mutants pi_desc/plain_store FAIL
	overcommit="4 vCPUs on $(nproc) host CPUs"
	[ "$(nproc)" -eq 2 ] && overcommit="$overcommit: 2x overcommit"
	for b in emulated native; do
		[ "$mode" != mutants ] || break
		got=$(sed -n "s|^smoke locks/pvqspinlock-$b ||p" "$log")
		if [ "$got" = PASS ]; then
			result pass "smoke locks/pvqspinlock backend=$b ($overcommit)$label: PASS"
		else
			result fail "smoke locks/pvqspinlock backend=$b ($overcommit)$label: ${got:-nothing} (see $log)"
		fi
	done
	_smoke mutants locks/pvqspinlock-unlock_ignores_slow "FAIL lost kick"
}
