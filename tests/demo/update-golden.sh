#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/demo/update-golden.sh [SYNFIN]
# Regenerate tests/demo/golden/ from a built synfin (default: build/release/synfin,
# which `./run demo` builds): for every scenario, the ASCII diagram with its
# explanation (ID.txt), the same in Chinese (zh/ID.txt) and the JSON event
# trace (ID.json). Golden files of scenarios that no longer exist are removed.
# Review the diff before committing: a changed golden file is a changed demo.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/release/synfin}
[ -x "$bin" ] || { echo "usage: $0 [path/to/synfin]   ($bin is not built; try ./run demo first)" >&2; exit 2; }
dir=$here/golden
mkdir -p "$dir/zh"
ids=$("$bin" demo --list | awk '{print $1}')
rm -f "$dir"/*.txt "$dir"/*.json "$dir"/zh/*.txt
for id in $ids; do
	# Exit status 1 means an expectation failed: the files are still written,
	# and demo_all_check will say which one.
	"$bin" demo "$id" --ascii --no-color >"$dir/$id.txt" || [ $? -eq 1 ]
	"$bin" demo "$id" --ascii --no-color --lang zh >"$dir/zh/$id.txt" || [ $? -eq 1 ]
	"$bin" demo "$id" --json >"$dir/$id.json" || [ $? -eq 1 ]
	echo "updated $id"
done
