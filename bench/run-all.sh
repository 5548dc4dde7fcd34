#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every benchmark, in one run (`./run bench` installs what this
# needs and calls it):
#
#   bench/run-all.sh [--quick]
#
#   1. connection lifecycles: synfin, lwIP and the Linux kernel (loopback, in
#      a network namespace of its own), graceful (TIME-WAIT kept) and RST,
#      at 10k, 100k and 1M lifecycles; the rate in every tenth of each run;
#   2. concurrent connections: 1M idle ESTABLISHED, RSS per connection, then
#      TIME-WAIT and SYN-RECEIVED record sizes;
#   3. bulk throughput against lwIP (bench/run-bulk.sh);
#   4. a SYN flood of 1M spoofed SYNs with 1,000 legitimate clients, with
#      and without syn_queue_recycle;
#   5. callgrind instruction counts per lifecycle and per segment.
#
# --quick stops at 100k (lifecycles, connections, SYNs) and 256 MB of bulk.
# Output: tables on stdout; CSVs, the raw outputs and a plot of rate against
# TIME-WAIT records (gnuplot, PNG) in bench/out/. Figures are wall-clock
# rates on whatever else the machine is doing: run it on a quiet machine.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build-bench}
out=$here/out
quick=0
[ "${1:-}" = --quick ] && quick=1

sizes="10000 100000 1000000"
conns=1000000
syns=1000000
bulk_bytes=1G
lwip_budget=30
if [ $quick -eq 1 ]; then
	sizes="10000 100000"
	conns=100000
	syns=100000
	bulk_bytes=256M
	lwip_budget=10
fi

echo "== build ($build, Release -O2)"
cmake -S "$root" -B "$build" -DSYNFIN_BENCH=ON -DSYNFIN_TESTS=OFF -DSYNFIN_SANITIZE=OFF \
	-DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
bin=$build/bench
mkdir -p "$out"
rm -f "$out"/lifecycles.csv "$out"/concurrent.csv "$out"/synflood.csv "$out"/callgrind.csv

echo "== machine"
machine="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$machine" | tee "$out/machine.txt"

echo "== 1. connection lifecycles (per-tenth tables in $out/lifecycles.txt)"
: >"$out/lifecycles.txt"
for n in $sizes; do
	for close in "" --rst; do
		"$bin/synfin-bench-lifecycles" --n "$n" $close --csv "$out/lifecycles.csv" >>"$out/lifecycles.txt"
		"$bin/synfin-bench-kernel-lifecycles" --n "$n" $close --csv "$out/lifecycles.csv" \
			--max-seconds 120 >>"$out/lifecycles.txt"
		if [ -x "$bin/synfin-bench-lwip-lifecycles" ]; then
			"$bin/synfin-bench-lwip-lifecycles" --n "$n" $close --csv "$out/lifecycles.csv" \
				--max-seconds "$lwip_budget" >>"$out/lifecycles.txt"
		fi
	done
done
# One row per stack, close and size: the whole run's rate (complete tenths),
# the first and last tenth, how much the last kept of the first, and synfin's
# ratio to the others at the same close and size.
awk -F, '
NR == 1 { next }
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	tenths[k]++; secs[k] += ($3 / 10) / $5; last[k] = $5; tw[k] = $6
	if ($4 == 1) first[k] = $5
}
END {
	printf "%-7s %-5s %9s %7s %12s %12s %12s %9s %11s %9s\n", "stack", "close", "n", "tenths", "conn/s",
	       "first 1/10", "last 1/10", "last/1st", "TIME-WAIT", "synfin x"
	for (i = 1; i <= nk; i++) {
		split(order[i], f, SUBSEP)
		rate = tenths[order[i]] * (f[3] / 10) / secs[order[i]]
		total[order[i]] = rate
	}
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, f, SUBSEP)
		s = "synfin" SUBSEP f[2] SUBSEP f[3]
		ratio = (s in total) ? sprintf("%.1fx", total[s] / total[k]) : "-"
		printf "%-7s %-5s %9d %7d %12.0f %12.0f %12.0f %8.0f%% %11d %9s\n", f[1], f[2], f[3], tenths[k],
		       total[k], first[k], last[k], 100 * last[k] / first[k], tw[k], ratio
	}
}' "$out/lifecycles.csv" | tee "$out/lifecycles-summary.txt"
echo "(tenths < 10: the run hit its time budget; TIME-WAIT: records held at the end of the last complete tenth)"
# A run stopped before its first tenth has no row above: say where each stopped.
awk '/^lifecycles [0-9]+, close by/ { run = $0; stack = "synfin" }
     /^stack lwIP/ { stack = "lwip" } /^stack Linux/ { stack = "linux" }
     /^stopped:/ { print "  " stack ", " run ": " $0 }' "$out/lifecycles.txt" |
	tee -a "$out/lifecycles-summary.txt"

