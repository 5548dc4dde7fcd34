#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The API reference: doxygen on every public header under include/
# (docs/Doxyfile) with warnings as errors, so every public function, struct,
# field, enum and macro is documented. HTML in OUT_DIR/html.
# Usage: check_doxygen.sh SOURCE_DIR OUT_DIR. Exit 77 (skipped) without doxygen.
set -eu
src=$1
out=$2
if ! command -v doxygen >/dev/null 2>&1; then
	echo "doxygen not installed: skipped (./run test installs it)"
	exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
# docs/Doxyfile, with the output directory given here.
printf '@INCLUDE = %s/docs/Doxyfile\nOUTPUT_DIRECTORY = %s\n' "$src" "$out" >"$out/Doxyfile"
cd "$src"
if ! doxygen "$out/Doxyfile" >"$out/doxygen.log" 2>&1; then
	cat "$out/doxygen.log"
	echo "doxygen failed: every public declaration under include/ needs a doc comment"
	exit 1
fi
if grep -i 'warning\|error' "$out/doxygen.log"; then
	echo "doxygen warned"
	exit 1
fi
# One page for each public header.
n=0
for h in $(find include -name '*.h' | sort); do
	n=$((n + 1))
	page=$(basename "$h" | sed 's/_/__/g; s/\./_8/g').html
	if ! [ -f "$out/html/$page" ]; then
		printf '%s: no page %s (a public header opens with a \\file doc comment)\n' "$h" "$page"
		exit 1
	fi
done
echo "API reference: $n public header(s), no warnings, $out/html/index.html"
