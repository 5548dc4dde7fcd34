#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Build the bulk-throughput benchmarks (Release, -O2) and run synfin and lwIP
# on the same workload: 1 GiB A->B, lossless and 1% loss A->B.
#
#   bench/run-bulk.sh                 # everything, ~30-60 s on 2 cores
#   BYTES=256M REPEAT=1 bench/run-bulk.sh   # quicker
#
# Environment: BYTES (default 1G), REPEAT (runs per row, median reported;
# default 3), BUILD_DIR (default <repo>/build-bench), CSV (default
# bench/out/bulk.csv, rewritten), JOBS (build parallelism, default 2).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build-bench}
bytes=${BYTES:-1G}
repeat=${REPEAT:-3}
csv=${CSV:-$here/out/bulk.csv}
jobs=${JOBS:-2}

mkdir -p "$build"
cmake -S "$root" -B "$build" -DSYNFIN_BENCH=ON -DSYNFIN_TESTS=OFF -DSYNFIN_SANITIZE=OFF \
	-DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >"$build/bench-configure.log" 2>&1 ||
	{ cat "$build/bench-configure.log"; exit 1; }
targets=synfin-bench-bulk
if grep -q 'lwIP (pkg-config lwip) not found' "$build/bench-configure.log"; then
	echo "lwIP not found (apt-get install liblwip-dev): synfin only" >&2
else
	targets="$targets synfin-bench-lwip-bulk"
fi
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $targets >"$build/bench-build.log" 2>&1 ||
	{ cat "$build/bench-build.log"; exit 1; }

mkdir -p "$(dirname "$csv")"
rm -f "$csv"
common="--bytes $bytes --repeat $repeat --loss 0 --loss 0.01 --csv $csv"
echo "== per-run detail (median of $repeat runs each, $bytes A->B) =="
# shellcheck disable=SC2086
"$build/bench/synfin-bench-bulk" $common --bufsize 4M --label synfin
# shellcheck disable=SC2086
"$build/bench/synfin-bench-bulk" $common --bufsize 64K --label synfin-64K --no-header
# shellcheck disable=SC2086
"$build/bench/synfin-bench-bulk" $common --bufsize 64K --no-batch --label synfin-64K-nb --no-header
if [ -x "$build/bench/synfin-bench-lwip-bulk" ] && echo "$targets" | grep -q lwip; then
	# shellcheck disable=SC2086
	"$build/bench/synfin-bench-lwip-bulk" $common --label lwip --no-header
fi

echo
echo "== summary ($bytes, wall clock, one core; ratio = synfin Gbit/s / lwIP Gbit/s at the same loss) =="
awk -F, '
NR == 1 { next }
{
	key[NR] = $1 SUBSEP $2; stack[NR] = $1; loss[NR] = $2; win[NR] = $4; gbps[NR] = $6; nsps[NR] = $8
	if ($1 == "lwip") lw[$2] = $6
	n = NR
}
END {
	printf "%-13s %6s %8s %8s %11s %9s\n", "stack", "loss", "window", "Gbit/s", "ns/segment", "vs lwIP"
	for (i = 2; i <= n; i++) {
		w = win[i] >= 1048576 ? sprintf("%dM", win[i] / 1048576) : (win[i] % 1024 == 0 ? sprintf("%dK", win[i] / 1024) : win[i])
		r = (loss[i] in lw) && lw[loss[i]] > 0 ? sprintf("%.2fx", gbps[i] / lw[loss[i]]) : "-"
		if (stack[i] == "lwip") r = "1.00x"
		printf "%-13s %5.1f%% %8s %8.3f %11.0f %9s\n", stack[i], loss[i] * 100, w, gbps[i], nsps[i], r
	}
}' "$csv"
echo "(synfin rows hand each delivery round to the stack as one input batch, as a driver reading"
echo " several datagrams per wake-up does; -nb rows give it one datagram at a time, as lwIP gets them)"
echo "CSV: $csv"
