#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# AFL++ campaigns on synfin's libFuzzer harnesses (tests/fuzz/fuzz_*.c).
#
#   tests/fuzz/afl.sh [SECONDS] [TARGET...]
#
# SECONDS of fuzzing per target (default 600); TARGETs among fuzz_wire,
# fuzz_stack, fuzz_api (default: all three, one after another). Installs
# Debian's afl++ if missing, builds the harnesses into build/afl/ with
# afl-clang-lto and AFL++'s libFuzzer driver (-fsanitize=fuzzer links
# libAFLDriver), then fuzzes each target from its checked-in corpus
# (tests/fuzz/corpus/TARGET) into build/afl/out/TARGET with two instances:
#   main  plain build (assertions on, -O2) with a CMPLOG build for -c,
#   asan  the same with AddressSanitizer + UndefinedBehaviorSanitizer
# (one instance, the ASan one, on a 1-core machine). Prints each instance's
# figures from fuzzer_stats; exits 1 if any crash or hang was saved, listing
# the files and how to replay them.
#
# Environment:
#   SYNFIN_AFL_RESUME=1   continue the previous campaign's queue in
#                         build/afl/out/TARGET instead of starting afresh
#   SYNFIN_AFL_CC=afl-clang-fast   the AFL++ compiler (default afl-clang-lto)
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)

all_targets="fuzz_wire fuzz_stack fuzz_api"
usage() {
	echo "usage: tests/fuzz/afl.sh [SECONDS] [TARGET...]   (TARGET: $all_targets)" >&2
	exit 2
}

secs=600
case "${1:-}" in
'') ;;
*[!0-9]*) ;;
*)
	secs=$1
	shift
	;;
esac
[ "$secs" -gt 0 ] || usage
targets=${*:-$all_targets}
for t in $targets; do
	case " $all_targets " in
	*" $t "*) ;;
	*) usage ;;
	esac
done

# --- what AFL++ needs (Debian 12: afl++ 4.04c; lld and llvm for afl-clang-lto;
# cmocka because the fuzz targets live in the test tree)
packages="afl++ clang lld-14 llvm-14 cmake make pkg-config libcmocka-dev"
missing=""
for p in $packages; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "afl.sh: installing$missing"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
esc=$(printf '\033')
plain() { sed "s/$esc\[[0-9;?]*[a-zA-Z]//g"; } # without terminal colours
echo "afl.sh: $(afl-fuzz -h 2>&1 | head -n 1 | plain)"

# --- builds: build/afl/{plain,cmplog,asan}/tests/fuzz_*
cc=${SYNFIN_AFL_CC:-afl-clang-lto}
export AFL_QUIET=1
build() { # build VARIANT [VAR=VALUE...]: the AFL_* variables apply to configure and build
	dir=build/afl/$1
	log=build/afl/$1.log
	shift
	echo "afl.sh: building $dir ($cc${*:+ $*})"
	env "$@" cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" \
		-DCMAKE_AR=/usr/bin/llvm-ar-14 -DCMAKE_RANLIB=/usr/bin/llvm-ranlib-14 \
		-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O2 -g" \
		-DSYNFIN_FUZZ=ON -DSYNFIN_TESTS=ON -DSYNFIN_SANITIZE=OFF >"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; exit 1; }
	# shellcheck disable=SC2086 # one word per target
	env "$@" cmake --build "$dir" -j"$(nproc)" --target $targets >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; exit 1; }
}
mkdir -p build/afl/out
# Debug without -O0: assertions stay on (illegal state transitions abort).
build plain
build cmplog AFL_LLVM_CMPLOG=1
build asan AFL_USE_ASAN=1 AFL_USE_UBSAN=1

# --- campaigns
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1
# Containers often pipe core dumps to a helper and cannot change
# /proc/sys/kernel/core_pattern; AFL++ then refuses to start without this.
# Crashes are still seen (by signal), only a little later.
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
two=0
[ "$(nproc)" -ge 2 ] && two=1
main_pid=""
trap '[ -z "$main_pid" ] || kill "$main_pid" 2>/dev/null; exit 130' INT TERM

