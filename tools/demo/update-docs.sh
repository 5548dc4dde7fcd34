#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tools/demo/update-docs.sh [--check] [SYNFIN]
# Refresh the diagrams in docs/demo/README.md and docs/demo/README.zh.md from
# a built synfin (default: build/release/synfin). Each diagram sits between
#   <!-- synfin demo ID [ARGS] -->   and   <!-- end -->
# and is replaced by the diagram part of `synfin demo ID ARGS --no-color`;
#   <!-- synfin demo ID [ARGS] | lines A-B -->     takes lines A to B of the output,
#   <!-- synfin demo ID [ARGS] | from RE1 to RE2 --> the lines from RE1 to RE2.
# With --check the documents are left as they are: each diagram is
# regenerated into a temporary copy and compared with the embedded one; every
# diagram that differs is named with a diff, and the exit status is 1
# (the ctest test docs_demo_diagrams runs this).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
bin=${1:-$here/../../build/release/synfin}
[ -x "$bin" ] || { echo "usage: $0 [--check] [path/to/synfin]   ($bin is not built; try ./run demo first)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
docs=$(cd "$here/../../docs/demo" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/synfin-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
ndiagrams=0

# diagram ARGS SEL: the text block for one marker, on stdout.
diagram() {
	printf '```text\n'
	# shellcheck disable=SC2086
	"$bin" demo $1 --no-color >"$work/out" || {
		rc=$?
		# 1: an expectation failed; the diagram is still drawn.
		[ $rc -eq 1 ] || { echo "FAIL: 'synfin demo $1' exited $rc" >&2; exit 1; }
	}
	case "$2" in
	"lines "*)
		range=${2#lines }
		sed -n "${range%-*},${range#*-}p" "$work/out"
		;;
	"from "*)
		re=${2#from }
		awk -v a="${re%% to *}" -v b="${re#* to }" '$0 ~ a { on = 1 } on { print } on && $0 ~ b { exit }' \
			"$work/out"
		;;
	*)
		# The title and the diagram: everything before the explanation.
		awk '/^(What happened and why|发生了什么，为什么)$/ { exit } { print }' "$work/out" |
			sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		;;
	esac
	printf '```\n'
}

for doc in "$docs/README.md" "$docs/README.zh.md"; do
	[ -f "$doc" ] || continue
	name=docs/demo/$(basename "$doc")
	tmp=$work/$(basename "$doc")
	: >"$tmp"
	skip=0
	marker=
	lineno=0
	while IFS= read -r line; do
		lineno=$((lineno + 1))
		case "$line" in
		"<!-- synfin demo "*" -->")
			printf '%s\n' "$line" >>"$tmp"
			args=${line#<!-- synfin demo }
			args=${args% -->}
			marker=$args
			at=$lineno
			sel=
			case "$args" in
			*" | "*)
				sel=${args#* | }
				args=${args%% | *}
				;;
			esac
			diagram "$args" "$sel" >"$work/new"
			: >"$work/old"
			skip=1
			;;
		"<!-- end -->")
			if [ $skip -eq 1 ]; then
				cat "$work/new" >>"$tmp"
				ndiagrams=$((ndiagrams + 1))
				if [ $check -eq 1 ] && ! cmp -s "$work/old" "$work/new"; then
					echo "FAIL: $name:$at: the diagram of 'synfin demo $marker' differs from the demo's output"
					diff -u --label "$name:$at (embedded)" --label "synfin demo $marker (now)" \
						"$work/old" "$work/new" || :
					status=1
				fi
			fi
			printf '%s\n' "$line" >>"$tmp"
			skip=0
			;;
		*)
			if [ $skip -eq 1 ]; then
				printf '%s\n' "$line" >>"$work/old"
			else
				printf '%s\n' "$line" >>"$tmp"
			fi
			;;
		esac
	done <"$doc"
	if [ $skip -eq 1 ]; then
		echo "FAIL: $name:$at: 'synfin demo $marker' has no <!-- end --> after it" >&2
		status=1
		continue
	fi
	if [ $check -eq 1 ]; then
		# Whatever the per-diagram comparison did not name (it names all
		# there is today) still shows here.
		if [ $status -eq 0 ] && ! cmp -s "$doc" "$tmp"; then
			echo "FAIL: $name differs from its regenerated copy"
			diff -u --label "$name" --label "$name (regenerated)" "$doc" "$tmp" || :
			status=1
		fi
	else
		cp "$tmp" "$doc"
		echo "updated $name"
	fi
done
if [ $check -eq 1 ]; then
	[ $ndiagrams -gt 0 ] || { echo "FAIL: no diagram markers found in docs/demo/"; status=1; }
	[ $status -eq 0 ] && echo "ok: $ndiagrams diagrams in docs/demo/ match the demo's output"
fi
exit $status
