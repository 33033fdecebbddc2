# SPDX-License-Identifier: GPL-2.0
# The independent judges (Documentation/judges.rst): the module build
# matrix and the boots of the KCSAN and KASAN kernels.  Sourced by
# scripts/check (after lib.sh, with $logs, $vm, $kunit_guest and
# count_ktap defined) and by scripts/soak; not run.

# Mutants whose runs may print the judges' expected reports, and only
# these: every smoke of scripts/smokes expected to FAIL, the busted lock's
# KCSAN run (guest-kcsan-teeth) and the KUnit cases that run a mutant to
# show it is caught.
judge_mutant_contexts="$(grep -v '^#' "$top/scripts/smokes" |
	awk -F'|' '$2 ~ /^ *FAIL/ { gsub(/ /, "", $1); print "smoke:" $1 }')
smoke:kcsan-teeth/busted
kunit:pvsync_qspinlock.stress_catches_busted
kunit:pvsync_qspinlock.stress_catches_qspinlock_mutants
kunit:pvsync_qspinlock.busted_never_reports_locked
kunit:pvsync_pi_desc.plain_store_drops_on
kunit:pvsync_pi_desc.split_stores_show_a_torn_word
kunit:pvsync_pi_desc.load_keeping_ndst_leaves_stale_destination
kunit:pvsync_pi_desc.stress_plain_store_loses_a_post
kunit:pvsync_pi_desc.stress_no_self_notify_loses_a_wakeup
kunit:pvsync_pi_desc.stress_stale_ndst_is_caught
kunit:pvsync_pi_desc.stress_torn_fields_are_caught
kunit:pvsync_pvqspinlock.emulated_lost_kick_is_recorded
kunit:pvsync_pvqspinlock.free_before_slow_catches_unhash_before_locked
kunit:pvsync_pvqspinlock.kick_races_spurious_wake_catches_wake_stores_running
kunit:pvsync_pvqspinlock.mutant_unlock_ignoring_slow_is_caught
kunit:pvsync_pvqspinlock.mutant_woken_head_unhashing_is_caught
kunit:pvsync_pvqspinlock.steal_after_kick_catches_slow_every_pass
kunit:pvsync_pvqspinlock.stress_catches_unlock_skipping_kick
kunit:pvsync_pvqspinlock.wait_node_store_buffering
kunit:pvsync_upcall.injection_catches_barrier_none
kunit:pvsync_upcall.injection_catches_seed_exact_unmask
kunit:pvsync_upcall.migrate_loses_event_scripted
kunit:pvsync_upcall.mutant_migrate_is_caught
kunit:pvsync_upcall.mutant_no_recheck_loses_event
kunit:pvsync_upcall.scripted_points_catch_each_mutant
kunit:pvsync_upcall.remote_writer_table
"

# A KCSAN report on the stress engine's plain counter (src/locks/stress.hpp):
# a data race of 8-byte accesses between two holders inside the engine's
# locked section (locked_section(), inlined into Run<Lock>::body, the
# threads' loop, or Run<Lock>::irq_fn): either both accesses named, or
# one and "race at unknown origin" (the other CPU's write changed the
# watched value; the headline then names one site, +offset/size).
judge_counter_race='^BUG: KCSAN: data-race in pv::stress::.*(locked_section|::body|::irq_fn)(.* / pv::stress::.*(locked_section|::body|::irq_fn)|.*[+]0x[0-9a-f]+/0x[0-9a-f]+ [[]pvsync[]]$)'

# Smokes left out on the sanitizer kernels, and why: these two mutants
# rely on the compiler reordering the unmask's store and load (or leaving
# them with no barrier at all), and the sanitizer's calls between the two
# (__tsan_*/__asan_*) are themselves compiler barriers, so an instrumented
# build cannot show them.  They are caught on the test kernel.
judge_skip_smokes='upcall/none/correct upcall/compiler/seed_exact'
judge_skip_why="a compiler-reordering mutant: the sanitizer's calls are compiler barriers"

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
		# (grep without -q: nm must not die of SIGPIPE under pipefail)
		if find "$mods_kasan/src" -name '*.o' ! -path '*/glue/*' -exec nm -u {} + |
				grep ' __ubsan_handle_' >/dev/null; then
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
	local name=$1 console=$2 ctx head detail bad=0 expected=0 kernel=0
	"$top/scripts/sanitizer-reports" "$console" >"$console.reports"
	while IFS=$'\t' read -r ctx head detail; do
		# The teeth raise KCSAN's sampling for the whole kernel, 80
		# times: the kernel's own races (no pvsync function in the
		# report, e.g. the scheduler's nohz cpumask read in
		# _find_next_bit) show up there.  They are listed, not ours
		# to fail; at the default sampling every report fails.
		if [[ $ctx == smoke:kcsan-teeth/* && $head == "BUG: KCSAN: "* &&
		      $head != *"[pvsync]"* ]]; then
			kernel=$((kernel + 1))
			printf '    the kernel'"'"'s own race, at raised sampling (%s): %s\n' \
				"$ctx" "$head"
			continue
		fi
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
	local own=
	[ $kernel -eq 0 ] || own=", $kernel in the kernel alone at raised sampling"
	if [ $bad -eq 0 ]; then
		result pass "$name: no unexpected report in dmesg ($expected expected in mutant runs$own)"
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
		--add "$top/scripts/guest-kcsan-teeth" \
		--console "$console" -- sh -c '
		insmod /modules/pvsync.ko || exit 1
		'"$kunit_guest"'
		echo "@@SMOKES"
		SKIP_SMOKES="'"$judge_skip_smokes"'" ./guest-smokes ./smokes
		[ '"$name"' != kcsan ] || ./guest-kcsan-teeth
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
	check_smokes "$log" "$name kernel" "$judge_skip_smokes" "$judge_skip_why"
	judge_reports "$name kernel" "$console"
	if [ "$name" = kcsan ]; then
		# The judge's teeth (scripts/guest-kcsan-teeth): with KCSAN
		# watching more often, no correct lock is reported and the
		# busted one is, on the engine's counter.
		local lock verdict n runs
		for lock in qspinlock ticket spinlock pvqspinlock; do
			verdict=$(sed -n "s/^teeth $lock //p" "$log")
			n=$(awk -F'\t' -v c="smoke:kcsan-teeth/$lock" \
				'$1 == c && $2 ~ /[[]pvsync[]]/' "$console.reports" | wc -l)
			if [ "$verdict" = PASS ] && [ "$n" -eq 0 ]; then
				result pass "kcsan kernel: $lock, 2 s at skip_watch=50, no KCSAN report in pvsync"
			else
				result fail "kcsan kernel: $lock under raised sampling: verdict ${verdict:-none}, $n reports"
			fi
		done
		runs=$(sed -n 's/^teeth busted reported after \([0-9]*\) runs$/\1/p' "$log")
		n=$(awk -F'\t' -v re="$judge_counter_race" '
			$1 == "smoke:kcsan-teeth/busted" && $2 ~ re && $3 ~ /of 8 bytes/' \
			"$console.reports" | wc -l)
		if [ -n "$runs" ] && [ "$n" -gt 0 ]; then
			result pass "kcsan kernel: busted lock reported as a data race on the stress counter (after $runs 1-s runs)"
			awk -F'\t' -v re="$judge_counter_race" '
				$1 == "smoke:kcsan-teeth/busted" && $2 ~ re { print "    " $2; print "    " $3; exit }' \
				"$console.reports"
		else
			result fail "kcsan kernel: no KCSAN report on the stress counter under the busted lock ($(grep '^teeth busted' "$log"))"
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
