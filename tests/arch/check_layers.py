#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The core library's layers, bottom to top, and the one rule between them:
a file may include headers of its own layer and of the layers below it, never
of a layer above. synfin.h, the public header, is open to all.

    check_layers.py SRC_DIR      check the tree (exit 1 and name each breach)
    check_layers.py --self-test  show that a breach is caught

docs/ARCHITECTURE.md describes what each layer holds.
"""
import os
import re
import sys
import tempfile

# Directory under src/ -> rank. Files directly in src/ are the top (api, stack).
LAYERS = {"base": 0, "wire": 1, "core": 2, "demux": 3, "tcp": 4, "": 5}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(relpath):
    head = relpath.split("/")[0] if "/" in relpath else ""
    return head if head in LAYERS else None


def check(src):
    breaches = []
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            own = layer_of(rel)
            if own is None:
                breaches.append(f"{rel}: not in any layer ({', '.join(l for l in LAYERS if l)} or src/)")
                continue
            text = open(path, encoding="utf-8").read()
            for inc in INCLUDE.findall(text):
                if inc == "synfin.h":
                    continue
                if "/" not in inc:
                    breaches.append(f'{rel}: #include "{inc}": name the layer ("<layer>/{inc}")')
                    continue
                theirs = layer_of(inc)
                if theirs is None or not theirs:
                    breaches.append(f'{rel}: #include "{inc}": not a header of a layer')
                elif not os.path.exists(os.path.join(src, inc)):
                    breaches.append(f'{rel}: #include "{inc}": no such header')
                elif LAYERS[theirs] > LAYERS[own]:
                    breaches.append(f'{rel} ({own or "top"}) includes {inc} ({theirs}), a higher layer')
    return breaches


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            open(os.path.join(tmp, rel), "w").write(text)
        write("base/pool.h", "")
        write("tcp/tcp.h", '#include "base/pool.h"\n#include "synfin.h"\n')
        write("api.c", '#include "tcp/tcp.h"\n')
        if check(tmp):
            print("self-test: a clean tree was reported:", check(tmp))
            return 1
        write("base/pool.c", '#include "tcp/tcp.h"\n')
        found = check(tmp)
        if len(found) != 1 or "higher layer" not in found[0]:
            print("self-test: base including tcp was not caught:", found)
            return 1
        print("self-test: caught:", found[0])
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    breaches = check(sys.argv[1])
    for b in breaches:
        print(b)
    if not breaches:
        print("layers: every include goes to its own layer or one below")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
