#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_golden_complete.sh SYNFIN GOLDEN_DIR
# Every scenario of `synfin demo --list` has its three golden files, and
# there is no golden file for a scenario that no longer exists.
set -u
bin=$1
dir=$2
status=0
ids=$("$bin" demo --list | awk '{print $1}')
[ -n "$ids" ] || { echo "FAIL: synfin demo --list printed nothing"; exit 1; }
for id in $ids; do
	for f in "$dir/$id.txt" "$dir/$id.json" "$dir/zh/$id.txt"; do
		[ -f "$f" ] || { echo "FAIL: missing $f"; status=1; }
	done
done
for f in "$dir"/*.txt "$dir"/*.json "$dir"/zh/*.txt; do
	[ -f "$f" ] || continue
	id=$(basename "$f")
	id=${id%.txt}
	id=${id%.json}
	echo "$ids" | grep -qx -- "$id" || { echo "FAIL: stale golden file $f"; status=1; }
done
[ $status -eq 0 ] && echo "ok: $(echo "$ids" | wc -l) scenarios, each with its golden files"
exit $status
