#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The API reference: doxygen on every public header (docs/Doxyfile), that is
# include/synfin.h and the driver headers installed as <synfin/NAME.h>, with
# warnings as errors, so every public function, struct, field, enum and macro
# is documented. HTML in OUT_DIR/html. The Doxyfile's INPUT must name exactly
# the driver headers CMakeLists.txt installs (SYNFIN_DRIVER_HEADERS): a new
# installed header is documented, and a private one is not published.
# Usage: check_doxygen.sh SOURCE_DIR OUT_DIR
#        check_doxygen.sh --self-test SOURCE_DIR OUT_DIR
# The self-test runs the check on copies of the headers that it breaks (an
# undocumented function in each driver header, a header without its \file
# block, an installed header missing from INPUT) and fails unless the check
# catches each. Exit 77 (skipped) without doxygen.
set -eu
self_test=0
if [ "${1:-}" = --self-test ]; then
	self_test=1
	shift
fi
src=$(cd "$1" && pwd)
out=$2
if ! command -v doxygen >/dev/null 2>&1; then
	echo "doxygen not installed: skipped (./run test installs it)"
	exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The installed driver headers (CMakeLists.txt) and the INPUT of a Doxyfile,
# one path a line.
installed() {
	sed -n 's/^set(SYNFIN_DRIVER_HEADERS \(.*\))$/\1/p' "$1/CMakeLists.txt" | tr ' ' '\n' | sed '/^$/d' | sort
}
doxy_input() {
	awk '/^INPUT[ \t]*=/ { on = 1; sub(/^INPUT[ \t]*=/, "") }
	     on { c = sub(/\\[ \t]*$/, ""); n = split($0, w, /[ \t]+/); for (i = 1; i <= n; i++) if (w[i] != "") print w[i]; if (!c) on = 0 }' \
		"$1/docs/Doxyfile"
}

# check TREE OUT: 0 when the reference of TREE builds without a warning.
check() {
	tree=$1
	dir=$2
	mkdir -p "$dir"
	installed "$tree" >"$dir/installed"
	if ! [ -s "$dir/installed" ]; then
		echo "CMakeLists.txt: no set(SYNFIN_DRIVER_HEADERS ...) line"
		return 1
	fi
	doxy_input "$tree" | grep '^drivers/' | sort >"$dir/input" || true
	if ! cmp -s "$dir/installed" "$dir/input"; then
		echo "docs/Doxyfile INPUT and CMakeLists.txt SYNFIN_DRIVER_HEADERS differ (< installed, > documented):"
		diff "$dir/installed" "$dir/input" | grep '^[<>]' || true
		return 1
	fi
	# docs/Doxyfile, with the output directory given here (emptied: no page
	# of an earlier run stands in for a missing one).
	rm -rf "$dir/html"
	printf '@INCLUDE = %s/docs/Doxyfile\nOUTPUT_DIRECTORY = %s\n' "$tree" "$dir" >"$dir/Doxyfile"
	if ! (cd "$tree" && doxygen "$dir/Doxyfile") >"$dir/doxygen.log" 2>&1; then
		cat "$dir/doxygen.log"
		echo "doxygen failed: every public declaration needs a doc comment"
		return 1
	fi
	if grep -i 'warning\|error' "$dir/doxygen.log"; then
		echo "doxygen warned"
		return 1
	fi
	# One page for each public header.
	n=0
	for h in $( (cd "$tree" && find include -name '*.h') | sort) $(cat "$dir/installed"); do
		n=$((n + 1))
		page=$(basename "$h" | sed 's/_/__/g; s/\./_8/g').html
		if ! [ -f "$dir/html/$page" ]; then
			printf '%s: no page %s (a public header opens with a \\file doc comment)\n' "$h" "$page"
			return 1
		fi
	done
	echo "API reference: $n public header(s), no warnings, $dir/html/index.html"
}

if [ $self_test -eq 0 ]; then
	check "$src" "$out"
	exit
fi

# The self-test: a copy of what the reference is made of, broken one way at
# a time.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fresh() {
	rm -rf "$tmp/tree"
	mkdir -p "$tmp/tree/docs" "$tmp/tree/drivers"
	cp -R "$src/include" "$tmp/tree/"
	cp "$src/docs/Doxyfile" "$tmp/tree/docs/"
	cp "$src/CMakeLists.txt" "$tmp/tree/"
	cp "$src"/drivers/*.h "$tmp/tree/drivers/"
}
fail=0
# expect_caught WHAT PATTERN: the check fails on the broken copy, saying PATTERN.
expect_caught() {
	if check "$tmp/tree" "$out/self-test" >"$tmp/log" 2>&1; then
		printf 'not caught: %s\n' "$1"
		fail=1
	elif ! grep -q "$2" "$tmp/log"; then
		cat "$tmp/log"
		printf "caught, but without '%s': %s\n" "$2" "$1"
		fail=1
	else
		printf 'caught: %s\n' "$1"
	fi
}

fresh
if ! check "$tmp/tree" "$out/self-test" >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	echo "the unbroken copy fails the check"
	exit 1
fi
for h in $(installed "$src"); do
	fresh
	printf '\nint sf_selftest_undocumented(int x);\n' >>"$tmp/tree/$h"
	expect_caught "an undocumented function in $h" 'sf_selftest_undocumented.*not documented'
done
h=$(installed "$src" | head -n 1)
fresh
sed 's/^ \* \\file$/ */' "$src/$h" >"$tmp/tree/$h"
expect_caught "$h without its \\file block" "no page"
fresh
printf '/* SPDX-License-Identifier: BSD-2-Clause */\nint sf_selftest_extra(void);\n' >"$tmp/tree/drivers/extra.h"
sed -i 's/^set(SYNFIN_DRIVER_HEADERS \(.*\))$/set(SYNFIN_DRIVER_HEADERS \1 drivers\/extra.h)/' "$tmp/tree/CMakeLists.txt"
expect_caught "an installed header missing from INPUT" "< drivers/extra.h"
[ $fail -eq 0 ] && echo "the check catches every breach"
exit $fail
