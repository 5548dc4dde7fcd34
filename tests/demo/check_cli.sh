#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_cli.sh SYNFIN
# `synfin demo` as a user meets it: the list, the default scenario with its
# hint, errors, colour only when asked or on a terminal, --ascii really
# ASCII, --lang zh, and the knobs: each scenario's expectations must still
# hold with another seed, other link delays, --rfc1337=off, strict TIME-WAIT,
# another MSL or backlog; random loss must not crash anything.
. "$(dirname "$0")/../cli/lib.sh"
esc=$(printf '\033')

# The list: every scenario and the RFC figures.
run 0 demo --list
for id in handshake handshake-loss half-close simultaneous isn isn-clock mss mss-none mss-mtu \
	time-wait time-wait-reuse time-wait-strict close-wait close-wait-done backlog half-open keepalive \
	assassination assassination-classic rfc-fig8 rfc-fig9 rfc-fig10 rfc-fig11; do
	grep -q "^  $id " "$tmp/out" || fail "--list lacks $id"
done

# The version, the command's and the library's.
run 0 --version
grep -q '^synfin [0-9][0-9.]* (library [0-9][0-9.]*)$' "$tmp/out" || fail "synfin --version printed: $(cat "$tmp/out")"

# No ID: a short default (handshake) and a hint to --list (what ./run demo shows).
run 0 demo
grep -q '^handshake ' "$tmp/out" || fail "synfin demo without an ID does not play handshake"
grep -q -- '--list' "$tmp/out" || fail "synfin demo without an ID gives no hint to --list"
grep -q 'TIME-WAIT' "$tmp/out" || fail "the default diagram shows no TIME-WAIT"

# Errors: usage 2.
run 2 demo no-such-scenario
run 2 demo handshake --no-such-option
run 2 demo handshake --lang fr
run 2 demo handshake --loss 2
run 2 demo handshake --rfc1337=maybe
run 2 demo handshake half-close
run 2
run 0 demo --help
grep -q -- '--strict-time-wait' "$tmp/out" || fail "--help does not list the knobs"

# Colour: never into a pipe unless asked; --no-color wins.
run 0 demo handshake
grep -q "$esc" "$tmp/out" && fail "colour escapes in output to a pipe"
run 0 demo handshake --color
grep -q "$esc\[" "$tmp/out" || fail "--color gave no colour"
run 0 demo handshake --color --no-color
grep -q "$esc" "$tmp/out" && fail "--no-color still coloured"

# --ascii: nothing but ASCII in English; the default draws with box-drawing characters.
run 0 demo all --ascii
LC_ALL=C grep -q '[^ -~]' "$tmp/out" && fail "--ascii output has non-ASCII bytes: $(LC_ALL=C grep -n '[^ -~]' "$tmp/out" | head -2)"
run 0 demo simultaneous
grep -q '│' "$tmp/out" || fail "the UTF-8 diagram has no box drawing"
grep -q '▶' "$tmp/out" || fail "the UTF-8 diagram has no arrow heads"

# Chinese.
run 0 demo close-wait --lang zh
grep -q '发生了什么' "$tmp/out" || fail "--lang zh: no Chinese explanation"
grep -q 'CLOSE-WAIT' "$tmp/out" || fail "--lang zh: state names must stay"
run 0 demo --list --lang zh
grep -q '三次握手' "$tmp/out" || fail "--list --lang zh: no Chinese titles"

# JSON: one object per scenario, every event with a time and a kind.
run 0 demo handshake --json
grep -q '"scenario": "handshake"' "$tmp/out" || fail "--json lacks the scenario"
grep -q '"kind": "segment"' "$tmp/out" || fail "--json has no segments"
grep -q '"kind": "state"' "$tmp/out" || fail "--json has no state changes"
grep -q '"fate": "delivered"' "$tmp/out" || fail "--json segments have no fate"
run 0 demo handshake-loss --json
grep -q '"fate": "lost"' "$tmp/out" || fail "--json does not mark lost segments"
run 0 demo all --json
[ "$(grep -c '"scenario": ' "$tmp/out")" -eq "$("$bin" demo --list | wc -l)" ] || fail "demo all --json: not one object per scenario"

# --check: one line per expectation, and a summary.
run 0 demo all --check
grep -q '^all: [0-9]* scenarios, [0-9]* expectations, all hold' "$tmp/out" || fail "demo all --check: no summary"
grep -q ' FAIL ' "$tmp/out" && fail "demo all --check has failures"

# Knobs: the expectations follow the configuration.
for args in "all --seed 2" "all --seed 987654321" "all --delay 1" "all --delay 80" \
	"assassination --rfc1337=off" "assassination-classic --rfc1337=on" "time-wait-reuse --strict-time-wait" \
	"time-wait-strict --msl 120000" "time-wait --msl 1000" "handshake --msl 30000" "backlog --backlog 3"; do
	# shellcheck disable=SC2086
	run 0 demo $args --check
done
run 0 demo assassination --rfc1337=off
grep -q 'TWKilled 1' "$tmp/out" || fail "--rfc1337=off: TIME-WAIT was not assassinated"
run 0 demo handshake --msl 30000
grep -q '60.000 s later\|59.990 s later' "$tmp/out" || fail "--msl 30000: TIME-WAIT is not 60 s"

# Random loss: expectations may fail (exit 1) but nothing may crash.
for seed in 1 2 3; do
	"$bin" demo all --check --loss 0.1 --seed $seed >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -le 1 ] || fail "demo all --loss 0.1 --seed $seed exited $rc"
	grep -q ' skip ' "$tmp/out" || fail "--loss: exact expectations were not skipped"
done

[ $status -eq 0 ] && echo "ok: the command line behaves"
exit $status
