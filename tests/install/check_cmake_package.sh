#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_cmake_package.sh SOURCE_DIR BUILD_DIR
# synfin as CMake users take it:
#  1. find_package(synfin) from an installed prefix, shared and static;
#  2. add_subdirectory(synfin) in a parent project: tests off by default, and
#     no cmocka needed (pkg-config is pointed at an empty directory);
#  3. a top-level configure with no build type is Release, and with
#     -DSYNFIN_TESTS=OFF needs no cmocka either.
set -eu
src=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cc=${CC:-cc}
mkdir "$work/no-pkgconfig"

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/install/cmake" -B "$work/found" -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/found" >/dev/null
"$work/found/consumer_shared"
"$work/found/consumer_static"
"$work/found/consumer_drivers" >/dev/null
echo "find_package(synfin): ok"

PKG_CONFIG_LIBDIR="$work/no-pkgconfig" cmake -S "$src/tests/install/cmake" -B "$work/sub" \
	-DCMAKE_C_COMPILER="$cc" -DSYNFIN_SOURCE_DIR="$src" >/dev/null
cmake --build "$work/sub" -j2 --target consumer_shared consumer_static consumer_drivers >/dev/null
"$work/sub/consumer_shared"
"$work/sub/consumer_static"
"$work/sub/consumer_drivers" >/dev/null
echo "add_subdirectory(synfin): ok, tests off, no cmocka needed"

PKG_CONFIG_LIBDIR="$work/no-pkgconfig" cmake -S "$src" -B "$work/top" -DCMAKE_C_COMPILER="$cc" \
	-DSYNFIN_TESTS=OFF >/dev/null
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$work/top/CMakeCache.txt" || {
	echo "a configure without a build type is not Release:"
	grep '^CMAKE_BUILD_TYPE' "$work/top/CMakeCache.txt"
	exit 1
}
echo "top level: Release by default, configures without cmocka when tests are off"
