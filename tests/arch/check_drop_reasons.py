#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Every drop reason synfin.h declares is produced somewhere in the library:
a reason no code path can give is noise in a user's counters.

    check_drop_reasons.py INCLUDE_DIR SRC_DIR
"""
import os
import re
import sys


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    header = open(os.path.join(sys.argv[1], "synfin.h"), encoding="utf-8").read()
    block = header[header.index("#define SF_DROP_REASONS(X)"):header.index("enum sf_drop_reason {")]
    reasons = [r for r in re.findall(r"X\((\w+),", block) if r != "NONE"]
    source = ""
    for root, _, files in os.walk(sys.argv[2]):
        for name in files:
            if name.endswith((".c", ".h")):
                source += open(os.path.join(root, name), encoding="utf-8").read()
    unused = [r for r in reasons if not re.search(r"\bSF_DROP_%s\b" % r, source)]
    for r in unused:
        print(f"SF_DROP_{r} is declared but never produced")
    if not unused:
        print(f"drop reasons: all {len(reasons)} are produced by the library")
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())
