#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""docs/RFC9293.md, the table of RFC 9293's requirements, stays true to its
format and to the tree: exactly the ids of Appendix B, in its order, once
each; a status of Yes, Partial, No or N/A; a test for every Yes; and every
test it names is a function defined in a file that exists.

    check_rfc_table.py REPO_ROOT        check REPO_ROOT/docs/RFC9293.md against
                                        REPO_ROOT/tests/arch/rfc9293_requirements.txt
                                        (exit 1 and name each breach)
    check_rfc_table.py --self-test      show that each kind of breach is caught
    check_rfc_table.py --extract RFC    print the ids of Appendix B of the RFC
                                        text (how rfc9293_requirements.txt was made)

A test is `path::function`, the path relative to the repository root: a C
function definition, a shell function (`name() {`) or a Python `def`. Tests
are separated by `<br>` or `, `; `—` (or nothing) means none.
"""
import os
import re
import sys
import tempfile

TABLE = "docs/RFC9293.md"
IDS = "tests/arch/rfc9293_requirements.txt"
HEADER = ["Req", "Requirement", "RFC §", "Status", "Tests"]
STATUSES = ("Yes", "Partial", "No", "N/A")
NO_TESTS = ("", "—", "-")
ID_RE = re.compile(r"^(MUST|SHLD|MAY|REC)-[0-9]+$")
SECTION_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
TEST_RE = re.compile(r"^(?P<path>[A-Za-z0-9_./-]+)::(?P<func>[A-Za-z_][A-Za-z0-9_]*)$")


def cells(line):
    """The cells of a Markdown table row, or None if it is not one."""
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")) or len(line) < 2:
        return None
    return [c.strip() for c in line[1:-1].split("|")]


def load_ids(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]


def defines(path, func):
    """Does the file at path define func (C, shell or Python)?"""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    name = re.escape(func)
    patterns = [
        # C: a definition starts at the beginning of a line, its parameter
        # list is followed by a brace, not a semicolon.
        r"(?m)^(?:[A-Za-z_][\w \t\*]*?[ \t\*])?" + name + r"\s*\([^;{}]*\)\s*\{",
        # shell: name() { or function name
        r"(?m)^\s*(function\s+)?" + name + r"\s*\(\)\s*\{",
        r"(?m)^\s*function\s+" + name + r"\b",
        # Python
        r"(?m)^\s*(async\s+)?def\s+" + name + r"\s*\(",
    ]
    return any(re.search(p, text) for p in patterns)


def split_tests(cell):
    if cell in NO_TESTS:
        return []
    return [t.strip() for t in re.split(r"<br\s*/?>|,\s", cell)]


def check(root):
    """Every breach in root's table, as messages; [] when it is sound."""
    table = os.path.join(root, TABLE)
    breaches = []
    try:
        want = load_ids(os.path.join(root, IDS))
    except OSError as e:
        return [f"{IDS}: cannot read the list of requirement ids: {e.strerror}"]
    try:
        with open(table, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        return [f"{TABLE}: cannot read: {e.strerror}"]

    start = next((i for i, l in enumerate(lines) if cells(l) == HEADER), None)
    if start is None:
        return [f"{TABLE}: no table with the header | {' | '.join(HEADER)} |"]
    sep = cells(lines[start + 1]) if start + 1 < len(lines) else None
    if not sep or len(sep) != len(HEADER) or not all(re.fullmatch(r":?-{3,}:?", c) for c in sep):
        breaches.append(f"{TABLE}:{start + 2}: the header must be followed by a |---| separator row")

    rows = []  # (line number, id)
    seen = {}
    for n in range(start + 2, len(lines)):
        line = lines[n]
        if not line.strip():
            break
        where = f"{TABLE}:{n + 1}"
        row = cells(line)
        if row is None:
            breaches.append(f"{where}: not a table row (a row starts and ends with |)")
            continue
        if len(row) != len(HEADER):
            breaches.append(f"{where}: {len(row)} cells, not {len(HEADER)} (no | inside a cell)")
            if ID_RE.match(row[0]) and row[0] not in seen:
                seen[row[0]] = n + 1  # the id is there: do not report it missing as well
                rows.append((n + 1, row[0]))
            continue
        req, text, section, status, tests = row
        if not ID_RE.match(req):
            breaches.append(f"{where}: '{req}' is not a requirement id (MUST-n, SHLD-n, MAY-n, REC-n)")
            continue
        where = f"{where}: {req}"
        if req in seen:
            breaches.append(f"{where}: listed twice (first at line {seen[req]})")
        seen.setdefault(req, n + 1)
        rows.append((n + 1, req))
        if not text:
            breaches.append(f"{where}: the Requirement cell is empty")
        if not SECTION_RE.match(section):
            breaches.append(f"{where}: RFC § '{section}' is not a section number like 3.8.6.1")
        if status not in STATUSES:
            breaches.append(f"{where}: status '{status}' is not one of {', '.join(STATUSES)}")
        named = split_tests(tests)
        if status == "Yes" and not named:
            breaches.append(f"{where}: status Yes names no test")
        for t in named:
            m = TEST_RE.match(t)
            if not m:
                breaches.append(f"{where}: '{t}' is not a test (path::function)")
                continue
            rel, func = m.group("path"), m.group("func")
            path = os.path.normpath(os.path.join(root, rel))
            if rel.startswith("/") or ".." in rel.split("/") or not os.path.isfile(path):
                breaches.append(f"{where}: test file {rel} does not exist")
            elif not defines(path, func):
                breaches.append(f"{where}: {rel} defines no function {func}")

    have = [r for _, r in rows]
    missing = [r for r in want if r not in seen]
    extra = [r for r in dict.fromkeys(have) if r not in want]
    for r in missing:
        breaches.append(f"{TABLE}: {r} of RFC 9293 Appendix B has no row")
    for r in extra:
        breaches.append(f"{TABLE}:{seen[r]}: {r} is not a requirement of RFC 9293 Appendix B")
    if not missing and not extra and len(have) == len(want) and have != want:
        first = next(i for i, (a, b) in enumerate(zip(have, want)) if a != b)
        breaches.append(f"{TABLE}:{rows[first][0]}: {have[first]} is out of Appendix B order "
                        f"(expected {want[first]} here)")
    return breaches


def extract(rfc_path):
    """The ids of Appendix B, in order, each once."""
    with open(rfc_path, encoding="utf-8") as f:
        text = f.read()
    start = text.index("\nAppendix B.  TCP Requirement Summary")
    end = text.index("Table 8: TCP Requirements Summary", start)
    ids = re.findall(r"\b(?:MUST|SHLD|MAY|REC)-[0-9]+\b", text[start:end])
    return list(dict.fromkeys(ids))


# ---- self-test: a small clean tree, then one breach at a time ----

CLEAN_TABLE = """# a table

| Req | Requirement | RFC § | Status | Tests |
|---|---|---|---|---|
| MUST-1 | Something done. | 3.1 | Yes | tests/unit/test_a.c::test_one<br>tests/interop/run.sh::check_two |
| SHLD-2 | Something half done. | 3.8.6 | Partial | tests/unit/test_a.c::test_three, tests/unit/test_a.c::test_one |
| MAY-3 | Something not done. | 3.9.1.2 | No | — |
| REC-1 | Something that cannot apply. | 3.10.7.4 | N/A | |

After the table.
"""
MAY3 = "| MAY-3 | Something not done. | 3.9.1.2 | No | — |\n"
CLEAN_C = """static void helper(int x);

static void test_one(void **state)
{
}

static void
test_three(void **state)
{
}
"""
CLEAN_SH = "check_two() { # a check\n\ttrue\n}\n"


def self_test():
    cases = [
        ("a test file that does not exist",
         "tests/unit/test_a.c::test_one<br>", "tests/unit/test_gone.c::test_one<br>", "does not exist"),
        ("a function the file does not define",
         "tests/unit/test_a.c::test_three,", "tests/unit/test_a.c::test_four,", "defines no function test_four"),
        ("a declaration taken for a definition",
         "tests/unit/test_a.c::test_three,", "tests/unit/test_a.c::helper,", "defines no function helper"),
        ("a requirement id missing", MAY3, "", "MAY-3 of RFC 9293 Appendix B has no row"),
        ("an id that is not in Appendix B", MAY3, MAY3 + "| MAY-33 | Invented. | 3.1 | No | — |\n",
         "MAY-33 is not a requirement"),
        ("the same id twice", MAY3, MAY3 + MAY3, "listed twice"),
        ("rows out of Appendix B order",
         "| SHLD-2 | Something half done. | 3.8.6 | Partial | tests/unit/test_a.c::test_three, tests/unit/test_a.c::test_one |\n"
         "| MAY-3 | Something not done. | 3.9.1.2 | No | — |\n",
         "| MAY-3 | Something not done. | 3.9.1.2 | No | — |\n"
         "| SHLD-2 | Something half done. | 3.8.6 | Partial | tests/unit/test_a.c::test_three, tests/unit/test_a.c::test_one |\n",
         "out of Appendix B order"),
        ("a Yes without a test",
         "| Yes | tests/unit/test_a.c::test_one<br>tests/interop/run.sh::check_two |", "| Yes | — |",
         "status Yes names no test"),
        ("a status outside the four", "| No | — |", "| Maybe | — |", "status 'Maybe' is not one of"),
        ("a row with a | inside a cell", "Something not done.", "Something | not done.", "6 cells, not 5"),
        ("a test that is not path::function", "tests/interop/run.sh::check_two", "check_two", "'check_two' is not a test"),
        ("a section that is not a number", "| 3.9.1.2 |", "| §3.9.1.2 |", "is not a section number"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w", encoding="utf-8") as f:
                f.write(text)
        write(IDS, "# ids\nMUST-1\nSHLD-2\nMAY-3\nREC-1\n")
        write("tests/unit/test_a.c", CLEAN_C)
        write("tests/interop/run.sh", CLEAN_SH)
        write(TABLE, CLEAN_TABLE)
        found = check(tmp)
        if found:
            print("self-test: a clean table was reported:", found)
            return 1
        for what, old, new, expect in cases:
            if old not in CLEAN_TABLE:
                print(f"self-test: bad case '{what}': '{old}' is not in the clean table")
                return 1
            write(TABLE, CLEAN_TABLE.replace(old, new, 1))
            found = check(tmp)
            if len(found) != 1 or expect not in found[0]:
                print(f"self-test: {what} was not caught as '{expect}':", found)
                return 1
            print(f"self-test: {what}: caught: {found[0]}")
        write(TABLE, CLEAN_TABLE)
        os.remove(os.path.join(tmp, IDS))
        found = check(tmp)
        if len(found) != 1 or "cannot read the list" not in found[0]:
            print("self-test: a missing id list was not caught:", found)
            return 1
        print(f"self-test: a missing id list: caught: {found[0]}")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) == 3 and sys.argv[1] == "--extract":
        print("\n".join(extract(sys.argv[2])))
        return 0
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = sys.argv[1]
    breaches = check(root)
    for b in breaches:
        print(b)
    if not breaches:
        want = load_ids(os.path.join(root, IDS))
        print(f"RFC 9293 table: all {len(want)} requirements of Appendix B, in order, "
              "every status known, every Yes tested, every test found")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
