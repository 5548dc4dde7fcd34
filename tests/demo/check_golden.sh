#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_golden.sh SYNFIN GOLDEN_DIR ID
# One scenario's ASCII diagram with its English explanation, the same in
# Chinese, and its JSON event trace must equal the checked-in golden files
# (the run is deterministic: fixed seed, virtual time). The expectations are
# checked separately (demo_all_check); here only the rendering is compared.
set -u
bin=$1
dir=$2
id=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

compare() { # compare GOLDEN ARGS...
	golden=$1
	shift
	"$bin" demo "$id" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -gt 1 ]; then
		echo "FAIL: synfin demo $id $* exited $rc"
		cat "$tmp/err"
		status=1
	fi
	if [ ! -f "$golden" ]; then
		echo "FAIL: no golden file $golden (run tests/demo/update-golden.sh)"
		status=1
	elif ! diff -u "$golden" "$tmp/out"; then
		echo "FAIL: synfin demo $id $* differs from $golden (if intended: tests/demo/update-golden.sh)"
		status=1
	fi
}

compare "$dir/$id.txt" --ascii --no-color
compare "$dir/zh/$id.txt" --ascii --no-color --lang zh
compare "$dir/$id.json" --json
[ $status -eq 0 ] && echo "ok: $id diagram, Chinese diagram and JSON trace match"
exit $status
