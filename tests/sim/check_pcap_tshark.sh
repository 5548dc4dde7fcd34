#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Hold the simulator's pcap against tshark's own dissectors and checksum checks.
#
# usage: check_pcap_tshark.sh SIM_PCAP_TSHARK_PROGRAM WORK_DIR
#
# The program plays a scripted TCP exchange (IPv4 and IPv6) over a simulated
# link that corrupts about 10% of datagrams with a single flipped bit and
# duplicates some. It writes the pcap of deliveries, the frame numbers of the
# corrupted ones, and for each of those where the bit was flipped (see
# pcap_tshark.c): "checked", "unprotected" or "reinterpreted".
#
# tshark "flags" a frame when it reports it broken: an expert item of severity
# Error (bad IPv4 or TCP checksum, malformed packet, bogus IP/TCP lengths) or
# "IPv6 payload length exceeds framing length" (after which tshark cannot
# verify the TCP checksum, so that is its only report of such a flip).
# Asserted, exactly:
#   1. every frame not corrupted decodes as IPv4/IPv6 + TCP and is not flagged
#      (so the flagged frames are a subset of the corrupted ones);
#   2. every corrupted frame flipped in a checked field is flagged;
#   3. every corrupted frame flipped in an unprotected IPv6 field (traffic
#      class, flow label, hop limit) decodes as TCP and is NOT flagged: no
#      checksum covers those bits, and pretending otherwise would be a lie;
#   4. every corrupted frame whose IP version or IPv6 next header was flipped
#      no longer decodes as TCP;
#   5. tshark sees exactly as many frames as the simulator delivered, at least
#      one is corrupted and more than 50 are clean.
set -u

me=check_pcap_tshark
. "$(dirname "$0")/tshark_lib.sh"
pcap=$dir/sim.pcap
corrupted=$dir/corrupted.txt
classes=$dir/classes.txt
rm -f "$pcap" "$corrupted" "$classes" "$dir"/*.tshark

out=$("$prog" "$pcap" "$corrupted" "$classes") || die "$prog failed: $out"
echo "$out"
delivered=$(printf '%s\n' "$out" | sed -n 's/^frames=\([0-9][0-9]*\)$/\1/p')
[ -n "$delivered" ] || die "$prog did not report its frame count"

opts=(-n -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE)
# Run one tshark query; the frame numbers matching the filter go to $dir/NAME.tshark.
query() {
	local name=$1 filter=$2
	tshark -r "$pcap" "${opts[@]}" -Y "$filter" -T fields -e frame.number \
		>"$dir/$name.tshark" 2>"$dir/$name.err" ||
		die "tshark failed on filter '$filter': $(cat "$dir/$name.err")"
}
query all 'frame'
query tcp '(ip || ipv6) && tcp'
# 0x00800000 is PI_ERROR, the expert severity "Error".
query flagged '_ws.expert.severity == 0x00800000 || ipv6.plen_exceeds_framing'

# One awk pass over the lists; it prints every violation and exits non-zero on any.
awk -v delivered="$delivered" '
FILENAME ~ /all\.tshark$/     { all[$1] = 1; nall++; next }
FILENAME ~ /tcp\.tshark$/     { tcp[$1] = 1; next }
FILENAME ~ /flagged\.tshark$/ { flagged[$1] = 1; next }
FILENAME ~ /corrupted\.txt$/  { corrupt[$1] = 1; ncorrupt++; next }
FILENAME ~ /classes\.txt$/    { class[$1] = $2; next }
function bad(msg) { print "check_pcap_tshark: FAIL: " msg > "/dev/stderr"; failed = 1 }
END {
	if (nall != delivered)
		bad("tshark read " nall " frames, the simulator delivered " delivered)
	clean = 0
	for (f = 1; f <= nall; f++) {
		if (!(f in corrupt)) {
			clean++
			if (!(f in tcp))
				bad("frame " f " is not corrupted but does not decode as IP + TCP")
			if (f in flagged)
				bad("frame " f " is not corrupted but tshark flags it " \
				    "(bad checksum or malformed)")
			continue
		}
		c = class[f]
		if (c == "checked") {
			if (!(f in flagged))
				bad("frame " f " has a bit flipped in a checked field " \
				    "but tshark does not flag it")
		} else if (c == "unprotected") {
			if (!(f in tcp) || (f in flagged))
				bad("frame " f " has a bit flipped in an unchecksummed IPv6 field " \
				    "and should decode as clean TCP")
		} else if (c == "reinterpreted") {
			if (f in tcp)
				bad("frame " f " had its IP version or next header flipped " \
				    "yet still decodes as TCP")
		} else {
			bad("corrupted frame " f " has no flip class")
		}
	}
	for (f in corrupt)
		if (!(f in all))
			bad("corrupted frame " f " is not in the pcap")
	if (ncorrupt < 1)
		bad("no corrupted frame: the link corruption did not happen")
	if (clean <= 50)
		bad("only " clean " clean frames (need more than 50)")
	if (failed)
		exit 1
	print "check_pcap_tshark: OK: " nall " frames, " clean " clean, " ncorrupt \
	    " corrupted, all as tshark sees them"
}' "$dir/all.tshark" "$dir/tcp.tshark" "$dir/flagged.tshark" "$corrupted" "$classes" ||
	die "tshark's view of $pcap disagrees with the simulator's (see above)"
