#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs the build into a scratch prefix and builds a program against it
# through pkg-config, once statically and once against the shared library.
set -eu
build_dir=$1
src_dir=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
pcdir=$(dirname "$(find "$prefix" -name synfin.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
cflags=$(pkg-config --cflags synfin)
libs=$(pkg-config --libs synfin)
case "$cflags" in *"$prefix"*) ;; *) echo "pkg-config cflags do not point into the prefix: $cflags"; exit 1 ;; esac

cc=${CC:-cc}
$cc -std=c11 -Wall -Wextra -Werror $cflags "$src_dir/consumer.c" $libs -o "$prefix/consumer_shared"
LD_LIBRARY_PATH="$pcdir/.." "$prefix/consumer_shared"
$cc -std=c11 -Wall -Wextra -Werror $cflags "$src_dir/consumer.c" "$pcdir/../libsynfin.a" -o "$prefix/consumer_static"
# The drivers through their own .pc files, which name the core too.
$cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags synfin-sim synfin-events synfin-report) "$src_dir/consumer_drivers.c" \
	$(pkg-config --libs synfin-sim synfin-events synfin-report) -o "$prefix/consumer_drivers"
LD_LIBRARY_PATH="$pcdir/.." "$prefix/consumer_drivers" >/dev/null
"$prefix/consumer_static"
echo "install + pkg-config: ok"
