#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_cli.sh SYNFIN
# The arguments of every `synfin` subcommand (top level, demo, serve,
# connect): --help and -h print the usage on stdout and exit 0; --opt=value
# works as well as --opt value; every bad argument (unknown option, missing
# value, no number, out of range, unknown scenario or service, an argument too
# many, a bad address, an output file that cannot be written) exits 2 at once
# with a message naming the option and the value. serve and connect need root
# and a TUN device to run, so only what they reject is checked: it must be
# rejected before the device is opened (exit 2, not the device's error).
. "$(dirname "$0")/../cli/lib.sh"
# bad WORD... -- ARGS... : exit 2, nothing on stdout, and stderr names every WORD
bad() {
	words=
	while [ "$1" != -- ]; do
		words="$words|$1"
		shift
	done
	shift
	args=$*
	run 2 "$@"
	[ -s "$tmp/out" ] && fail "synfin $args: printed on stdout: $(head -2 "$tmp/out")"
	head -1 "$tmp/err" | grep -q '^synfin[ a-z]*: ' || fail "synfin $args: message not as 'synfin CMD: ...': $(head -1 "$tmp/err")"
	old_ifs=$IFS
	IFS='|'
	for w in ${words#|}; do
		grep -qF -- "$w" "$tmp/err" || fail "synfin $args: the message does not name '$w': $(head -2 "$tmp/err")"
	done
	IFS=$old_ifs
	grep -q 'cannot attach\|CAP_NET_ADMIN\|/dev/net/tun' "$tmp/err" && fail "synfin $args: the device was opened: $(head -2 "$tmp/err")"
}
# help ARGS... : usage on stdout, exit 0, nothing on stderr
help() {
	run 0 "$@"
	grep -q '^usage: synfin' "$tmp/out" || fail "synfin $*: no usage on stdout"
	[ -s "$tmp/err" ] && fail "synfin $*: wrote on stderr: $(head -2 "$tmp/err")"
}

# The top level.
help --help
help -h
grep -q 'synfin serve' "$tmp/out" || fail "synfin -h does not show serve"
run 0 --version
grep -q '^synfin [0-9]' "$tmp/out" || fail "synfin --version printed: $(cat "$tmp/out")"
run 2
grep -q '^usage: synfin' "$tmp/err" || fail "synfin without a command gives no usage on stderr"
bad '--no-such' -- --no-such
bad '-x' -- -x
bad '--version' '--version=1' -- --version=1
bad 'frobnicate' -- frobnicate

# demo: help, --opt=value, and each kind of bad argument.
help demo --help
grep -q -- '--strict-time-wait' "$tmp/out" || fail "demo --help lists no options"
help demo -h
help demo handshake --check --help
run 0 demo handshake --check --width=80 --seed=7 --delay=20 --lang=zh --msl=1000 --backlog=5 --loss=0 --rfc1337=off
run 0 demo handshake --msl=30000
grep -q '60.000 s later\|59.990 s later' "$tmp/out" || fail "--msl=30000: TIME-WAIT is not 60 s"
run 0 demo handshake --ascii
cp "$tmp/out" "$tmp/wide"
run 0 demo handshake --width=70 --ascii
cmp -s "$tmp/out" "$tmp/wide" && fail "--width=70 drew the same diagram as the default width"
run 0 demo handshake --json --seed=0x10
grep -q '"seed": 16' "$tmp/out" || fail "--seed=0x10 is not seed 16"
run 0 -- demo --list
run 0 demo --check -- handshake
bad '--no-such-option' -- demo handshake --no-such-option
bad '-q' -- demo -q
bad '--list' 'x' -- demo --list=x
bad '--width' 'needs a value' -- demo handshake --width
bad '--pcap' 'needs a value' -- demo handshake --pcap=
bad '--svg' '--check' -- demo handshake --svg --check
bad '--seed' 'abc' -- demo handshake --seed abc
bad '--seed' '-1' -- demo handshake --seed=-1
bad '--seed' '99999999999999999999999' -- demo handshake --seed 99999999999999999999999
bad '--width' '12x' -- demo handshake --width=12x
bad '--width' '59' '60..400' -- demo handshake --width=59
bad '--width' '401' -- demo handshake --width 401
bad '--delay' '10001' -- demo handshake --delay=10001
bad '--msl' '0' -- demo handshake --msl 0
bad '--backlog' '70000' -- demo handshake --backlog=70000
bad '--loss' '1.5' -- demo handshake --loss=1.5
bad '--loss' 'nan' -- demo handshake --loss nan
bad '--lang' 'fr' -- demo handshake --lang=fr
bad '--rfc1337' 'maybe' -- demo handshake --rfc1337 maybe
bad 'no-such-scenario' -- demo no-such-scenario
bad 'half-close' -- demo handshake half-close
bad 'extra' -- demo all extra
# Output files: checked before anything runs (nothing on stdout).
: >"$tmp/file"
bad '--svg' "$tmp/none" -- demo all --svg "$tmp/none/demo.svg"
bad '--pcap' "$tmp/file/x.pcap" -- demo all --check --pcap "$tmp/file/x.pcap"
bad '--svg' "$tmp" 'directory' -- demo handshake --svg "$tmp"
mkdir "$tmp/out-demo-handshake.pcap"
bad '--pcap' 'out-demo-handshake.pcap' -- demo all --pcap "$tmp/out-demo.pcap"
if [ "$(id -u)" != 0 ]; then # root may write anywhere
	mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
	bad '--pcap' "$tmp/ro" -- demo handshake --pcap "$tmp/ro/x.pcap"
fi
run 0 demo handshake --check --svg="$tmp/ok.svg" --pcap="$tmp/ok.pcap"
[ -s "$tmp/ok.svg" ] && [ -s "$tmp/ok.pcap" ] || fail "--svg=FILE --pcap=FILE wrote nothing"

# serve and connect: help, and their argument errors before the device.
S='--tun sf0 --addr 192.0.2.2'
for cmd in serve connect; do
	help $cmd --help
	grep -q -- '--tun NAME' "$tmp/out" || fail "$cmd --help does not show --tun"
	grep -q -- '--msl' "$tmp/out" || fail "$cmd --help lists no options"
	help $cmd -h
	help $cmd --tun sf0 --help
	bad '--no-such' -- $cmd $S --no-such
	bad '--trace' 'x' -- $cmd $S --trace=x
	bad 'ambiguous' '--p' '--pcap' '--port' -- $cmd $S --p 7
	bad '--tun' 'needs a value' -- $cmd --tun
	bad '--msl' 'needs a value' -- $cmd $S --msl
	bad '--tun' 'required' -- $cmd --addr 192.0.2.2 --port 7 echo
	bad '--addr' 'required' -- $cmd --tun sf0 --port 7 echo
	bad '--addr' '192.0.2' -- $cmd --tun sf0 --addr 192.0.2 --port 7 echo
	bad '--addr' 'host.example' -- $cmd --tun=sf0 --addr=host.example --port=7 echo
	bad '--tun' 'a-name-much-too-long' -- $cmd --tun a-name-much-too-long --addr 192.0.2.2
	bad '--mtu' '100' '576..65535' -- $cmd $S --mtu=100
	bad '--msl' 'soon' -- $cmd $S --msl soon
	bad '--ttl' '0' -- $cmd $S --ttl=0
	bad '--ttl' '256' -- $cmd $S --ttl 256
	bad '--tos' '-1' -- $cmd $S --tos=-1
	bad '--timeout' '86401' -- $cmd $S --timeout 86401
	bad '--drop-every' '1' -- $cmd $S --drop-every=1
	bad '--rfc1337' 'maybe' -- $cmd $S --rfc1337=maybe
done
# --opt=value: accepted, so the error is the one after it.
bad 'service' 'gopher' -- serve --tun=sf0 --addr=192.0.2.2 --port=7 --msl=1000 --ttl=33 --tos=72 --rfc1337=off gopher
bad 'PORT' '70000' -- connect --tun=sf0 --addr=192.0.2.2 --lport=7000 --msl=500 --timeout=5 192.0.2.1 70000
bad '--port' '0' -- serve $S --port=0 echo
bad '--port' 'seven' -- serve $S --port seven echo
bad '--port' 'required' -- serve $S echo
bad '--backlog' '0' -- serve $S --port 7 --backlog=0 echo
bad '--accept-delay' 'x' -- serve $S --port 7 --accept-delay=x echo
bad 'service' 'gopher' 'echo' -- serve $S --port 7 gopher
bad 'service' -- serve $S --port 7
bad 'extra' -- serve $S --port 7 echo extra
bad '--urgent' -- serve $S --port 7 --urgent echo
bad '--pcap' "$tmp/none" -- serve $S --port 7 --pcap "$tmp/none/serve.pcap" echo
bad '--pcap' "$tmp" -- connect $S --pcap="$tmp" 192.0.2.1 80
bad '--trace-json' "$tmp/none" -- serve $S --port 7 --trace-json "$tmp/none/t.jsonl" echo
bad '--trace-json' 'needs a value' -- connect $S --trace-json= 192.0.2.1 80
bad '--lport' '65536' -- connect $S --lport 65536 192.0.2.1 80
bad '--syncookies' '3' -- serve $S --port 7 --syncookies 3 echo
bad '--idle-timeout' '0' -- serve $S --port 80 --idle-timeout 0 http
bad '--syncookies' -- connect $S --syncookies 1 192.0.2.1 80
bad 'HOST PORT' -- connect $S 192.0.2.1
bad 'HOST PORT' -- connect $S
bad 'extra' -- connect $S 192.0.2.1 80 extra
bad 'HOST' 'not-an-address' -- connect $S not-an-address 80
bad 'HOST' '2001:db8::1' -- connect $S 2001:db8::1 80
bad 'PORT' '0' -- connect $S 192.0.2.1 0
bad 'PORT' 'http' -- connect $S 192.0.2.1 http
bad '--backlog' -- connect $S --backlog 4 192.0.2.1 80

[ $status -eq 0 ] && echo "ok: $checks invocations behave"
exit $status
