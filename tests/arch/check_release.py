#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What a release needs, checked on the source tree:

- LICENSE is the BSD 2-Clause licence;
- every source file (C, shell, Python, CMake) names it in an SPDX line near
  its top;
- the version in include/synfin.h is consistent (the string and the three
  numbers) and is the newest entry of CHANGELOG.md.

Usage: check_release.py SOURCE_DIR
"""
import os
import re
import sys

SPDX = "SPDX-License-Identifier: BSD-2-Clause"
SOURCE_SUFFIXES = (".c", ".h", ".sh", ".py", ".cmake")
SOURCE_NAMES = ("CMakeLists.txt", "run")
SKIP_DIRS = {".git", "build", "out", "golden", "corpus"}


def source_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames
                       if d not in SKIP_DIRS and not d.startswith("build")]
        for name in filenames:
            if name.endswith(SOURCE_SUFFIXES) or name in SOURCE_NAMES:
                yield os.path.join(dirpath, name)


def main():
    root = sys.argv[1]
    problems = []

    with open(os.path.join(root, "LICENSE")) as f:
        if "BSD 2-Clause License" not in f.readline():
            problems.append("LICENSE: not the BSD 2-Clause licence")

    count = 0
    for path in source_files(root):
        count += 1
        with open(path, errors="replace") as f:
            head = [f.readline() for _ in range(3)]
        if not any(SPDX in line for line in head):
            problems.append(f"{os.path.relpath(path, root)}: no '{SPDX}' line in its first three lines")

    with open(os.path.join(root, "include", "synfin.h")) as f:
        header = f.read()
    parts = {k: re.search(rf"#define SYNFIN_VERSION_{k} (\d+)", header)
             for k in ("MAJOR", "MINOR", "PATCH")}
    string = re.search(r'#define SYNFIN_VERSION "([^"]+)"', header)
    if not string or not all(parts.values()):
        problems.append("include/synfin.h: SYNFIN_VERSION or one of its parts is missing")
    else:
        version = string.group(1)
        numbers = ".".join(parts[k].group(1) for k in ("MAJOR", "MINOR", "PATCH"))
        if numbers != version:
            problems.append(f"include/synfin.h: SYNFIN_VERSION is {version} but its parts say {numbers}")
        with open(os.path.join(root, "CHANGELOG.md")) as f:
            entry = re.search(r"^## \[?(\d+\.\d+\.\d+)", f.read(), re.M)
        if not entry or entry.group(1) != version:
            newest = entry.group(1) if entry else "nothing"
            problems.append(f"CHANGELOG.md: newest entry is {newest}, the header says {version}")

    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"release files: LICENSE, {count} source files with SPDX lines, version consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
