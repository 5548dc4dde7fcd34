#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The man pages docs/man/synfin.1 and docs/man/libsynfin.3: formatted by
# groff (and man, where installed) without a single warning, with the
# version synfin.h gives, and synfin.1 naming every subcommand `synfin --help`
# lists and every option the subcommands' own --help lists.
# Usage: check_man.sh SOURCE_DIR SYNFIN_BINARY. Exit 77 (skipped) without groff.
set -eu
src=$1
synfin=$2
if ! command -v groff >/dev/null 2>&1; then
	echo "groff not installed: skipped (./run test installs groff-base)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
version=$("$synfin" --version | sed -n 's/^synfin \([^ ]*\) .*/\1/p')
for page in "$src/docs/man/synfin.1" "$src/docs/man/libsynfin.3"; do
	name=$(basename "$page")
	if ! head -n 1 "$page" | grep -q 'SPDX-License-Identifier: BSD-2-Clause'; then
		echo "$name: no SPDX line first"
		fail=1
	fi
	groff -man -ww -z "$page" >"$tmp/groff" 2>&1 || true
	if [ -s "$tmp/groff" ]; then
		cat "$tmp/groff"
		echo "$name: groff warned"
		fail=1
	fi
	if command -v man >/dev/null 2>&1; then
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>"$tmp/man" || true
		if [ -s "$tmp/man" ]; then
			cat "$tmp/man"
			echo "$name: man warned"
			fail=1
		fi
	fi
	if ! grep -q "^\.TH .* \"synfin $version\"" "$page"; then
		echo "$name: its .TH line does not give the version synfin $version"
		fail=1
	fi
done

# synfin.1 as plain text, \- read as -.
sed 's/\\-/-/g' "$src/docs/man/synfin.1" >"$tmp/page"
"$synfin" --help >"$tmp/help"
subs=$(sed -n 's/^\(usage:\)\{0,1\} *synfin \([a-z][a-z-]*\).*/\2/p' "$tmp/help" | sort -u)
if [ -z "$subs" ]; then
	echo "synfin --help names no subcommand"
	fail=1
fi
n=0
for sub in $subs; do
	n=$((n + 1))
	if ! grep -q "^\.B synfin $sub" "$tmp/page"; then
		echo "synfin.1: no synopsis line for 'synfin $sub' (named by synfin --help)"
		fail=1
	fi
	"$synfin" "$sub" --help >"$tmp/subhelp" 2>&1 || true
	for opt in $(grep -o -- '--[a-z0-9][a-z0-9-]*' "$tmp/help" "$tmp/subhelp" | sed 's/^[^:]*://' | sort -u); do
		if ! grep -q -e "$opt" "$tmp/page"; then
			echo "synfin.1: no $opt (synfin $sub --help has it)"
			fail=1
		fi
	done
done
[ "$fail" -eq 0 ] || exit 1
echo "man pages: synfin.1 and libsynfin.3 without warnings; synfin.1 names all $n subcommands and their options"
