#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Run more seeds of the randomized simulations than CI does:
#   tests/sim/sim.sh BUILD_DIR [--seeds N] [--from S] [--jobs J] [--worlds-only|--lifecycles-only]
# (`./run sim ...` builds the clang ASan+UBSan Debug tree and calls this.)
#
# Seeds from..from+N-1 of both families, random worlds
# (tests/scenario/test_random_world.c) and random lifecycles
# (tests/scenario/test_random_lifecycles.c), are split into J contiguous
# slices run in parallel (J defaults to the number of cores). Every failing
# seed prints its own one-line replay command; exit status 1 if any slice failed.
set -eu

build=${1:?usage: sim.sh BUILD_DIR [--seeds N] [--from S] [--jobs J] [--worlds-only|--lifecycles-only]}
shift
seeds=1000
from=1
jobs=$(nproc)
families="world lifecycles"
while [ $# -gt 0 ]; do
	case "$1" in
	--seeds) seeds=$2; shift 2 ;;
	--from) from=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--worlds-only) families=world; shift ;;
	--lifecycles-only) families=lifecycles; shift ;;
	*) echo "sim: unknown argument $1" >&2; exit 2 ;;
	esac
done
case "$seeds$from$jobs" in
*[!0-9]*) echo "sim: --seeds, --from and --jobs take decimal numbers" >&2; exit 2 ;;
esac
[ "$seeds" -ge 1 ] && [ "$jobs" -ge 1 ] || { echo "sim: --seeds and --jobs must be at least 1" >&2; exit 2; }
[ "$jobs" -gt "$seeds" ] && jobs=$seeds

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT INT TERM
start=$(date +%s)
echo "sim: seeds $from..$((from + seeds - 1)) of: $families; $jobs parallel slices; build $build"

pids=""
for family in $families; do
	bin="$build/tests/scenario_test_random_$family"
	[ "$family" = world ] || bin="$build/tests/scenario_test_random_lifecycles"
	[ -x "$bin" ] || { echo "sim: $bin is not built" >&2; exit 2; }
	slice=$(((seeds + jobs - 1) / jobs))
	s=$from
	end=$((from + seeds))
	while [ "$s" -lt "$end" ]; do
		n=$slice
		[ $((s + n)) -gt "$end" ] && n=$((end - s))
		"$bin" --from "$s" --seeds "$n" >"$logs/$family.$s" 2>&1 &
		pids="$pids $!:$family.$s"
		s=$((s + n))
	done
done

failed=0
for entry in $pids; do
	pid=${entry%%:*}
	name=${entry#*:}
	if ! wait "$pid"; then
		failed=1
		echo "sim: slice $name FAILED; its output:" >&2
		tail -n 60 "$logs/$name" >&2
	fi
done
grep -h "^random world: [0-9]" "$logs"/world.* 2>/dev/null || true
grep -h "^random lifecycles:" "$logs"/lifecycles.* 2>/dev/null || true
echo "sim: $(($(date +%s) - start)) s, $([ $failed -eq 0 ] && echo "all seeds passed" || echo "FAILURES above")"
exit $failed
