#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The shared library exports exactly the functions the public headers
declare with SF_API: no internal symbol leaks (a program could link to it
and break at the next release), and no public function is missing.

Usage: check_exports.py LIBRARY.so HEADER...
       check_exports.py --self-test
"""
import re
import subprocess
import sys

DECLARED = re.compile(r"^SF_API\b[^;(]*?\b(\w+)\s*\(", re.M)


def declared(headers):
    names = set()
    for path in headers:
        with open(path) as f:
            names.update(DECLARED.findall(f.read()))
    return names


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library],
                         check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "TtDdBbRrVvWw" and fields[1].isupper():
            names.add(fields[2])
    # The C runtime's own entry points in every shared object.
    return {n for n in names if not n.startswith("_")}


def compare(exported_names, declared_names):
    problems = []
    for name in sorted(exported_names - declared_names):
        problems.append(f"exported but not declared SF_API in a public header: {name}")
    for name in sorted(declared_names - exported_names):
        problems.append(f"declared SF_API but not exported: {name}")
    return problems


def self_test():
    text = "SF_API int sf_a(int x);\nSF_API const char *sf_b(void);\nint sf_hidden(void);\n"
    names = set(DECLARED.findall(text))
    assert names == {"sf_a", "sf_b"}, names
    assert compare({"sf_a", "sf_b"}, names) == []
    assert compare({"sf_a", "sf_b", "sf_tcb_input"}, names) == [
        "exported but not declared SF_API in a public header: sf_tcb_input"]
    assert compare({"sf_a"}, names) == ["declared SF_API but not exported: sf_b"]
    print("check_exports self-test: ok")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    library, headers = sys.argv[1], sys.argv[2:]
    exp, dec = exported(library), declared(headers)
    problems = compare(exp, dec)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"{library}: exports exactly the {len(dec)} SF_API functions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
