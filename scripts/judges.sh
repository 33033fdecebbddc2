# SPDX-License-Identifier: GPL-2.0
# The independent judges (Documentation/judges.rst): the module build
# matrix and the boots of the KCSAN and KASAN kernels.  Sourced by
# scripts/check (after lib.sh, with $logs, $vm, $kunit_guest and
# count_ktap defined) and by scripts/soak; not run.

# Mutants whose runs may print the judges' expected reports, and only
# these: the stress smokes (guest-smokes mutants) and the KUnit cases that
# run a mutant to show it is caught.  The smoke names are scripts/smokes'.
judge_mutant_contexts='
smoke:locks/busted
smoke:locks/qspinlock_mutant_pending
smoke:locks/qspinlock_mutant_head
smoke:upcall/no_recheck
smoke:upcall/migrate
smoke:pi_desc/plain_store
smoke:locks/pvqspinlock-unlock_skips_kick
kunit:qspinlock.stress_catches_qspinlock_mutants
kunit:qspinlock.stress_catches_busted
kunit:upcall.mutant_no_recheck_loses_event
kunit:upcall.mutant_migrate_is_caught
kunit:pi_desc.plain_store_drops_on
kunit:pi_desc.stress_plain_store_loses_on
kunit:pvqspinlock.mutant_woken_head_unhashing_is_caught
kunit:pvqspinlock.mutant_unlock_ignoring_slow_is_caught
kunit:pvqspinlock.emulated_lost_kick_is_recorded
kunit:pvqspinlock.stress_catches_unlock_skipping_kick
'

# A KCSAN report on the stress engine's plain counter (src/locks/stress.hpp):
# a data race of 8-byte accesses between two holders inside the engine's
# locked section (inlined into Run<Lock>::thread_fn or irq_fn).
judge_counter_race='^BUG: KCSAN: data-race in pv::stress::.*(locked_section|thread_fn|irq_fn).* / pv::stress::.*(locked_section|thread_fn|irq_fn)'

# judge_build_matrix: pvsync.ko built W=1 with zero warnings against the
# -Os, KCSAN and KASAN kernels (the test kernel and Debian's headers are
# built by scripts/check itself), and the C++ rules shown on the
# sanitizer kernels.  Sets kdir_kcsan, kdir_kasan, mods_kcsan, mods_kasan.
judge_build_matrix() {
	local v kd t0
	for v in os kcsan kasan; do
		t0=$SECONDS
		if kd=$(variant_kdir $v 2>"$logs/kernel-$v.log"); then
			result pass "$v kernel built ($kd, $((SECONDS - t0))s)"
		else
			result fail "$v kernel builds (see $logs/kernel-$v.log)"
			eval "kdir_$v="
			continue
		fi
		eval "kdir_$v=\$kd mods_$v=\$build/\$v"
		if "$top/scripts/build-modules" "$kd" "$build/$v" >/dev/null 2>"$logs/modules-$v.log"; then
			result pass "modules build against the $v kernel (W=1, zero warnings)"
		else
			result fail "modules build against the $v kernel (see $logs/modules-$v.log)"
			eval "mods_$v="
		fi
	done
	for v in kcsan kasan; do
		eval "kd=\$kdir_$v"
		[ -n "$kd" ] || continue
		if "$top/scripts/check-cxx-rules" "$kd" "$build/cxx-rules-$v" \
				>"$logs/cxx-rules-$v.log" 2>&1; then
			result pass "$v kernel: sanitizer constructors accepted, C++ ones rejected, uninstrumented C++ rejected"
		else
			result fail "$v kernel: C++ rules (see $logs/cxx-rules-$v.log)"
		fi
	done
	# UBSAN has no per-object proof (an object may have nothing to check):
	# its calls must show up in the C++ objects as a whole.
	if [ -n "${mods_kasan:-}" ]; then
		if find "$mods_kasan/src" -name '*.o' ! -path '*/glue/*' -exec nm -u {} + |
				grep -q ' __ubsan_handle_'; then
			result pass "kasan kernel: the C++ objects call UBSAN's handlers"
		else
			result fail "kasan kernel: no __ubsan_handle_* call in the C++ objects"
		fi
	fi
}

