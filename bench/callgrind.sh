#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Instruction counts (valgrind --tool=callgrind): the same total for the same
# binary and input however busy the machine is, so these figures can be
# tracked from release to release where wall-clock rates cannot.
#
#   bench/callgrind.sh BUILD_DIR [CSV]
#
# Each figure is a difference of two runs that differ only in size, so the
# set-up (stacks, listeners, the handshake, buffers) cancels out. Heap
# allocations are counted the same way (valgrind's memcheck, "total heap
# usage"): per data segment on the established path this must be 0.
#   per lifecycle  = (Ir(N2 lifecycles) - Ir(N1)) / (N2 - N1), graceful and RST;
#   per segment    = (Ir(B2 bytes) - Ir(B1)) / (data segments in B2 - in B1),
#                    the established path of synfin-bench-bulk (both ends, the
#                    copy onto the benchmark's "wire" included), 64 KiB windows.
set -eu
build=${1:?usage: callgrind.sh BUILD_DIR [CSV]}
csv=${2:-}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# ir OUTPUT_NAME COMMAND...: total instructions of one run.
ir() {
	name=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" "$@" >"$work/$name.log" 2>&1 ||
		{ cat "$work/$name.log" >&2; exit 1; }
	sed -n 's/^summary: //p' "$work/$name.out"
}

lc="$build/bench/synfin-bench-lifecycles"
bulk="$build/bench/synfin-bench-bulk"
[ -x "$lc" ] && [ -x "$bulk" ] || { echo "callgrind.sh: build $lc and $bulk first" >&2; exit 2; }

n1=2000
n2=12000
fin1=$(ir fin1 "$lc" --n $n1)
fin2=$(ir fin2 "$lc" --n $n2)
rst1=$(ir rst1 "$lc" --n $n1 --rst)
rst2=$(ir rst2 "$lc" --n $n2 --rst)

b1=4M
b2=36M
bulk1=$(ir bulk1 "$bulk" --bytes $b1 --bufsize 64K --loss 0 --repeat 1 --csv "$work/bulk1.csv")
bulk2=$(ir bulk2 "$bulk" --bytes $b2 --bufsize 64K --loss 0 --repeat 1 --csv "$work/bulk2.csv")
# The data segments each run put on the wire (column data_segs of the CSV).
col=$(head -1 "$work/bulk1.csv" | tr ',' '\n' | grep -n '^data_segs$' | cut -d: -f1)
segs1=$(sed -n 2p "$work/bulk1.csv" | cut -d, -f"$col")
segs2=$(sed -n 2p "$work/bulk2.csv" | cut -d, -f"$col")

# allocs NAME COMMAND...: heap allocations of one run (memcheck's summary).
allocs() {
	name=$1
	shift
	valgrind --tool=memcheck "$@" >"$work/$name.mlog" 2>&1 || { cat "$work/$name.mlog" >&2; exit 1; }
	sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$work/$name.mlog" | tr -d ,
}
a_fin1=$(allocs afin1 "$lc" --n $n1)
a_fin2=$(allocs afin2 "$lc" --n $n2)
a_bulk1=$(allocs abulk1 "$bulk" --bytes 1M --bufsize 64K --loss 0 --repeat 1 --csv "$work/abulk1.csv")
a_bulk2=$(allocs abulk2 "$bulk" --bytes 8M --bufsize 64K --loss 0 --repeat 1 --csv "$work/abulk2.csv")
asegs1=$(sed -n 2p "$work/abulk1.csv" | cut -d, -f"$col")
asegs2=$(sed -n 2p "$work/abulk2.csv" | cut -d, -f"$col")

per_fin=$(((fin2 - fin1) / (n2 - n1)))
per_rst=$(((rst2 - rst1) / (n2 - n1)))
per_seg=$(((bulk2 - bulk1) / (segs2 - segs1)))
printf '%-44s %12s\n' "callgrind (instructions, set-up cancelled)" "Ir"
printf '%-44s %12s\n' "per lifecycle, graceful close (both ends)" "$per_fin"
printf '%-44s %12s\n' "per lifecycle, RST close (both ends)" "$per_rst"
printf '%-44s %12s\n' "per data segment, established (both ends)" "$per_seg"
alloc_lc=$(awk -v a="$a_fin1" -v b="$a_fin2" -v n=$((n2 - n1)) 'BEGIN { printf "%.2f", (b - a) / n }')
alloc_seg=$(awk -v a="$a_bulk1" -v b="$a_bulk2" -v n=$((asegs2 - asegs1)) 'BEGIN { printf "%.4f", (b - a) / n }')
printf '%-44s %12s\n' "heap allocations per lifecycle (both ends)" "$alloc_lc"
printf '%-44s %12s\n' "heap allocations per data segment" "$alloc_seg"
if [ -n "$csv" ]; then
	[ -s "$csv" ] || echo "metric,instructions" >"$csv"
	{
		echo "per_lifecycle_fin,$per_fin"
		echo "per_lifecycle_rst,$per_rst"
		echo "per_segment_established,$per_seg"
		echo "allocations_per_lifecycle,$alloc_lc"
		echo "allocations_per_segment,$alloc_seg"
	} >>"$csv"
fi
