#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# synfin against the Linux kernel's TCP over a TUN device, inside a network
# namespace this script creates (and always deletes). Nothing outside the
# namespace is touched: the TUN device, 192.0.2.1/24 and 2001:db8::1/64 (the
# kernel's side) and 192.0.2.2, 2001:db8::2 (synfin) exist only in there,
# with no route out.
#
#   tests/interop/run.sh SYNFIN_BINARY [CHECK...]     (default: all checks)
#
# Each check asserts on the application's results and on a tshark capture
# taken on the TUN device inside the namespace. Needs root (or CAP_NET_ADMIN
# and CAP_SYS_ADMIN), iproute2, python3, tshark, curl, nftables (nft) and hping3.
set -u
SYNFIN=$(readlink -f "${1:?usage: run.sh SYNFIN_BINARY [CHECK...]}")
shift
HERE=$(cd "$(dirname "$0")" && pwd)
PEER="$HERE/peer.py"
NS="synfin-$$-$RANDOM"
DEV=sf0
K=192.0.2.1 # the kernel
S=192.0.2.2 # synfin
K6=2001:db8::1 # the kernel, IPv6 (documentation prefix, inside the namespace only)
S6=2001:db8::2 # synfin, IPv6
# The routed path (routed_up): synfin -TUN- the namespace above as router R1
# -1280-byte link- router R2 ($NSR) -1500-byte link- a kernel peer ($NSP).
NSR="$NS-r"
NSP="$NS-p"
P=203.0.113.2 # the peer behind the routers
P6=2001:db8:2::2
ROUTED=0
WORK=$(mktemp -d /tmp/synfin-interop.XXXXXX)
PIDS=()
FAILED=0
SUITE_START=$(date +%s)

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null; kill -9 "$p" 2>/dev/null; done
	for n in "$NSP" "$NSR" "$NS"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns delete "$n" 2>/dev/null
	done
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { command -v "$1" >/dev/null || { echo "interop: $1 is missing" >&2; exit 1; }; }
need ip
need python3
need tshark
need curl
need nft
[ "$(id -u)" = 0 ] || { echo "interop: needs root for ip netns and TUN" >&2; exit 1; }
[ -c /dev/net/tun ] || { echo "interop: /dev/net/tun is missing" >&2; exit 1; }

NX() { ip netns exec "$NS" "$@"; }
log() { echo "[$(( $(date +%s) - SUITE_START ))s] $*"; }
fail() { echo "  FAIL: $*"; CHECK_OK=0; }
pass() { echo "  ok: $*"; }

ip netns add "$NS" || exit 1
NX ip link set lo up
NX ip tuntap add dev $DEV mode tun
NX ip addr add $K/24 dev $DEV
# nodad: usable at once (a TUN device has no neighbours to ask anyway).
NX ip -6 addr add $K6/64 dev $DEV nodad
NX ip link set $DEV up
# Never let the kernel delay or batch our peers' first segments oddly.
NX sysctl -qw net.ipv4.tcp_syn_retries=3

set_mtu() { NX ip link set $DEV mtu "$1"; }

# routed_up: the routers and the peer, once. Everything lives in the three
# namespaces; the addresses are documentation prefixes with no route out.
routed_up() {
	[ $ROUTED = 1 ] && return 0
	ROUTED=1
	ip netns add "$NSR" && ip netns add "$NSP" || return 1
	ip -n "$NS" link add r1 mtu 1280 type veth peer name r2 netns "$NSR" mtu 1280 &&
		ip -n "$NSR" link add r2p type veth peer name p0 netns "$NSP" || return 1
	NX sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip netns exec "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	NX ip addr add 198.51.100.1/30 dev r1
	NX ip -6 addr add 2001:db8:1::1/64 dev r1 nodad
	NX ip link set r1 up
	NX ip route add 203.0.113.0/24 via 198.51.100.2
	NX ip -6 route add 2001:db8:2::/64 via 2001:db8:1::2
	ip -n "$NSR" link set lo up
	ip -n "$NSR" addr add 198.51.100.2/30 dev r2
	ip -n "$NSR" -6 addr add 2001:db8:1::2/64 dev r2 nodad
	ip -n "$NSR" addr add 203.0.113.1/24 dev r2p
	ip -n "$NSR" -6 addr add 2001:db8:2::1/64 dev r2p nodad
	ip -n "$NSR" link set r2 up
	ip -n "$NSR" link set r2p up
	ip -n "$NSR" route add 192.0.2.0/24 via 198.51.100.1
	ip -n "$NSR" -6 route add 2001:db8::/64 via 2001:db8:1::1
	ip -n "$NSP" link set lo up
	ip -n "$NSP" addr add $P/24 dev p0
	ip -n "$NSP" -6 addr add $P6/64 dev p0 nodad
	ip -n "$NSP" link set p0 up
	ip -n "$NSP" route add default via 203.0.113.1
	ip -n "$NSP" -6 route add default via 2001:db8:2::1
	ip netns exec "$NSP" ping -c 1 -W 2 198.51.100.1 >/dev/null || echo "  (the routed path does not answer yet)"
}
PX() { ip netns exec "$NSP" "$@"; }

