#!/bin/sh
# Instruction counts (valgrind --tool=callgrind): the same total for the same
# binary and input however busy the machine is, so these figures can be
# tracked from release to release where wall-clock rates cannot.
#
#   bench/callgrind.sh BUILD_DIR [CSV]
#
# Each figure is a difference of two runs that differ only in size, so the
# set-up (stacks, listeners, the handshake, buffers) cancels out:
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

per_fin=$(((fin2 - fin1) / (n2 - n1)))
per_rst=$(((rst2 - rst1) / (n2 - n1)))
per_seg=$(((bulk2 - bulk1) / (segs2 - segs1)))
printf '%-44s %12s\n' "callgrind (instructions, set-up cancelled)" "Ir"
printf '%-44s %12s\n' "per lifecycle, graceful close (both ends)" "$per_fin"
printf '%-44s %12s\n' "per lifecycle, RST close (both ends)" "$per_rst"
printf '%-44s %12s\n' "per data segment, established (both ends)" "$per_seg"
if [ -n "$csv" ]; then
	[ -s "$csv" ] || echo "metric,instructions" >"$csv"
	{
		echo "per_lifecycle_fin,$per_fin"
		echo "per_lifecycle_rst,$per_rst"
		echo "per_segment_established,$per_seg"
	} >>"$csv"
fi
