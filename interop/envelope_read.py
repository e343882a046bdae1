"""Python side of the envelope interop, direction Rust -> Python.

Reads the JSONL file written by the Rust side (one object per line: name, key, collection, envelope,
and for cases Rust made up itself also value, created_at_micros, expires_at_micros), loads each
envelope with py-key-value's `BasicSerializationAdapter().load_json` and checks:

1. the loaded value, created_at and expires_at equal the expected ones (from cases.py when the case
   name is known there, otherwise from the line itself);
2. `dump_json` of the loaded entry (with the same key and collection) is byte-identical to Rust's
   envelope, i.e. Python would write exactly the bytes Rust wrote.

Usage: python envelope_read.py IN.jsonl
Exit status 1 when any line fails; every failure is printed.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

from key_value.aio._utils.serialization import BasicSerializationAdapter

import cases


def strict_json(value: Any) -> str:
    """Type-strict comparison form (Python's == treats 1 and 1.0 as equal; JSON text does not)."""
    return json.dumps(value, sort_keys=True)


def check_line(adapter: BasicSerializationAdapter, known: dict[str, dict[str, Any]], line: dict[str, Any]) -> list[str]:
    name = line["name"]
    expected = known.get(name)
    if expected is not None:
        exp_value = expected["value"]
        exp_created = cases.micros(expected["created_at"])
        exp_expires = cases.micros(expected["expires_at"])
        if line.get("key") != expected["key"] or line.get("collection") != expected["collection"]:
            return [f"{name}: key/collection {line.get('key')!r}/{line.get('collection')!r} differ from the case"]
    else:
        exp_value = line["value"]
        exp_created = line.get("created_at_micros")
        exp_expires = line.get("expires_at_micros")

    errors: list[str] = []
    envelope = line["envelope"]
    try:
        entry = adapter.load_json(envelope)
    except Exception as exc:  # noqa: BLE001 - report every failure kind
        return [f"{name}: load_json failed: {type(exc).__name__}: {exc}"]

    if strict_json(entry.value) != strict_json(exp_value):
        errors.append(f"{name}: value {strict_json(entry.value)[:200]} != expected {strict_json(exp_value)[:200]}")
    if cases.micros(entry.created_at) != exp_created:
        errors.append(f"{name}: created_at {entry.created_at!r} != expected micros {exp_created}")
    if cases.micros(entry.expires_at) != exp_expires:
        errors.append(f"{name}: expires_at {entry.expires_at!r} != expected micros {exp_expires}")
    for field in ("created_at", "expires_at"):
        dt = getattr(entry, field)
        if dt is not None and dt.utcoffset() != timedelta(0):
            errors.append(f"{name}: {field} is not UTC: {dt.isoformat()}")

    redumped = adapter.dump_json(entry, key=line.get("key"), collection=line.get("collection"))
    if redumped != envelope:
        errors.append(f"{name}: Python re-dump differs from Rust bytes\n  rust:   {envelope[:300]}\n  python: {redumped[:300]}")
    return errors


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    adapter = BasicSerializationAdapter()
    known = {case["name"]: case for case in cases.all_cases()}
    checked = 0
    failures: list[str] = []
    seen: set[str] = set()
    with open(sys.argv[1], encoding="utf-8") as src:
        for number, raw in enumerate(src, start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except json.JSONDecodeError as exc:
                failures.append(f"line {number}: not JSON: {exc}")
                continue
            seen.add(line.get("name", ""))
            failures.extend(check_line(adapter, known, line))
            checked += 1
    missing = sorted(set(known) - seen)
    if missing:
        failures.append(f"{len(missing)} known cases missing from the Rust output, e.g. {missing[:3]}")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"python: checked {checked} Rust envelopes, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
