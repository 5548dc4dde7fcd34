#!/bin/sh
# check_pcap.sh SYNFIN WORKDIR
# `synfin demo all --pcap`: one capture per scenario; tshark must read every
# packet as TCP over IP, with no malformed packet, no expert error and good
# IPv4 and TCP checksums (verification on), and the capture must hold every
# segment of the scenario's trace (lost ones included).
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
	tcp=$(tshark -r "$f" -Y 'tcp && (ip || ipv6)' -T fields -e frame.number 2>/dev/null | wc -l)
	bad=$(tshark -r "$f" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-Y '_ws.malformed || _ws.expert.severity == error || tcp.checksum.status != 1 || (ip && ip.checksum.status != 1)' \
		-T fields -e frame.number 2>/dev/null | wc -l)
	want=$("$bin" demo "$id" --json | grep -c '"kind": "segment"')
	if [ "$total" -eq 0 ] || [ "$tcp" -ne "$total" ] || [ "$bad" -ne 0 ] || [ "$total" -ne "$want" ]; then
		echo "FAIL: $id: $total packets, $tcp decoded as TCP, $bad with errors, $want segments in the trace"
		status=1
	else
		echo "ok: $id: $total packets, all TCP, checksums good"
	fi
done
exit $status
