#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The core library keeps no global mutable state: no object in libsynfin.a may
# define a symbol in .data or .bss (read-only tables live in .rodata or
# .data.rel.ro). Two stacks in one process are independent by construction.
# Names beginning with "__" are the compiler's (sanitizer source locations and
# the like), never the library's own.
set -eu
lib=$1
bad=$(objdump -t "$lib" | awk '
	/file format/ { obj = $1 }
	$NF ~ /^__/ { next }
	$0 ~ /[ \t]\.(data|bss)[ \t]/ && $NF != ".data" && $NF != ".bss" { print obj ": " $NF }
	$0 ~ /\*COM\*/ { print obj ": " $NF }')
if [ -n "$bad" ]; then
	echo "writable global state in the core library:"
	echo "$bad"
	exit 1
fi
echo "no writable globals in $lib"