if command -v gnuplot >/dev/null; then
	for s in synfin linux lwip; do
		awk -F, -v s="$s" '$1 == s && $2 == "fin" { print $6, $5 }' "$out/lifecycles.csv" | sort -n >"$out/plot-$s.dat"
	done
	gnuplot <<EOF
set terminal pngcairo size 960,600 font ",11"
set output "$out/lifecycles.png"
set title "Graceful lifecycles/s against TIME-WAIT records held (one core, both ends in one process)"
set xlabel "TIME-WAIT records held"
set ylabel "lifecycles per second (each tenth of a run)"
set logscale xy
set format x "%.0s%c"
set key bottom left
set grid
plot "$out/plot-synfin.dat" using 1:2 with linespoints title "synfin", \
     "$out/plot-linux.dat" using 1:2 with linespoints title "Linux kernel (loopback)", \
     "$out/plot-lwip.dat" using 1:2 with linespoints title "lwIP 2.1.3 (raw API)"
EOF
	rm -f "$out"/plot-*.dat
	echo "plot: $out/lifecycles.png"
else
	echo "gnuplot not installed: no plot (apt-get install gnuplot-nox)"
fi

echo "== 2. concurrent connections ($conns)"
"$bin/synfin-bench-concurrent" --n "$conns" --csv "$out/concurrent.csv" | tee "$out/concurrent.txt"

echo "== 3. bulk throughput ($bulk_bytes)"
BUILD_DIR=$build BYTES=$bulk_bytes CSV=$out/bulk.csv "$here/run-bulk.sh" | tee "$out/bulk.txt"

echo "== 4. SYN flood ($syns spoofed SYNs, 1000 legitimate clients): SYN cookies (default), then without: SYNs dropped on a full SYN queue, then syn_queue_recycle"
"$bin/synfin-bench-synflood" --syns "$syns" --clients 1000 --csv "$out/synflood.csv" | tee "$out/synflood.txt"
"$bin/synfin-bench-synflood" --syns "$syns" --clients 1000 --syncookies 0 --csv "$out/synflood.csv" |
	tee -a "$out/synflood.txt"
"$bin/synfin-bench-synflood" --syns "$syns" --clients 1000 --syncookies 0 --syn-queue-recycle --csv "$out/synflood.csv" |
	tee -a "$out/synflood.txt"
"$bin/synfin-bench-syncookie-forgery" --tries 10000000 | tee -a "$out/synflood.txt"
"$bin/synfin-bench-kernel-synflood" --syns "$syns" | tee -a "$out/synflood.txt" || [ $? -eq 77 ]

echo "== 4b. HTTP: ab and wrk against synfin serve http and nginx on the kernel"
if [ "$(id -u)" = 0 ] && command -v ab >/dev/null && command -v wrk >/dev/null && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
	"$here/http.sh" "$build/synfin" | tee "$out/http.txt"
else
	echo "(skipped: needs root, ab, wrk and nginx; ./run bench installs them)"
fi

echo "== 5. instruction counts (callgrind)"
if command -v valgrind >/dev/null; then
	"$here/callgrind.sh" "$build" "$out/callgrind.csv" | tee "$out/callgrind.txt"
else
	echo "valgrind not installed: skipped"
fi
echo "== done: $out"
