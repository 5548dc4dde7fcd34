#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tools/demo/update-docs.sh [SYNFIN]
# Refresh the diagrams in docs/demo/README.md and docs/demo/README.zh.md from
# a built synfin (default: build/release/synfin). Each diagram sits between
#   <!-- synfin demo ID [ARGS] -->   and   <!-- end -->
# and is replaced by the diagram part of `synfin demo ID ARGS --no-color`;
#   <!-- synfin demo ID [ARGS] | lines A-B -->     takes lines A to B of the output,
#   <!-- synfin demo ID [ARGS] | from RE1 to RE2 --> the lines from RE1 to RE2.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/release/synfin}
[ -x "$bin" ] || { echo "usage: $0 [path/to/synfin]   ($bin is not built; try ./run demo first)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
for doc in "$here/../../docs/demo/README.md" "$here/../../docs/demo/README.zh.md"; do
	[ -f "$doc" ] || continue
	tmp=$doc.tmp
	: >"$tmp"
	skip=0
	while IFS= read -r line; do
		case "$line" in
		"<!-- synfin demo "*" -->")
			printf '%s\n' "$line" >>"$tmp"
			args=${line#<!-- synfin demo }
			args=${args% -->}
			sel=
			case "$args" in
			*" | "*)
				sel=${args#* | }
				args=${args%% | *}
				;;
			esac
			printf '```text\n' >>"$tmp"
			# shellcheck disable=SC2086
			"$bin" demo $args --no-color >"$tmp.out" || [ $? -eq 1 ]
			case "$sel" in
			"lines "*)
				range=${sel#lines }
				sed -n "${range%-*},${range#*-}p" "$tmp.out" >>"$tmp"
				;;
			"from "*)
				re=${sel#from }
				awk -v a="${re%% to *}" -v b="${re#* to }" '$0 ~ a { on = 1 } on { print } on && $0 ~ b { exit }' \
					"$tmp.out" >>"$tmp"
				;;
			*)
				# The title and the diagram: everything before the explanation.
				awk '/^(What happened and why|发生了什么，为什么)$/ { exit } { print }' "$tmp.out" |
					sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >>"$tmp"
				;;
			esac
			rm -f "$tmp.out"
			printf '```\n' >>"$tmp"
			skip=1
			;;
		"<!-- end -->")
			printf '%s\n' "$line" >>"$tmp"
			skip=0
			;;
		*)
			[ $skip -eq 1 ] || printf '%s\n' "$line" >>"$tmp"
			;;
		esac
	done <"$doc"
	mv "$tmp" "$doc"
	echo "updated $doc"
done