input_for() { # input_for OUT NAME: resume a previous queue or start from the corpus
	if [ "${SYNFIN_AFL_RESUME:-0}" = 1 ] && [ -f "$1/$2/fuzzer_stats" ]; then
		echo -
	else
		echo "$corpus"
	fi
}

failed=0
for t in $targets; do
	out=build/afl/out/$t
	corpus=$root/tests/fuzz/corpus/$t
	[ "${SYNFIN_AFL_RESUME:-0}" = 1 ] || rm -rf "$out"
	mkdir -p "$out"
	echo "afl.sh: $t for $secs s -> $out"
	main_pid=""
	if [ "$two" = 1 ]; then
		afl-fuzz -V "$secs" -i "$(input_for "$out" main)" -o "$out" -M main \
			-c "build/afl/cmplog/tests/$t" -- "build/afl/plain/tests/$t" >"$out/main.log" 2>&1 &
		main_pid=$!
		sleep 1 # let it take its CPU before the second instance looks
		afl-fuzz -V "$secs" -i "$(input_for "$out" asan)" -o "$out" -S asan \
			-- "build/afl/asan/tests/$t" >"$out/asan.log" 2>&1 || failed=1
		wait "$main_pid" || failed=1
		main_pid=""
	else
		afl-fuzz -V "$secs" -i "$(input_for "$out" asan)" -o "$out" -M asan \
			-- "build/afl/asan/tests/$t" >"$out/asan.log" 2>&1 || failed=1
	fi
	for log in "$out"/*.log; do
		grep -q "We're done here" "$log" && continue
		echo "afl.sh: afl-fuzz did not finish cleanly, end of $log:" >&2
		tail -n 15 "$log" | plain >&2
		failed=1
	done
done

# --- figures, and what was found
field() { sed -n "s/^$1 *: *//p" "$2"; }
echo
printf '%-11s %-5s %12s %10s %7s %7s %8s %6s\n' target inst execs_done execs/s corpus edges crashes hangs
found=0
for t in $targets; do
	for s in build/afl/out/"$t"/*/fuzzer_stats; do
		[ -f "$s" ] || continue
		printf '%-11s %-5s %12s %10s %7s %7s %8s %6s\n' "$t" "$(basename "$(dirname "$s")")" \
			"$(field execs_done "$s")" "$(field execs_per_sec "$s")" "$(field corpus_count "$s")" \
			"$(field edges_found "$s")/$(field total_edges "$s")" \
			"$(field saved_crashes "$s")" "$(field saved_hangs "$s")"
	done
done
# Each saved input, the first few of each kind with the commands that replay
# them: the AFL++ ASan+UBSan build (runs the file once), and the libFuzzer
# ASan+UBSan build that ./run fuzz and ./run test leave in build/fuzz (its
# UBSan reports name the check; AFL++'s UBSan build just traps).
for t in $targets; do
	for kind in crashes hangs; do
		n=0
		for f in build/afl/out/"$t"/*/"$kind"*/id:*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			found=$((found + 1))
			[ "$n" -eq 1 ] && printf '\n%s, %s (paths from %s):\n' "$t" "$kind" "$root"
			[ "$n" -le 3 ] || continue
			echo "  $f"
			if [ "$kind" = crashes ]; then
				echo "    build/afl/asan/tests/$t '$f'"
				echo "    build/fuzz/tests/$t '$f'"
			else
				echo "    timeout 10 build/afl/asan/tests/$t '$f'"
				echo "    build/fuzz/tests/$t -timeout=10 '$f'"
			fi
		done
		[ "$n" -le 3 ] || echo "  ... $n in all: ls build/afl/out/$t/*/$kind*/"
	done
done
if [ "$found" -gt 0 ]; then
	echo
	echo "afl.sh: $found crashing or hanging inputs saved"
	exit 1
fi
[ "$failed" = 0 ] || exit 1
echo "afl.sh: no crash, no hang"
