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

# host_load_start: with HOG=1, one nice-19 busy loop per host CPU until the
# calling script exits, so that guests run on a host with no idle CPU.
host_load_pids=
host_load_start() {
	local i
	[ "${HOG:-0}" = 1 ] || return 0
	for i in $(seq "$(nproc)"); do
		nice -n 19 sh -c 'while :; do :; done' &
		host_load_pids="$host_load_pids $!"
	done
	trap 'kill $host_load_pids 2>/dev/null' EXIT
	echo "host load: $(nproc) busy loops (nice 19):$host_load_pids"
}

# The judges' kernels (scripts/build-kernel --variant kcsan|kasan|os).
variant_kdir() {
	"$top/scripts/build-kernel" --variant "$1" | tail -n 1
}

# check_smokes LOG [LABEL [SKIPPED WHY]]: each smoke of scripts/smokes
# that scripts/guest-smokes printed into LOG, against what it must be;
# LABEL names the kernel when it is not the test kernel.  SKIPPED: names
# the guest left out on that kernel (SKIP_SMOKES), for the reason WHY:
# each must show as skipped, and is listed, not counted.
check_smokes() {
	local log=$1 label=${2:+, $2} skip=" ${3:-} " why=${4:-} name expect got overcommit
	overcommit="4 vCPUs on $(nproc) host CPUs"
	[ "$(nproc)" -eq 2 ] && overcommit="$overcommit, 2x overcommit"
	while IFS='|' read -r name expect _; do
		name=$(echo $name) expect=$(echo $expect)
		got=$(sed -n "s#^smoke $name | \(.*\) | .*#\1#p" "$log")
		if [[ $skip == *" $name "* ]] && [ "$got" = SKIP ]; then
			printf '      smoke %s not run on the %s: %s\n' "$name" "${2:-test kernel}" "$why"
		elif [ "$got" = "$expect" ]; then
			result pass "smoke $name ($overcommit$label): $got as expected"
		else
			result fail "smoke $name ($overcommit$label): expected $expect, got ${got:-nothing} (see $log)"
		fi
	done < <(grep -v '^#' "$top/scripts/smokes" | grep -v '^ *$')
}