# start_synfin NAME ARGS... : synfin in the background, log in $WORK/NAME.log
start_synfin() {
	local name=$1; shift
	# `ip netns exec` execs the command, so $! is synfin itself (signals reach it).
	ip netns exec "$NS" "$SYNFIN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
	SYNFIN_PID=$!
	PIDS+=("$SYNFIN_PID")
}
wait_for() { # wait_for FILE PATTERN SECONDS
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
wait_file() { # wait_file FILE SECONDS
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
stop_pid() { # stop_pid PID: SIGTERM, bounded wait
	kill "$1" 2>/dev/null
	timeout 5 tail --pid="$1" -f /dev/null 2>/dev/null || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cap_start() { # cap_start NAME: tshark on the TUN device, at most 100 s
	CAP="$WORK/$1.pcapng"
	ip netns exec "$NS" tshark -i $DEV -w "$CAP" -a duration:100 -s 200 >"$WORK/$1.tshark.log" 2>&1 &
	CAP_PID=$!
	PIDS+=("$CAP_PID")
	wait_for "$WORK/$1.tshark.log" "Capturing on" 10 || echo "  (tshark slow to start)"
	sleep 0.2
}
cap_stop() {
	sleep 0.3
	kill -INT "$CAP_PID" 2>/dev/null
	timeout 10 tail --pid="$CAP_PID" -f /dev/null 2>/dev/null || kill -9 "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
}
# fields FILTER FIELD... : one line per packet of the last capture, tab-separated
fields() {
	local filter=$1; shift
	local args=()
	for f in "$@"; do args+=(-e "$f"); done
	tshark -r "$CAP" -Y "$filter" -T fields "${args[@]}" 2>/dev/null
}
count() { fields "$1" frame.number | wc -l; }
first() { fields "$1" frame.number | head -1; }

# ---------------------------------------------------------------------------
# echo_through NAME ADDR NBYTES: synfin's echo server on ADDR port 7 (log in
# $WORK/NAME.log), the kernel echoes NBYTES through it and closes first; the
# trace must end in LAST-ACK -> CLOSED. The server is left running.
echo_through() {
	start_synfin "$1" serve --tun $DEV --addr "$2" --port 7 --msl 1000 --trace echo
	wait_for "$WORK/$1.log" "serving" 5 || fail "synfin did not start"
	out=$(NX python3 "$PEER" echo "$2" 7 "$3")
	echo "  $out"
	[[ $out == OK* ]] || fail "echo of $3 bytes to $2"
	wait_for "$WORK/$1.log" "LAST-ACK -> CLOSED" 5 || fail "no LAST-ACK -> CLOSED in the trace"
}

check_echo() { # 1. kernel client -> synfin echo server, 1 MB, kernel closes first
	cap_start echo
	echo_through echo $S 1048576
	grep -q "ESTABLISHED -> CLOSE-WAIT" "$WORK/echo.log" && grep -q "CLOSE-WAIT -> LAST-ACK" "$WORK/echo.log" &&
		pass "trace: ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED" || fail "trace lacks CLOSE-WAIT -> LAST-ACK"
	stop_pid $SYNFIN_PID
	cap_stop
	[ "$(count "ip.src==$K && tcp.flags==0x002 && tcp.dstport==7")" = 1 ] &&
		[ "$(count "ip.src==$S && tcp.flags==0x012 && tcp.srcport==7")" = 1 ] &&
		pass "capture: one SYN from the kernel, one SYN,ACK from synfin" || fail "capture: handshake"
	local kfin sfin
	kfin=$(first "ip.src==$K && tcp.flags.fin==1")
	sfin=$(first "ip.src==$S && tcp.flags.fin==1")
	[ -n "$kfin" ] && [ -n "$sfin" ] && [ "$kfin" -lt "$sfin" ] && pass "capture: kernel FIN (frame $kfin) before synfin FIN (frame $sfin)" ||
		fail "capture: FIN order kernel=$kfin synfin=$sfin"
	[ "$(count "tcp.flags.reset==1")" = 0 ] && pass "capture: no RST" || fail "capture: RST seen"
	local bytes
	bytes=$(fields "ip.src==$S && tcp.srcport==7" tcp.len | awk '{s+=$1} END {print s+0}')
	[ "$bytes" -ge 1048576 ] && pass "capture: synfin sent $bytes payload bytes" || fail "capture: synfin sent only $bytes bytes"
}

check_timewait() { # 2. synfin client -> kernel server, synfin closes first -> TIME-WAIT
	cap_start tw
	ip netns exec "$NS" python3 "$PEER" server $K 9000 0 >"$WORK/tw.srv" 2>&1 &
	local srv=$!; PIDS+=("$srv")
	wait_for "$WORK/tw.srv" LISTENING 5
	echo "hello from synfin" >"$WORK/tw.in"
	ip netns exec "$NS" "$SYNFIN" connect --tun $DEV --addr $S --msl 1500 --trace --trace-json "$WORK/tw.jsonl" $K 9000 \
		<"$WORK/tw.in" >"$WORK/tw.out" 2>"$WORK/tw.log" &
	local cli=$!; PIDS+=("$cli")
	if wait_for "$WORK/tw.log" "-> TIME-WAIT" 10; then
		kill -USR1 $cli
		wait_for "$WORK/tw.log" "^TIME-WAIT .*$K:9000" 3 && pass "table (SIGUSR1): $(grep "^TIME-WAIT" "$WORK/tw.log" | tr -s ' ')" ||
			fail "no TIME-WAIT row in the SIGUSR1 table"
	else
		fail "synfin never reached TIME-WAIT"
	fi
	grep -q "ESTABLISHED -> FIN-WAIT-1" "$WORK/tw.log" && grep -q "FIN-WAIT-2 -> TIME-WAIT" "$WORK/tw.log" &&
		pass "trace: ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT" || fail "trace: active close path"
	timeout 10 tail --pid=$cli -f /dev/null
	wait $cli; local rc=$?
	[ $rc = 0 ] && grep -q "TIME-WAIT -> CLOSED (2MSL timeout)" "$WORK/tw.log" && pass "TIME-WAIT ended by the 2MSL timer, exit 0" ||
		fail "connect exit $rc / no 2MSL end"
	# The counters at exit, as nstat prints them: one active open, one TIME-WAIT run to its end.
	grep -q "^TcpActiveOpens  *1 " "$WORK/tw.log" && grep -q "^TcpExtTW  *1 " "$WORK/tw.log" &&
		pass "counters at exit (nstat): $(grep -E "^Tcp(ActiveOpens|ExtTW) " "$WORK/tw.log" | tr -s ' ' | tr '\n' ' ')" ||
		fail "no nstat counters at exit"
	python3 -c 'import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert any(e["event"] == "state" and e["to"] == "TIME-WAIT" for e in evs)
assert any(e["event"] == "timer" and e["timer"] == "TIME_WAIT" for e in evs)
print(len(evs))' "$WORK/tw.jsonl" >"$WORK/tw.jsonl.n" 2>&1 &&
		pass "JSON trace: $(cat "$WORK/tw.jsonl.n") lines, TIME-WAIT and its 2MSL timer in them" ||
		fail "JSON trace: $(tail -1 "$WORK/tw.jsonl.n")"
	wait $srv
	grep -q "^sha256=$(sha256sum <"$WORK/tw.in" | cut -d' ' -f1) n=18" "$WORK/tw.out" && pass "kernel got the data, synfin printed its answer" ||
		fail "answer: $(cat "$WORK/tw.out")"
	cap_stop
	local sfin kfin
	sfin=$(first "ip.src==$S && tcp.flags.fin==1")
	kfin=$(first "ip.src==$K && tcp.flags.fin==1")
	[ -n "$kfin" ] && [ -n "$sfin" ] && [ "$sfin" -lt "$kfin" ] && pass "capture: synfin FIN (frame $sfin) before kernel FIN (frame $kfin)" ||
		fail "capture: FIN order synfin=$sfin kernel=$kfin"
	# synfin never resets. The kernel may: if its FIN was retransmitted before
	# our ACK reached it, TIME-WAIT re-ACKs the copy (RFC 9293 §3.10.7.4) and
	# that ACK finds the kernel already CLOSED, which answers it with a RST
	# (ignored in TIME-WAIT, RFC 1337). Any kernel RST must come after that.
	local krst
	krst=$(first "ip.src==$K && tcp.flags.reset==1")
	[ "$(count "ip.src==$S && tcp.flags.reset==1")" = 0 ] && { [ -z "$krst" ] || [ "$krst" -gt "$kfin" ]; } &&
		pass "capture: no RST from synfin${krst:+ (a kernel RST, frame $krst, answers a re-ACK after it closed)}" ||
		fail "capture: unexpected RST"
}

check_halfclose() { # 3. half-close in both directions
	cap_start half
	start_synfin half serve --tun $DEV --addr $S --port 7 --msl 1000 echo
	wait_for "$WORK/half.log" "serving" 5 || fail "synfin did not start"
	out=$(NX python3 "$PEER" halfclose $S 7 200000)
	echo "  $out"
	[[ $out == OK* ]] || fail "kernel half-close: echo after FIN"
	stop_pid $SYNFIN_PID
	# synfin half-closes: the kernel answers after synfin's FIN
	ip netns exec "$NS" python3 "$PEER" server $K 9001 100000 >"$WORK/half.srv" 2>&1 &
	local srv=$!; PIDS+=("$srv")
	wait_for "$WORK/half.srv" LISTENING 5
	head -c 150000 /dev/urandom >"$WORK/half.in"
	timeout 20 ip netns exec "$NS" "$SYNFIN" connect --tun $DEV --addr $S --msl 500 $K 9001 <"$WORK/half.in" >"$WORK/half.out" 2>"$WORK/half.clog"
	local rc=$?
	wait $srv
	local want
	want="sha256=$(sha256sum <"$WORK/half.in" | cut -d' ' -f1) n=150000"
	[ $rc = 0 ] && [ "$(head -1 "$WORK/half.out")" = "$want" ] && [ "$(tail -n +2 "$WORK/half.out" | wc -c)" = 100000 ] &&
		pass "synfin half-close: kernel read 150000 bytes to EOF, then sent 100057 bytes that synfin received" ||
		fail "synfin half-close: rc=$rc $(head -c 100 "$WORK/half.out")"
	cap_stop
	# Data flowed towards the side that had already sent its FIN, both ways.
	local kfin sfin
	kfin=$(first "ip.src==$K && tcp.dstport==7 && tcp.flags.fin==1")
	sfin=$(first "ip.src==$S && tcp.dstport==9001 && tcp.flags.fin==1")
	[ -n "$kfin" ] && [ "$(count "frame.number > $kfin && ip.src==$S && tcp.srcport==7 && tcp.len>0")" -gt 0 ] &&
		pass "capture: synfin sent data after the kernel's FIN" || fail "capture: no data after the kernel's FIN"
	[ -n "$sfin" ] && [ "$(count "frame.number > $sfin && ip.src==$K && tcp.srcport==9001 && tcp.len>0")" -gt 0 ] &&
		pass "capture: the kernel sent data after synfin's FIN" || fail "capture: no data after synfin's FIN"
}

check_http() { # 4. curl downloads 10 MB from synfin's http server
	local n=10485760
	cap_start http
	start_synfin http serve --tun $DEV --addr $S --port 80 --msl 1000 --idle-timeout 2 http
	wait_for "$WORK/http.log" "serving" 5 || fail "synfin did not start"
	local speed
	speed=$(NX curl -sS --max-time 60 -o "$WORK/body" -w '%{speed_download}' "http://$S/bytes/$n")
	local want got
	want=$(python3 "$PEER" body $n)
	got=$(sha256sum <"$WORK/body" | cut -d' ' -f1)
	[ "$got" = "$want" ] && [ "$(stat -c %s "$WORK/body")" = $n ] &&
		pass "10 MB body, sha256 $got matches; $(awk -v s="$speed" 'BEGIN {printf "%.1f MB/s", s/1e6}')" ||
		fail "body sha256 $got, want $want"
	echo "$speed" >"$WORK/http.speed"
	HTTP_SPEED=$speed
	page=$(NX curl -sS --max-time 10 "http://$S/")
	[[ $page == *"<h1>synfin</h1>"* ]] && pass "GET / returns the page" || fail "GET /"
	# Persistent connections (RFC 9112 §9.3): curl's two requests share one.
	local kc
	kc=$(NX curl -sS --max-time 10 -o /dev/null -o /dev/null -w '%{http_code} %{num_connects} ' "http://$S/" "http://$S/bytes/100000")
	[ "$kc" = "200 1 200 0 " ] && pass "keep-alive: curl's two requests on one connection ($kc)" || fail "keep-alive: curl says '$kc'"
	out=$(NX python3 "$PEER" keepalive $S 80)
	[[ $(echo "$out" | tail -1) == OK* ]] && pass "keep-alive: $(echo "$out" | tail -1 | cut -c4-)" || fail "keep-alive: $out"
	stop_pid $SYNFIN_PID
	cap_stop
	# As in check 2: synfin never resets; a kernel RST may only answer a
	# TIME-WAIT re-ACK that reached it after it closed (after its FIN).
	local hfin hrst
	hfin=$(first "ip.src==$K && tcp.flags.fin==1")
	hrst=$(first "ip.src==$K && tcp.flags.reset==1")
	[ "$(count "ip.src==$S && tcp.flags.reset==1")" = 0 ] && { [ -z "$hrst" ] || { [ -n "$hfin" ] && [ "$hrst" -gt "$hfin" ]; }; } &&
		pass "capture: no RST from synfin" || fail "capture: unexpected RST"
	# Eight handshakes: two single GETs, curl's two requests on one, the
	# peer's five connections.
	[ "$(count "ip.src==$S && tcp.flags==0x012")" = 8 ] && pass "capture: eight handshakes, curl's two requests having shared one" ||
		fail "capture: $(count "ip.src==$S && tcp.flags==0x012") SYN,ACKs, not 8"
	# The connection persists after the 10 MB body: curl closes it, first.
	local sfin kfin
	sfin=$(first "ip.src==$S && tcp.flags.fin==1")
	kfin=$(first "ip.src==$K && tcp.flags.fin==1")
	[ -n "$sfin" ] && [ -n "$kfin" ] && [ "$kfin" -lt "$sfin" ] && pass "capture: the client's FIN came first (the connection persisted)" ||
		fail "capture: FIN order"
}

check_refused() { # 5. closed ports in both directions
	cap_start refused
	start_synfin refused serve --tun $DEV --addr $S --port 7 echo
	wait_for "$WORK/refused.log" "serving" 5 || fail "synfin did not start"
	out=$(NX python3 "$PEER" refused $S 81)
	echo "  $out"
	[[ $out == "OK ECONNREFUSED" ]] || fail "kernel connect to a closed synfin port"
	stop_pid $SYNFIN_PID
	timeout 20 ip netns exec "$NS" "$SYNFIN" connect --tun $DEV --addr $S $K 9 </dev/null >/dev/null 2>"$WORK/refused.clog"
	local rc=$?
	[ $rc = 1 ] && grep -q -- "-ECONNREFUSED" "$WORK/refused.clog" && pass "synfin connect: $(grep ECONNREFUSED "$WORK/refused.clog")" ||
		fail "synfin connect to a closed kernel port: rc=$rc $(cat "$WORK/refused.clog")"
	cap_stop
	[ "$(count "ip.src==$S && tcp.srcport==81 && tcp.flags.reset==1 && tcp.flags.ack==1")" = 1 ] &&
		pass "capture: synfin answered the SYN to port 81 with RST,ACK" || fail "capture: no RST from synfin"
	[ "$(count "ip.src==$K && tcp.srcport==9 && tcp.flags.reset==1")" = 1 ] &&
		pass "capture: the kernel answered synfin's SYN to port 9 with RST" || fail "capture: no RST from the kernel"
}

check_restart() { # 6. synfin restarted under a live connection: RST
	cap_start restart
	start_synfin restart1 serve --tun $DEV --addr $S --port 7 echo
	wait_for "$WORK/restart1.log" "serving" 5 || fail "synfin did not start"
	rm -f "$WORK/step1" "$WORK/step2"
	ip netns exec "$NS" python3 "$PEER" reset $S 7 "$WORK/step1" "$WORK/step2" >"$WORK/restart.py" 2>&1 &
	local py=$!; PIDS+=("$py")
	wait_file "$WORK/step1" 10 || fail "no first echo"
	stop_pid $SYNFIN_PID
	# The table at exit, as ss -tanoi: the connection with its details, the listener with its queues.
	grep -A1 "^ESTAB .*$S:7 .*$K:" "$WORK/restart1.log" | grep -q "	 .*rto:.* mss:1448 .*bytes_received:" &&
		grep -A1 "^LISTEN .*$S:7 " "$WORK/restart1.log" | grep -q "	 synq:0 accept:0/128" &&
		pass "table at exit: ESTAB with its details, LISTEN with its queues" ||
		fail "exit table: $(cat "$WORK/restart1.log")"
	start_synfin restart2 serve --tun $DEV --addr $S --port 7 --trace echo
	wait_for "$WORK/restart2.log" "serving" 5 || fail "synfin did not restart"
	touch "$WORK/step2"
	timeout 25 tail --pid=$py -f /dev/null
	wait $py
	out=$(cat "$WORK/restart.py")
	echo "  $out"
	[[ $out == "OK ECONNRESET" ]] || fail "the kernel's send after the restart"
	stop_pid $SYNFIN_PID
	cap_stop
	[ "$(count "ip.src==$S && tcp.flags.reset==1")" -ge 1 ] && pass "capture: the new synfin answered with RST" || fail "capture: no RST"
}

check_backlog() { # 7. accept-queue overflow: 50 clients, backlog 4, slow accept
	cap_start backlog
	start_synfin backlog serve --tun $DEV --addr $S --port 7 --backlog 4 --accept-delay 20 --trace echo
	wait_for "$WORK/backlog.log" "serving" 5 || fail "synfin did not start"
	out=$(NX python3 "$PEER" many $S 7 50)
	echo "  $out"
	[[ $out == OK* ]] || fail "50 clients"
	local ovf
	ovf=$(grep -c "LISTEN_OVERFLOW" "$WORK/backlog.log")
	[ "$ovf" -gt 0 ] && pass "trace: the accept queue overflowed ($ovf drops)" || fail "the queue never overflowed (test too weak)"
	stop_pid $SYNFIN_PID
	cap_stop
	[ "$(count "tcp.flags.reset==1")" = 0 ] && pass "capture: no RST" || fail "capture: $(count "tcp.flags.reset==1") RSTs"
	local syns
	syns=$(count "ip.src==$K && tcp.flags==0x002")
	[ "$syns" -ge 50 ] && pass "capture: $syns SYNs from the kernel for 50 connections" || fail "capture: only $syns SYNs"
}

check_mss() { # 8. MSS follows the TUN MTU
	local mtu mss
	for mtu in 1280 9000; do
		mss=$((mtu - 40))
		set_mtu $mtu
		cap_start mss$mtu
		start_synfin mss$mtu serve --tun $DEV --addr $S --port 7 echo
		wait_for "$WORK/mss$mtu.log" "serving" 5 || fail "synfin did not start"
		out=$(NX python3 "$PEER" echo $S 7 300000)
		[[ $out == OK* ]] || fail "echo at MTU $mtu"
		stop_pid $SYNFIN_PID
		cap_stop
		local k s maxs maxk
		k=$(fields "ip.src==$K && tcp.flags==0x002" tcp.options.mss_val)
		s=$(fields "ip.src==$S && tcp.flags==0x012" tcp.options.mss_val)
		maxs=$(fields "ip.src==$S" tcp.len | sort -n | tail -1)
		maxk=$(fields "ip.src==$K" tcp.len | sort -n | tail -1)
		[ "$k" = $mss ] && [ "$s" = $mss ] && [ "$maxs" -le $mss ] && [ "$maxk" -le $mss ] && [ "$maxs" -gt $((mss - 100)) ] &&
			pass "MTU $mtu: SYN MSS $k, SYN,ACK MSS $s, largest segments synfin $maxs / kernel $maxk bytes" ||
			fail "MTU $mtu: SYN MSS '$k', SYN,ACK MSS '$s', largest synfin $maxs kernel $maxk"
	done
	set_mtu 1500
}

check_twreuse() { # 9. a new SYN on a 4-tuple synfin holds in TIME-WAIT
	local mode expect
	for mode in default strict; do
		expect=accept; local extra=()
		[ $mode = strict ] && expect=refuse && extra=(--strict-time-wait)
		cap_start tw$mode
		start_synfin tw$mode serve --tun $DEV --addr $S --port 80 --msl 15000 --trace "${extra[@]}" http
		wait_for "$WORK/tw$mode.log" "serving" 5 || fail "synfin did not start"
		out=$(NX python3 "$PEER" twreuse $S 80 40000 $expect)
		echo "  $mode: $(echo "$out" | tail -1)"
		[[ $(echo "$out" | tail -1) == OK* ]] || fail "$mode: $out"
		stop_pid $SYNFIN_PID
		cap_stop
		if [ $mode = default ]; then
			grep -q "TIME-WAIT -> CLOSED (new SYN reopens" "$WORK/twdefault.log" && pass "trace: TIME-WAIT -> CLOSED (new SYN reopens the 4-tuple)" || fail "trace: no reopen"
			[ "$(count "ip.src==$S && tcp.flags==0x012 && tcp.dstport==40000")" = 2 ] && pass "capture: two SYN,ACKs to port 40000" || fail "capture: SYN,ACK count"
		else
			grep -q "TIME_WAIT_SYN" "$WORK/twstrict.log" && pass "trace: drop TIME_WAIT_SYN" || fail "trace: no TIME_WAIT_SYN"
			[ "$(count "ip.src==$S && tcp.flags==0x012 && tcp.dstport==40000")" = 1 ] &&
				syn2=$(fields "ip.src==$K && tcp.flags==0x002 && tcp.srcport==40000" frame.number | sed -n 2p) &&
				[ -n "$syn2" ] && [ "$(count "ip.src==$S && tcp.flags==0x010 && tcp.len==0 && tcp.dstport==40000 && frame.number > $syn2")" -ge 1 ] &&
				pass "capture: one SYN,ACK only; the second SYN got a bare ACK" || fail "capture: strict mode"
		fi
	done
}

check_simopen() { # 10. simultaneous open: each side connect()s to the other, the SYNs cross
	cap_start simopen
	rm -f "$WORK/ready"
	ip netns exec "$NS" python3 "$PEER" simopen 6000 $S 7000 "$WORK/ready" >"$WORK/simopen.py" 2>&1 &
	local py=$!; PIDS+=("$py")
	wait_file "$WORK/ready" 5 || fail "the kernel side did not start"
	echo ping >"$WORK/ping"
	# The kernel's first SYN is lost (no process holds the device yet); synfin
	# holds its own SYN until the kernel's retransmitted one arrives, so the
	# two cross as in RFC 9293 Figure 8.
	timeout 20 ip netns exec "$NS" "$SYNFIN" connect --tun $DEV --addr $S --lport 7000 --msl 500 --hold-syn --trace $K 6000 <"$WORK/ping" >"$WORK/simopen.out" 2>"$WORK/simopen.log"
	local rc=$?
	timeout 25 tail --pid=$py -f /dev/null
	wait $py
	out=$(cat "$WORK/simopen.py")
	echo "  $out"
	[ $rc = 0 ] && [[ $out == OK* ]] && [ "$(cat "$WORK/simopen.out")" = pong ] && pass "both connect()ed, no listener: ping/pong exchanged" ||
		fail "simultaneous open rc=$rc out=$(cat "$WORK/simopen.out")"
	cap_stop
	# Both sides sent a SYN and a SYN,ACK from their connecting ports.
	[ "$(count "ip.src==$S && tcp.srcport==7000 && tcp.flags==0x002")" -ge 1 ] &&
		[ "$(count "ip.src==$K && tcp.srcport==6000 && tcp.flags==0x002")" -ge 1 ] &&
		[ "$(count "ip.src==$K && tcp.srcport==6000 && tcp.flags==0x012")" -ge 1 ] &&
		[ "$(count "ip.src==$S && tcp.srcport==7000 && tcp.flags==0x012")" -ge 1 ] &&
		pass "capture: SYN and SYN,ACK from each side (no listener anywhere)" || fail "capture: simultaneous open"
	grep -q "SYN-SENT -> SYN-RECEIVED" "$WORK/simopen.log" && grep -q "SYN-RECEIVED -> ESTABLISHED" "$WORK/simopen.log" &&
		pass "trace: synfin SYN-SENT -> SYN-RECEIVED -> ESTABLISHED" || fail "trace: synfin states"
}

check_ipv6() { # 11. the echo of check 1 over IPv6, and synfin's MSS for it
	set_mtu 1500
	cap_start ipv6
	echo_through ipv6 $S6 262144
	stop_pid $SYNFIN_PID
	cap_stop
	# RFC 9293 §3.7.1: MSS = MTU - 40 (IPv6 header) - 20 (TCP header).
	local mss
	mss=$(fields "ipv6.src==$S6 && tcp.flags==0x012" tcp.options.mss_val | head -1)
	[ "$mss" = 1440 ] && pass "capture: synfin's SYN,ACK over IPv6 carries MSS 1440" || fail "capture: MSS '$mss' over IPv6"
	[ "$(count "tcp.flags.reset==1")" = 0 ] && pass "capture: no RST" || fail "capture: RST seen"
	local bytes
	bytes=$(fields "ipv6.src==$S6 && tcp.srcport==7" tcp.len | awk '{s+=$1} END {print s+0}')
	[ "$bytes" -ge 262144 ] && pass "capture: synfin sent $bytes payload bytes over IPv6" ||
		fail "capture: synfin sent only $bytes bytes over IPv6"
}

check_modes() { # 12. serve's discard (RFC 863) and chargen (RFC 864) modes
	start_synfin discard serve --tun $DEV --addr $S --port 9 --msl 1000 --trace discard
	wait_for "$WORK/discard.log" "serving" 5 || fail "synfin discard did not start"
	out=$(NX python3 "$PEER" discard $S 9 1048576)
	echo "  $out"
	[[ $out == OK* ]] || fail "discard"
	wait_for "$WORK/discard.log" "LAST-ACK -> CLOSED" 5 && ! grep -q "RST" "$WORK/discard.log" &&
		pass "discard: CLOSE-WAIT -> LAST-ACK -> CLOSED, no reset" || fail "discard: trace"
	stop_pid $SYNFIN_PID

	start_synfin chargen serve --tun $DEV --addr $S --port 19 --msl 1000 --trace chargen
	wait_for "$WORK/chargen.log" "serving" 5 || fail "synfin chargen did not start"
	out=$(NX python3 "$PEER" chargen $S 19 200000)
	echo "  $out"
	[[ $out == OK* ]] || fail "chargen"
	stop_pid $SYNFIN_PID
}

check_marks() { # 13. --ttl and --tos: every synfin segment carries them (MUST-48, MUST-49)
	local addr src ttlf tosf got
	for addr in $S $S6; do
		if [ $addr = $S ]; then src="ip.src==$S"; ttlf=ip.ttl; tosf=ip.dsfield; else
			src="ipv6.src==$S6"; ttlf=ipv6.hlim; tosf=ipv6.tclass; fi
		cap_start marks
		start_synfin marks serve --tun $DEV --addr $addr --port 7 --msl 1000 --ttl 33 --tos 72 echo
		wait_for "$WORK/marks.log" "serving" 5 || fail "synfin did not start"
		out=$(NX python3 "$PEER" echo $addr 7 100000)
		[[ $out == OK* ]] || fail "echo through $addr"
		stop_pid $SYNFIN_PID
		cap_stop
		got=$(fields "$src && tcp" $ttlf $tosf | sort | uniq -c | sed 's/^ *//')
		# 72 = DSCP 18 (AF21), ECN bits clear: tshark shows the byte in hex.
		[ "$(echo "$got" | wc -l)" = 1 ] && [[ $got =~ [[:space:]]33[[:space:]]0x0*48$ ]] &&
			pass "$addr: every segment from synfin has TTL 33 and TOS 0x48 ($got)" ||
			fail "$addr: TTL/TOS of synfin's segments: $got"
	done
}

check_urgent() { # 14. urgent data both ways (RFC 9293 §3.8.5): the kernel's pointer and ours mean the same octet
	cap_start urgent
	start_synfin urgent serve --tun $DEV --addr $S --port 7 --msl 1000 echo
	wait_for "$WORK/urgent.log" "serving" 5 || fail "synfin did not start"
	out=$(NX python3 "$PEER" oob_echo $S 7)
	echo "  $out"
	[[ $out == OK* ]] && pass "kernel -> synfin: the urgent byte arrives inline, in order" || fail "oob_echo"
	stop_pid $SYNFIN_PID
	ip netns exec "$NS" python3 "$PEER" oob_server $K 9002 6 >"$WORK/oob.srv" 2>&1 &
	local srv=$!; PIDS+=("$srv")
	wait_for "$WORK/oob.srv" LISTENING 5
	printf 'hello!' >"$WORK/oob.in"
	NX timeout 20 "$SYNFIN" connect --tun $DEV --addr $S --msl 500 --urgent $K 9002 <"$WORK/oob.in" >"$WORK/oob.out" 2>"$WORK/oob.log"
	wait $srv
	# The kernel (urgent data not inline) hands the last urgent byte to MSG_OOB alone.
	grep -q "OK oob_server normal=b'hello' oob=b'!' rest=b''" "$WORK/oob.srv" &&
		pass "synfin -> kernel: $(grep ^OK "$WORK/oob.srv")" || fail "synfin's urgent pointer: $(cat "$WORK/oob.srv")"
	cap_stop
	local kup sup
	kup=$(fields "ip.src==$K && tcp.flags.urg==1 && tcp.len>0" tcp.urgent_pointer tcp.len | head -1)
	sup=$(fields "ip.src==$S && tcp.flags.urg==1 && tcp.len>0" tcp.urgent_pointer tcp.len | head -1)
	[ -n "$kup" ] && [ -n "$sup" ] && pass "capture: URG pointer/length kernel '$kup', synfin '$sup'" ||
		fail "capture: no URG segment (kernel '$kup', synfin '$sup')"
}

check_segsize() { # 15. MUST-16: with SACK blocks on its data, no datagram from synfin exceeds the MTU
	cap_start segsize
	start_synfin segsize serve --tun $DEV --addr $S --port 7 --msl 1000 --drop-every 40 echo
	wait_for "$WORK/segsize.log" "serving" 5 || fail "synfin did not start"
	out=$(NX python3 "$PEER" echo $S 7 2000000)
	echo "  $out"
	[[ $out == OK* ]] || fail "echo of 2 MB through a lossy path"
	stop_pid $SYNFIN_PID
	cap_stop
	local sacked maxlen maxsacked
	sacked=$(count "ip.src==$S && tcp.len>0 && tcp.options.sack_le")
	maxlen=$(fields "ip.src==$S" ip.len | sort -n | tail -1)
	maxsacked=$(fields "ip.src==$S && tcp.len>0 && tcp.options.sack_le" ip.len | sort -n | tail -1)
	[ "$sacked" -gt 0 ] && [ "$maxlen" -le 1500 ] && [ "$maxsacked" = 1500 ] &&
		pass "$sacked data segments from synfin carried SACK blocks; the largest datagram $maxlen bytes (with SACK: $maxsacked)" ||
		fail "data with SACK: $sacked segments, largest datagram $maxlen, with SACK $maxsacked (MTU 1500)"
}

check_ecn() { # 16. ECN (RFC 3168) with the kernel, asked for by either side, CE marks echoed both ways
	# The sysctl belongs to the namespace; it goes back to the namespace's
	# default (2) at the end, as the checks after this one expect.
	NX sysctl -qw net.ipv4.tcp_ecn=1
	# (a) The kernel asks; synfin serve agrees by default (cfg.ecn 2).
	cap_start ecn
	echo_through ecn $S 300000
	stop_pid $SYNFIN_PID
	# (b) synfin connect --ecn asks; the kernel agrees. On the way, nftables
	# marks every 8th ECT(0) segment CE, as a congested router would (§5):
	# the kernel's as it leaves for synfin (the capture, taken after, shows
	# the mark), synfin's as it arrives (the capture, taken before, does not).
	NX nft -f - <<-EOF
		table ip synfin_ecn {
			chain out { type filter hook postrouting priority 0; oifname "$DEV" tcp sport 9002 ip ecn ect0 numgen inc mod 8 == 0 ip ecn set ce; }
			chain in { type filter hook prerouting priority 0; iifname "$DEV" tcp dport 9002 ip ecn ect0 numgen inc mod 8 == 0 ip ecn set ce; }
		}
	EOF
	ip netns exec "$NS" python3 "$PEER" server $K 9002 100000 >"$WORK/ecn.srv" 2>&1 &
	local srv=$!; PIDS+=("$srv")
	wait_for "$WORK/ecn.srv" LISTENING 5
	head -c 200000 /dev/urandom >"$WORK/ecn.in"
	timeout 20 ip netns exec "$NS" "$SYNFIN" connect --tun $DEV --addr $S --msl 500 --ecn $K 9002 <"$WORK/ecn.in" >"$WORK/ecn.out" 2>"$WORK/ecn.clog"
	local rc=$?
	wait $srv
	cap_stop
	NX nft delete table ip synfin_ecn
	NX sysctl -qw net.ipv4.tcp_ecn=2
	[ $rc = 0 ] && [ "$(head -1 "$WORK/ecn.out")" = "sha256=$(sha256sum <"$WORK/ecn.in" | cut -d' ' -f1) n=200000" ] &&
		pass "synfin connect --ecn: the kernel got 200000 bytes, synfin its answer" || fail "synfin connect --ecn: rc=$rc"
	local side port us them syn synack asker data ect bare
	for side in a b; do
		if [ $side = a ]; then port=7; else port=9002; fi
		us="ip.src==$S && tcp.port==$port"
		them="ip.src==$K && tcp.port==$port"
		if [ $side = a ]; then syn=$them synack=$us asker="the kernel's"; else syn=$us synack=$them asker="synfin's"; fi
		# tcp.flags 0x0c2: SYN,ECE,CWR (an ECN-setup SYN); 0x052: SYN,ACK,ECE (§6.1.1).
		# If the kernel's first SYN,ACK is lost (on a loaded machine it can be
		# dropped while the kernel still takes the freshly attached device
		# for down, though sf_tun_open waits for it to run), synfin sends the
		# SYN again with ECE and CWR cleared, as §6.1.1.1 says, and the kernel
		# answers with the SYN,ACK of the ECN-setup SYN it holds.
		local syns plain
		syns=$(count "$syn && tcp.flags.syn==1")
		plain=$(count "$syn && tcp.flags==0x002")
		[ "$(count "$syn && tcp.flags==0x0c2 && ip.dsfield.ecn==0")" = 1 ] &&
			{ [ "$syns" = 1 ] || { [ $side = b ] && [ "$syns" = 2 ] && [ "$plain" = 1 ]; }; } &&
			[ "$(count "$synack && tcp.flags==0x052 && ip.dsfield.ecn==0")" = 1 ] &&
			pass "($side) capture: $asker SYN with ECE,CWR, the SYN,ACK with ECE alone, neither ECT" ||
			fail "($side) capture: handshake $(fields "tcp.port==$port && tcp.flags.syn==1" ip.src tcp.flags ip.dsfield.ecn | tr '\n\t' '; ')"
		# New data ECT(0) both ways (§6.1.2); synfin's segments without data never ECT.
		data=$(count "$us && tcp.len>0 && !tcp.analysis.retransmission")
		ect=$(count "$us && tcp.len>0 && !tcp.analysis.retransmission && ip.dsfield.ecn==2")
		bare=$(count "$us && tcp.len==0 && ip.dsfield.ecn!=0")
		[ "$data" -gt 0 ] && [ "$ect" = "$data" ] && [ "$bare" = 0 ] &&
			[ "$(count "$them && tcp.len>0 && ip.dsfield.ecn==2")" -gt 0 ] &&
			pass "($side) capture: all $data data segments from synfin ECT(0), none of its bare ones; the kernel's data ECT(0)" ||
			fail "($side) capture: synfin data $data, ECT(0) $ect, ECT bare $bare"
	done
	# (b) The CE marks: each side echoes them with ECE (§6.1.3), and the other
	# answers with CWR on its next new data (§6.1.2).
	us="ip.src==$S && tcp.port==9002 && tcp.flags.syn==0"
	them="ip.src==$K && tcp.port==9002 && tcp.flags.syn==0"
	local ce kece kcwr sece scwr
	ce=$(count "$them && ip.dsfield.ecn==3")
	sece=$(count "$us && tcp.flags.ece==1")
	kcwr=$(count "$them && tcp.flags.cwr==1 && tcp.len>0")
	kece=$(count "$them && tcp.flags.ece==1")
	scwr=$(count "$us && tcp.flags.cwr==1 && tcp.len>0")
	# In order: the mark, then the echo, then the answer.
	[ "$ce" -gt 0 ] && [ "$sece" -gt 0 ] && [ "$kcwr" -gt 0 ] &&
		[ "$(first "$us && tcp.flags.ece==1")" -gt "$(first "$them && ip.dsfield.ecn==3")" ] &&
		[ "$(first "$them && tcp.flags.cwr==1")" -gt "$(first "$us && tcp.flags.ece==1")" ] &&
		pass "(b) capture: kernel data marked CE ($ce), then ECE from synfin ($sece segments), then CWR from the kernel ($kcwr)" ||
		fail "(b) capture: CE to synfin $ce, its ECEs $sece, the kernel's CWRs $kcwr"
	[ "$kece" -gt 0 ] && [ "$scwr" -gt 0 ] && [ "$(first "$us && tcp.flags.cwr==1")" -gt "$(first "$them && tcp.flags.ece==1")" ] &&
		pass "(b) capture: the kernel echoed the CE marked on synfin's data ($kece ECE), then synfin sent CWR ($scwr)" ||
		fail "(b) capture: the kernel's ECEs $kece, synfin's CWRs $scwr"
}

# pmtu_echo NAME ADDR NBYTES: synfin's echo server on ADDR behind the routers;
# the peer echoes NBYTES through it. Then the capture of the TUN device.
pmtu_echo() {
	# What the peer learned of the path in an earlier check is forgotten.
	PX ip route flush cache
	PX ip -6 route flush cache
	cap_start "$1"
	start_synfin "$1" serve --tun $DEV --addr "$2" --port 7 --msl 1000 --trace echo
	wait_for "$WORK/$1.log" "serving" 5 || fail "synfin did not start"
	out=$(PX python3 "$PEER" echo "$2" 7 "$3")
	echo "  $out"
	[[ $out == OK* ]] && pass "$3 bytes echoed each way across the 1280-byte link" || fail "echo of $3 bytes to $2"
	stop_pid $SYNFIN_PID
	cap_stop
}

check_pmtud() { # 17. path MTU discovery (RFC 1191, RFC 8201): a 1280-byte link between routers that say so
	routed_up || { fail "routed path"; return; }
	pmtu_echo pmtud $S 20971520
	local icmp big
	icmp=$(first "ip.src==$K && ip.dst==$S && icmp.type==3 && icmp.code==4 && icmp.mtu==1280")
	[ -n "$icmp" ] && pass "capture: R1's fragmentation needed (MTU 1280) reached synfin, frame $icmp" ||
		fail "capture: no fragmentation needed to synfin"
	# What was already on its way when the message came is still 1500 bytes
	# long; synfin's last 2000 datagrams are all of the new size.
	big=$(fields "ip.src==$S && tcp" ip.len | tail -2000 | sort -n | tail -1)
	[ -n "$icmp" ] && [ "${big:-0}" -le 1280 ] && [ "${big:-0}" -gt 1200 ] &&
		pass "capture: then synfin's datagrams are at most $big bytes" || fail "capture: largest of the last datagrams: $big"
	grep -q "path mtu .* 1280 (ICMP fragmentation needed" "$WORK/pmtud.log" && pass "trace: path mtu 1280 (ICMP)" ||
		fail "trace: no path MTU change"
	# IPv6 (RFC 8201): R1's packet too big.
	pmtu_echo pmtud6 $S6 4194304
	icmp=$(first "ipv6.dst==$S6 && icmpv6.type==2 && icmpv6.mtu==1280")
	big=$(fields "ipv6.src==$S6 && tcp" ipv6.plen | tail -2000 | sort -n | tail -1)
	[ -n "$icmp" ] && [ "${big:-0}" -le 1240 ] && [ "${big:-0}" -gt 1160 ] &&
		pass "capture (IPv6): packet too big at frame $icmp, then datagrams of at most $((big + 40)) bytes" ||
		fail "capture (IPv6): packet too big '$icmp', largest after it $big + 40"
}

check_blackhole() { # 18. the same path with its ICMP filtered: RFC 4821 black-hole detection and probing
	routed_up || { fail "routed path"; return; }
	local n
	for n in "$NS" "$NSR"; do
		ip netns exec "$n" nft -f - <<-EOF
			table inet synfin_bh {
				chain out { type filter hook output priority 0; icmp type destination-unreachable icmp code frag-needed drop; icmpv6 type packet-too-big drop; }
			}
		EOF
	done
	# The kernel peer finds the black hole its own way (tcp_mtu_probing 1).
	PX sysctl -qw net.ipv4.tcp_mtu_probing=1
	pmtu_echo blackhole $S 20971520
	for n in "$NS" "$NSR"; do ip netns exec "$n" nft delete table inet synfin_bh; done
	PX sysctl -qw net.ipv4.tcp_mtu_probing=0
	[ "$(count "icmp.type==3")" = 0 ] && pass "capture: no ICMP reached synfin" || fail "capture: ICMP seen"
	grep -q "path mtu .* 1024 (full-size segments lost to R1 timeouts: black hole)" "$WORK/blackhole.log" &&
		grep -q "(path MTU probe acknowledged)" "$WORK/blackhole.log" &&
		pass "trace: $(grep -c "path mtu" "$WORK/blackhole.log") path MTU changes: black hole (1024), then $(grep -c "probe acknowledged" "$WORK/blackhole.log") probes acknowledged" ||
		fail "trace: no black hole detected or no probe acknowledged"
	local last
	last=$(fields "ip.src==$S && tcp.len>0" ip.len | tail -200 | sort -n | tail -1)
	[ "${last:-0}" -le 1280 ] && [ "${last:-0}" -ge 1272 ] && pass "capture: probing settled at $last-byte datagrams (the path: 1280)" ||
		fail "capture: synfin's last datagrams up to $last bytes"
}

check_ping() { # 19. ping and ping -6 (RFC 792, RFC 4443 echo), next to synfin and across the routers
	routed_up || { fail "routed path"; return; }
	local out
	start_synfin ping serve --tun $DEV --addr $S --port 7 echo
	wait_for "$WORK/ping.log" "serving" 5 || fail "synfin did not start"
	out=$(NX ping -c 3 -i 0.2 -W 2 $S 2>&1)
	echo "$out" | grep -q " 3 received" && pass "ping $S: 3 of 3 answered" || fail "ping $S: $out"
	out=$(PX ping -c 2 -i 0.2 -W 2 -s 1200 $S 2>&1)
	echo "$out" | grep -q " 2 received" && pass "ping -s 1200 from behind the routers: answered" || fail "ping across the routers: $out"
	stop_pid $SYNFIN_PID
	start_synfin ping6 serve --tun $DEV --addr $S6 --port 7 echo
	wait_for "$WORK/ping6.log" "serving" 5 || fail "synfin did not start"
	out=$(NX ping -6 -c 3 -i 0.2 -W 2 $S6 2>&1)
	echo "$out" | grep -q " 3 received" && pass "ping -6 $S6: 3 of 3 answered" || fail "ping -6: $out"
	stop_pid $SYNFIN_PID
}

check_fragments() { # 20. IPv4 fragments reassembled: the peer's 1500-byte segments, without DF, cut by R2 for the 1280-byte link
	routed_up || { fail "routed path"; return; }
	# A locked route MTU makes the kernel send without DF, so R2 fragments.
	PX ip route replace 192.0.2.0/24 via 203.0.113.1 mtu lock 1500
	pmtu_echo frag $S 2097152
	PX ip route del 192.0.2.0/24
	local frags
	frags=$(count "ip.dst==$S && ip.flags.mf==1")
	[ "$frags" -gt 100 ] && pass "capture: $frags first fragments reached synfin, and the stream came through whole" ||
		fail "capture: only $frags fragments"
}

# flood_clients NAME URL N: N curl clients one after another; prints how many got a 200.
flood_clients() {
	local ok=0 i
	for ((i = 0; i < $3; i++)); do
		[ "$(NX curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$2")" = 200 ] && ok=$((ok + 1))
	done
	echo $ok
}

check_synflood() { # 21. SYN cookies (RFC 4987 §3.6): an hping3 flood of spoofed SYNs while curl clients connect, to synfin, then to the kernel
	command -v hping3 >/dev/null || { fail "hping3 is missing ('./run test' installs it; or apt-get install hping3)"; return; }
	# The spoofed source has no route back: every SYN,ACK to it is lost, so
	# each SYN that finds room holds an embryo for the whole SYN,ACK schedule.
	local spoof=198.18.0.66 flood=30000 n=20 ok sent recv
	start_synfin flood serve --tun $DEV --addr $S --port 80 --msl 1000 http
	wait_for "$WORK/flood.log" "serving" 5 || fail "synfin did not start"
	NX timeout 60 hping3 -q -S -p 80 -a $spoof -i u20 -c $flood $S >"$WORK/flood.hping" 2>&1 &
	local hp=$!; PIDS+=("$hp")
	sleep 0.3 # the SYN queue (syn_backlog 1000) is full by now
	ok=$(flood_clients flood "http://$S/" $n)
	wait $hp
	stop_pid $SYNFIN_PID
	sent=$(awk '$1 == "TcpExtSyncookiesSent" {print $2}' "$WORK/flood.log")
	recv=$(awk '$1 == "TcpExtSyncookiesRecv" {print $2}' "$WORK/flood.log")
	[ "$ok" = $n ] && [ "${sent:-0}" -gt 1000 ] && [ "${recv:-0}" -gt 0 ] &&
		pass "synfin: $ok of $n curl clients served during a flood of $flood spoofed SYNs; $sent SYN cookies sent, $recv came back valid" ||
		fail "synfin: $ok of $n clients served; SYN cookies sent ${sent:-0}, back ${recv:-0}"
	# The kernel, the same flood, with its own SYN cookies (tcp_syncookies 1,
	# the default) and a listener whose backlog of 5 is its SYN queue. The
	# kernel drops a SYN it has no route to answer, so the spoofed source
	# gets one: into a veth pair whose other end is in the namespace too,
	# where no neighbour ever answers and the SYN,ACKs vanish.
	[ "$(NX sysctl -n net.ipv4.tcp_syncookies)" = 1 ] || NX sysctl -qw net.ipv4.tcp_syncookies=1
	NX ip link add sfflood0 type veth peer name sfflood1 && NX ip link set sfflood0 up && NX ip link set sfflood1 up &&
		NX ip route add 198.18.0.0/24 dev sfflood0 || { fail "no veth pair for the spoofed source's route"; return; }
	local kc0 kr0
	kc0=$(NX nstat -asz TcpExtSyncookiesSent | awk '$1 == "TcpExtSyncookiesSent" {print $2}')
	kr0=$(NX nstat -asz TcpExtSyncookiesRecv | awk '$1 == "TcpExtSyncookiesRecv" {print $2}')
	NX python3 -m http.server 8080 --bind $K >"$WORK/kflood.srv" 2>&1 &
	local ks=$!; PIDS+=("$ks")
	local i
	for ((i = 0; i < 50; i++)); do NX curl -s --max-time 1 -o /dev/null "http://$K:8080/" && break; sleep 0.1; done
	NX timeout 60 hping3 -q -I lo -S -p 8080 -a $spoof -i u20 -c $flood $K >"$WORK/kflood.hping" 2>&1 &
	hp=$!; PIDS+=("$hp")
	sleep 0.3
	ok=$(flood_clients kflood "http://$K:8080/" $n)
	wait $hp
	stop_pid $ks
	NX ip link del sfflood0
	sent=$(( $(NX nstat -asz TcpExtSyncookiesSent | awk '$1 == "TcpExtSyncookiesSent" {print $2}') - ${kc0:-0} ))
	recv=$(( $(NX nstat -asz TcpExtSyncookiesRecv | awk '$1 == "TcpExtSyncookiesRecv" {print $2}') - ${kr0:-0} ))
	[ "$ok" = $n ] && [ "$sent" -gt 0 ] &&
		pass "the kernel: $ok of $n curl clients served during the same flood; $sent SYN cookies sent, $recv came back valid" ||
		fail "the kernel: $ok of $n clients served; SYN cookies sent $sent, back $recv"
}

ALL=(echo timewait halfclose http refused restart backlog mss twreuse simopen ipv6 modes marks urgent segsize ecn pmtud blackhole ping fragments synflood)
CHECKS=("$@")
[ ${#CHECKS[@]} = 0 ] && CHECKS=("${ALL[@]}")
for c in "${CHECKS[@]}"; do
	log "check $c"
	CHECK_OK=1
	"check_$c"
	[ $CHECK_OK = 1 ] || { FAILED=$((FAILED + 1)); echo "  check $c FAILED (logs in $WORK)"; KEEP_WORK=${KEEP_WORK:-1}; }
done
log "done: $FAILED failed"
[ $FAILED = 0 ]
