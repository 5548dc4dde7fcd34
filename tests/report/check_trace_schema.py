#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hold the JSON-lines trace (drivers/report.h) against its schema.

usage: check_trace_schema.py PROGRAM SCHEMA

PROGRAM (tests/report/trace_events.c) prints a real connection's trace on
the simulated network, then one hand-made event of every kind. Asserted:
  1. every line is one JSON object, valid against SCHEMA (docs/trace.schema.json);
  2. every event kind the schema names appears, and the real part alone shows
     a handshake to ESTABLISHED, a retransmission, the RETRANSMIT and TIME_WAIT
     timers, negative advice, TIME-WAIT and a drop with its reason;
  3. time never goes backwards in the real part;
  4. the schema is not vacuous: it rejects an unknown field, a missing
     required one and a wrong type.
"""
import json
import subprocess
import sys


def fail(msg):
    print("check_trace_schema: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: check_trace_schema.py PROGRAM SCHEMA")
    prog, schema_path = sys.argv[1], sys.argv[2]
    try:
        import jsonschema
    except ImportError:
        fail("python3-jsonschema is not installed; './run test' installs it "
             "(or: apt-get install python3-jsonschema)")
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    run = subprocess.run([prog], capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail(f"{prog} exited {run.returncode}: {run.stderr.strip()}")
    lines = run.stdout.splitlines()
    if len(lines) < 20:
        fail(f"only {len(lines)} lines of trace")
    events = []
    for n, line in enumerate(lines, 1):
        try:
            ev = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"line {n} is not JSON ({e}): {line}")
        errors = sorted(validator.iter_errors(ev), key=lambda e: list(e.path))
        if errors:
            fail(f"line {n} breaks the schema: {errors[0].message} at {list(errors[0].path)}: {line}")
        events.append(ev)

    kinds = set(schema["properties"]["event"]["enum"])
    seen = {ev["event"] for ev in events}
    if seen != kinds:
        fail(f"event kinds missing from the trace: {sorted(kinds - seen)}")

    # The hand-made events come last, one of each kind, at times 1..8.
    real = events[:-8]
    t = [ev["t_ns"] for ev in real]
    if any(b < a for a, b in zip(t, t[1:])):
        fail("time goes backwards in the real trace")

    def has(pred, what):
        if not any(pred(ev) for ev in real):
            fail("the real trace has no " + what)
    has(lambda e: e["event"] == "state" and e["to"] == "ESTABLISHED" and e["cause"] == "RCV_SYNACK",
        "SYN-SENT -> ESTABLISHED on a SYN,ACK")
    has(lambda e: e["event"] == "segment_out" and e["retransmit"], "retransmission")
    has(lambda e: e["event"] == "segment_in" and "SYN" in e["seg"]["flags"] and "mss" in e["seg"]["opts"],
        "SYN with its MSS option")
    has(lambda e: e["event"] == "timer" and e["timer"] == "RETRANSMIT", "RETRANSMIT timer")
    has(lambda e: e["event"] == "timer" and e["timer"] == "TIME_WAIT", "TIME_WAIT timer")
    has(lambda e: e["event"] == "negative_advice", "negative advice")
    has(lambda e: e["event"] == "state" and e["to"] == "TIME-WAIT", "TIME-WAIT")
    has(lambda e: e["event"] == "drop" and e["reason"] == "TRUNCATED" and "seg" not in e, "runt drop")

    good = dict(next(ev for ev in events if ev["event"] == "segment_in"))
    for bad, what in ((dict(good, unknown=1), "an unknown field"),
                      ({k: v for k, v in good.items() if k != "t_ns"}, "a missing t_ns"),
                      (dict(good, sock="3"), "a string sock"),
                      (dict(good, event="state"), "a state event without from/to")):
        if validator.is_valid(bad):
            fail("the schema accepts " + what)
    print(f"check_trace_schema: {len(events)} lines valid, {len(real)} from a real connection, "
          f"kinds {sorted(seen)}")


main()
