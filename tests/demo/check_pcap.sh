#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_pcap.sh SYNFIN WORKDIR
# `synfin demo all --pcap`: one capture per scenario; tshark must read every
# packet as TCP over IP or as a router's ICMP / ICMPv6 error, with no
# malformed packet, no expert error and good IPv4, TCP and ICMP checksums
# (verification on), and the capture must hold every datagram of
# the scenario's trace (lost ones included). TCP reassembly is off: a
# capture at the sender holds segments lost on the way, which a resend may
# cut at other boundaries.
set -u
bin=$1
work=$2
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark is not installed"; exit 77; }
rm -rf "$work"
mkdir -p "$work"
status=0
"$bin" demo all --check --pcap "$work/demo.pcap" >"$work/check.txt" || { echo "FAIL: demo all --pcap exited $?"; status=1; }
for id in $("$bin" demo --list | awk '{print $1}'); do
	f=$work/demo-$id.pcap
	[ -s "$f" ] || { echo "FAIL: no capture $f"; status=1; continue; }
	total=$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)
	tcp=$(tshark -r "$f" -Y '(tcp || icmp || icmpv6) && (ip || ipv6)' -T fields -e frame.number 2>/dev/null | wc -l)
	# TCP checksums are verified for TCP only: tshark verifies a quoted
	# segment's over what the quote holds, and calls a good one bad.
	bad_tcp=$(tshark -r "$f" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o tcp.desegment_tcp_streams:FALSE \
		-Y '!icmp && !icmpv6 && (_ws.malformed || _ws.expert.severity == error || tcp.checksum.status != 1 ||
		    (ip && ip.checksum.status != 1))' \
		-T fields -e frame.number 2>/dev/null | wc -l)
	bad_icmp=$(tshark -r "$f" -o ip.check_checksum:TRUE -o tcp.desegment_tcp_streams:FALSE \
		-Y '(icmp || icmpv6) && (_ws.malformed || _ws.expert.severity == error || (ip && ip.checksum.status != 1) ||
		    (icmp && icmp.checksum.status != 1) || (icmpv6 && icmpv6.checksum.status != 1))' \
		-T fields -e frame.number 2>/dev/null | wc -l)
	bad=$((bad_tcp + bad_icmp))
	want=$("$bin" demo "$id" --json | grep -c '"kind": "\(segment\|icmp\)"')
	if [ "$total" -eq 0 ] || [ "$tcp" -ne "$total" ] || [ "$bad" -ne 0 ] || [ "$total" -ne "$want" ]; then
		echo "FAIL: $id: $total packets, $tcp decoded as TCP or ICMP, $bad with errors, $want datagrams in the trace"
		status=1
	else
		echo "ok: $id: $total packets, all TCP or ICMP, checksums good"
	fi
done
exit $status
