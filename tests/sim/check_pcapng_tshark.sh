#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Read the simulator's pcapng capture back with tshark: the comments on the
# datagrams that died and on the marked deliveries, and the timestamps.
#
# usage: check_pcapng_tshark.sh SIM_PCAPNG_TSHARK_PROGRAM WORK_DIR
#
# The program (pcapng_tshark.c) carries a TCP transfer over links that lose,
# duplicate, corrupt, tail-drop, partition and drop by script, captured in
# pcapng, and says of every frame whether it was delivered or dropped, when,
# and the comment it must carry. Asserted:
#   1. the file is pcapng and tshark reads it without an error or warning;
#   2. tshark sees exactly as many frames as the program wrote;
#   3. every dropped frame carries its reason as its comment ("lost",
#      "dropped: link queue full", ...), and every delivered frame carries
#      exactly the mark it should ("duplicate", "corrupted") or no comment;
#   4. every timestamp has nanosecond resolution (frame.time_epoch with 9
#      decimals) and is the virtual time the program gave, to the nanosecond;
#   5. random loss and drops for other reasons both occur.
set -u

me=check_pcapng_tshark
. "$(dirname "$0")/tshark_lib.sh"
cap=$dir/sim.pcapng
expected=$dir/expected.txt
rm -f "$cap" "$expected" "$dir"/tshark.*

out=$("$prog" "$cap" "$expected") || die "$prog failed: $out"
echo "$out"
frames=$(printf '%s\n' "$out" | sed -n 's/^frames=\([0-9][0-9]*\)$/\1/p')
[ -n "$frames" ] || die "$prog did not report its frame count"

# pcapng opens with a Section Header Block, type 0x0a0d0d0a.
magic=$(od -An -tx1 -N4 "$cap" | tr -d ' \n')
[ "$magic" = 0a0d0d0a ] || die "$cap is not pcapng (it starts with $magic)"

tshark -r "$cap" -n -T fields -E separator=/t -E occurrence=a \
	-e frame.number -e frame.time_epoch -e frame.comment \
	>"$dir/tshark.fields" 2>"$dir/tshark.err" ||
	die "tshark failed to read $cap: $(cat "$dir/tshark.err")"
# tshark's one note when run as root is no complaint about the file.
if grep -v '^Running as user "root" and group "root"\. This could be dangerous\.$' "$dir/tshark.err" |
	grep -q .; then
	cat "$dir/tshark.err" >&2
	die "tshark complained reading $cap"
fi

awk -F'\t' -v frames="$frames" '
FILENAME ~ /expected\.txt$/ { kind[$1] = $2; when[$1] = $3; want[$1] = $4; nexp++; next }
{ seen[$1] = 1; time[$1] = $2; got[$1] = $3; n++ }
function bad(msg) { print "check_pcapng_tshark: FAIL: " msg > "/dev/stderr"; failed = 1 }
END {
	if (n != frames)
		bad("tshark read " n " frames, the program wrote " frames)
	if (nexp != frames)
		bad("the program described " nexp " frames, and wrote " frames)
	for (f = 1; f <= nexp; f++) {
		if (!(f in seen)) {
			bad("frame " f " (" kind[f] ") is not in the capture")
			continue
		}
		if (time[f] !~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/)
			bad("frame " f ": time " time[f] " is not to the nanosecond")
		else if (time[f] != when[f])
			bad("frame " f ": time " time[f] ", captured at " when[f])
		if (kind[f] == "dropped") {
			drops++
			if (want[f] == "lost")
				lost++
			else if (want[f] ~ /^dropped: /)
				other++
			else
				bad("frame " f ": the program gave the drop an odd reason: \"" want[f] "\"")
			if (got[f] == "")
				bad("frame " f " was " (want[f] == "lost" ? "lost" : "dropped") \
				    " but carries no comment (want \"" want[f] "\")")
			else if (got[f] != want[f])
				bad("frame " f " was dropped: comment \"" got[f] "\", want \"" want[f] "\"")
		} else if (kind[f] == "delivered") {
			if (want[f] == "")
				plain++
			else
				marked++
			if (got[f] != want[f])
				bad("frame " f " was delivered" (want[f] == "" ? "" : " (" want[f] ")") \
				    ": comment \"" got[f] "\", want " (want[f] == "" ? "none" : "\"" want[f] "\""))
		} else {
			bad("frame " f ": unknown kind \"" kind[f] "\"")
		}
	}
	if (lost < 1)
		bad("no frame was lost: the link loss did not happen")
	if (other < 1)
		bad("no frame was dropped for another reason than loss")
	if (marked < 1)
		bad("no delivery was duplicated or corrupted")
	if (plain <= 50)
		bad("only " plain " plain deliveries (need more than 50)")
	if (failed)
		exit 1
	print "check_pcapng_tshark: OK: " n " frames: " drops " dropped (" lost " lost), " marked \
	    " marked deliveries, " plain " plain; comments and nanosecond times as tshark reads them"
}' "$expected" "$dir/tshark.fields" ||
	die "tshark's view of $cap disagrees with the program's (see above)"
