# SPDX-License-Identifier: BSD-2-Clause
# Shared by the command-line checks (tests/cli/check_cli.sh,
# tests/demo/check_cli.sh): source it with the synfin binary as $1.
# It sets bin, a scratch directory $tmp (removed on exit), status (1 once
# anything failed) and checks (how many runs), and defines fail and run.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
checks=0
fail() {
	echo "FAIL: $*"
	status=1
}
run() { # run EXPECTED_RC ARGS... : output in $tmp/out, $tmp/err
	want=$1
	shift
	checks=$((checks + 1))
	"$bin" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq "$want" ] || fail "synfin $* exited $rc, expected $want: $(head -3 "$tmp/err")"
}