# judge_reports NAME CONSOLE: every sanitizer report in CONSOLE must be an
# expected one: in a mutant's context (above), either pvsync's own WARN
# that it caught the mutant, or (KCSAN) the race on the stress engine's
# counter.  Anything else fails.  Prints the counter races it saw.
judge_reports() {
	local name=$1 console=$2 ctx head detail bad=0 expected=0
	"$top/scripts/sanitizer-reports" "$console" >"$console.reports"
	while IFS=$'\t' read -r ctx head detail; do
		if grep -qxF "$ctx" <<<"$judge_mutant_contexts"; then
			case $head in
			"WARNING: "*" pvk_warn_once_report+"*)
				expected=$((expected + 1)); continue ;;
			esac
			if [[ $head =~ $judge_counter_race ]] && [[ $detail == *"of 8 bytes"* ]]; then
				expected=$((expected + 1)); continue
			fi
		fi
		bad=$((bad + 1))
		printf '    %s: %s\n' "$ctx" "$head"
	done <"$console.reports"
	if [ $bad -eq 0 ]; then
		result pass "$name: no unexpected report in dmesg ($expected expected in mutant runs)"
	else
		result fail "$name: $bad unexpected reports in dmesg (see $console.reports)"
	fi
}

# judge_boot NAME KDIR MODS [LEAK_CYCLES]: boot the sanitizer kernel
# NAME, run every KUnit suite and every stress smoke of scripts/smokes,
# and judge its kernel log.  With LEAK_CYCLES, then
# that many insmod/run/rmmod cycles and a kmemleak scan.
judge_boot() {
	local name=$1 kd=$2 mods=$3 cycles=${4:-0} log console
	log=$logs/$name.log console=$logs/$name.console
	"$vm" --smp 4 --mem 1024 --kernel "$kd/arch/x86/boot/bzImage" \
		--modules "$mods" --timeout 1800 \
		--add "$top/scripts/pvsyncctl" --add "$top/scripts/guest-smokes" \
		--add "$top/scripts/smokes" --add "$top/scripts/guest-leaks" \
		--console "$console" -- sh -c '
		insmod /modules/pvsync.ko || exit 1
		'"$kunit_guest"'
		echo "@@SMOKES"
		./guest-smokes ./smokes
		rmmod pvsync_kunit pvsync || exit 1
		echo "pvsync-phase: unloaded" >/dev/kmsg
		[ '"$cycles"' -eq 0 ] || ./guest-leaks '"$cycles"'
		echo "@@END"' >"$log" 2>&1
	local rc=$?
	if [ $rc -ne 0 ] || ! grep -q '^@@END' "$log"; then
		result fail "$name kernel: the guest run ended early (status $rc, see $log)"
	fi
	sed -n '1,/^@@SMOKES$/p' "$log" >"$log.kunit"
	count_ktap "$log.kunit" "KUnit ($name kernel)"
	check_smokes "$log" "$name kernel"
	judge_reports "$name kernel" "$console"
	if [ "$name" = kcsan ]; then
		# The judge's teeth: it sees a broken lock in our code.
		local n
		n=$(awk -F'\t' -v re="$judge_counter_race" '
			$1 == "smoke:locks/busted" && $2 ~ re && $3 ~ /of 8 bytes/' \
			"$console.reports" | wc -l)
		if [ "$n" -gt 0 ]; then
			result pass "kcsan kernel: busted lock reported as a data race on the stress counter ($n reports)"
			awk -F'\t' -v re="$judge_counter_race" '
				$1 == "smoke:locks/busted" && $2 ~ re { print "    " $2; exit }' \
				"$console.reports"
		else
			result fail "kcsan kernel: no KCSAN report on the stress counter under the busted lock"
		fi
	fi
	if [ "$cycles" -gt 0 ]; then
		local leaks
		leaks=$(sed -n 's/^leaks: //p' "$log")
		if [ "$leaks" = 0 ]; then
			result pass "$name kernel: $cycles insmod/run/rmmod cycles, kmemleak finds no leak"
		else
			result fail "$name kernel: kmemleak after $cycles cycles: ${leaks:-no scan} (see $log)"
		fi
	fi
}
