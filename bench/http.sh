#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/http.sh SYNFIN [REQUESTS]: real HTTP clients against `synfin serve
# http` over a TUN device and against nginx on the kernel, in the same run and
# the same namespace, side by side.
#
# A network namespace of its own (root): the TUN device sfh0 with the
# kernel's address 192.0.2.1/24; synfin serves http on 192.0.2.2:80; nginx
# (one worker, no access log, the same page as synfin's "/") on
# 192.0.2.1:8080. ab (apache2-utils) and wrk run at concurrency 1, 10, 100 and
# 1000, with new connections (ab without -k; wrk with "Connection: close")
# and with keep-alive (ab -k; wrk's default), REQUESTS requests per ab run
# (20000) and 5 s per wrk run. Printed per row: requests/s, p50 and p99
# latency, failed requests, and for synfin the datagrams the TUN device's
# queue dropped (kernel to synfin) and those synfin dropped (SynfinInDrops
# in its exit report); then the ratio synfin / nginx. Nothing leaves the
# namespace, which is deleted on any exit.
set -u

SYNFIN=$(readlink -f "${1:?usage: bench/http.sh SYNFIN [REQUESTS]}")
N=${2:-20000}
NS=sfhttp$$
DEV=sfh0
K=192.0.2.1
S=192.0.2.2
WORK=$(mktemp -d /tmp/synfin-http.XXXXXX)
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns delete "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in ip ab wrk nginx curl; do
	command -v $t >/dev/null || PATH=$PATH:/usr/sbin:/sbin
	command -v $t >/dev/null || { echo "bench/http.sh: $t is missing (apt-get install iproute2 apache2-utils wrk nginx-light curl)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench/http.sh: needs root for a network namespace and a TUN device" >&2; exit 1; }
ulimit -n 65536 2>/dev/null

NX() { ip netns exec "$NS" "$@"; }
ip netns add "$NS" || exit 1
NX ip link set lo up
NX ip tuntap add dev $DEV mode tun
NX ip addr add $K/24 dev $DEV
NX ip link set $DEV up

NX "$SYNFIN" serve --tun $DEV --addr $S --port 80 --backlog 4096 http >"$WORK/synfin.out" 2>"$WORK/synfin.log" &
SYNFIN_PID=$!
PIDS+=("$SYNFIN_PID")
for ((i = 0; i < 50; i++)); do grep -q serving "$WORK/synfin.log" 2>/dev/null && break; sleep 0.1; done
mkdir -p "$WORK/www"
chmod 755 "$WORK" "$WORK/www" # nginx's workers run as www-data
NX curl -s --max-time 5 -o "$WORK/www/index.html" "http://$S/" || { echo "bench/http.sh: synfin does not answer" >&2; exit 1; }
chmod 644 "$WORK/www/index.html"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
daemon off;
error_log $WORK/nginx.err;
pid $WORK/nginx.pid;
events { worker_connections 8192; }
http {
	access_log off;
	keepalive_requests 1000000;
	server { listen $K:8080 backlog=4096; root $WORK/www; }
}
EOF
NX nginx -c "$WORK/nginx.conf" &
PIDS+=("$!")
for ((i = 0; i < 50; i++)); do NX curl -s --max-time 1 -o /dev/null "http://$K:8080/" && break; sleep 0.1; done
cmp -s <(NX curl -s "http://$K:8080/") "$WORK/www/index.html" || { echo "bench/http.sh: nginx does not serve the page" >&2; exit 1; }

tun_drops() { NX ip -s link show $DEV | awk '/TX:/ {getline; print $4}'; }

# ab_row TARGET URL C KEEP: "req/s p50_ms p99_ms failed"
ab_row() {
	local out n=$N
	[ "$3" -gt "$n" ] && n=$3
	out=$(NX ab -q -r -s 10 -n "$n" -c "$3" $4 "$2" 2>&1)
	local rps p50 p99 failed
	rps=$(echo "$out" | awk '/^Requests per second/ {print $4}')
	failed=$(echo "$out" | awk '/^Failed requests/ {print $3}')
	p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	echo "${rps:-0} ${p50:-?} ${p99:-?} ${failed:-?}"
}

# wrk_row TARGET URL C KEEP: "req/s p50_ms p99_ms errors"
wrk_row() {
	local hdr=() out
	[ -z "$4" ] && hdr=(-H "Connection: close")
	out=$(NX wrk -t1 -c "$3" -d 5s --timeout 5s --latency "${hdr[@]}" "$2" 2>&1)
	local rps p50 p99 errs
	rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
	p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	errs=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); s += $4 + $6 + $8 + $10} /Non-2xx/ {s += $5} END {print s + 0}')
	echo "${rps:-0} ${p50:-?} ${p99:-?} $errs"
}

printf '%-4s %-10s %5s  %-28s  %-28s  %8s  %s\n' tool mode conc "synfin req/s p50 p99 errors" "nginx req/s p50 p99 errors" "ratio" "tun drops"
for tool in ab wrk; do
	for mode in new keepalive; do
		keep=""
		[ $mode = keepalive ] && keep=-k
		[ $tool = wrk ] && [ $mode = keepalive ] && keep=keep
		for c in 1 10 100 1000; do
			d0=$(tun_drops)
			sr=$(${tool}_row synfin "http://$S/" $c "$keep")
			d1=$(tun_drops)
			kr=$(${tool}_row nginx "http://$K:8080/" $c "$keep")
			ratio=$(awk -v a="${sr%% *}" -v b="${kr%% *}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
			printf '%-4s %-10s %5d  %-28s  %-28s  %8s  %d\n' $tool $mode $c "$sr" "$kr" "$ratio" $((d1 - d0))
		done
	done
done
kill "$SYNFIN_PID"
for ((i = 0; i < 50; i++)); do kill -0 "$SYNFIN_PID" 2>/dev/null || break; sleep 0.1; done
echo "synfin's own drops (exit report): $(awk '$1 ~ /^SynfinInDrops|^SynfinDrop_/ {printf "%s=%s ", $1, $2}' "$WORK/synfin.log")"
echo "(latencies in ms; ab's p99 is its 99% line, wrk's from --latency; ratio = synfin req/s / nginx req/s)"
