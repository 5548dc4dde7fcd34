#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_svg.sh SYNFIN WORKDIR
# `synfin demo all --svg`: one SVG figure per scenario (and a Chinese one);
# each must be well-formed XML (xmllint) and render to a PNG (rsvg-convert).
# The Chinese figure's first font must be installed (fc-match resolves it to
# itself; ./run installs fonts-wqy-zenhei): if it is not, and all else passed,
# the test is skipped (77) rather than passed.
set -u
bin=$1
work=$2
for tool in xmllint rsvg-convert; do
	command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
rm -rf "$work"
mkdir -p "$work"
status=0
"$bin" demo all --check --svg "$work/demo.svg" >"$work/check.txt" || { echo "FAIL: demo all --svg exited $?"; status=1; }
"$bin" demo simultaneous --lang zh --svg "$work/zh-simultaneous.svg" >/dev/null || { echo "FAIL: --lang zh --svg exited $?"; status=1; }
for f in "$work"/*.svg; do
	if ! xmllint --noout "$f"; then
		echo "FAIL: $f is not well-formed"
		status=1
	elif ! rsvg-convert -o "${f%.svg}.png" "$f" || [ ! -s "${f%.svg}.png" ]; then
		echo "FAIL: $f does not render"
		status=1
	else
		echo "ok: $(basename "$f") well-formed, rendered"
	fi
done
n=$(ls "$work"/demo-*.svg 2>/dev/null | wc -l)
[ "$n" -eq "$("$bin" demo --list | wc -l)" ] || { echo "FAIL: $n SVG files, not one per scenario"; status=1; }
[ $status -eq 0 ] || exit $status
font=$(sed -n 's/.* font-family="\([^",]*\).*/\1/p' "$work/zh-simultaneous.svg" | head -n 1)
[ -n "$font" ] || { echo "FAIL: zh-simultaneous.svg names no font-family"; exit 1; }
command -v fc-match >/dev/null 2>&1 || { echo "SKIP: fc-match is not installed, '$font' not checked"; exit 77; }
got=$(fc-match -f '%{family}' "$font")
case ",$got," in
*",$font,"*) echo "ok: the Chinese figure's first font '$font' is installed ($(fc-match -f '%{file}' "$font"))" ;;
*)
	echo "SKIP: the Chinese figure's first font '$font' is not installed (fc-match gives '$got'; ./run installs fonts-wqy-zenhei)"
	exit 77
	;;
esac
exit 0
