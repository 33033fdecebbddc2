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
