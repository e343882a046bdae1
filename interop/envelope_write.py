"""Python side of the envelope interop, direction Python -> Rust.

Dumps every case of cases.py with py-key-value's own serializer
(`BasicSerializationAdapter().dump_json`) into a JSONL file that the Rust side decodes.

Usage: python envelope_write.py OUT.jsonl
"""

from __future__ import annotations

import json
import sys

from key_value.aio._utils.managed_entry import ManagedEntry
from key_value.aio._utils.serialization import BasicSerializationAdapter

import cases


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    adapter = BasicSerializationAdapter()
    count = 0
    with open(sys.argv[1], "w", encoding="ascii") as out:
        for case in cases.all_cases():
            entry = ManagedEntry(
                value=case["value"],
                created_at=case["created_at"],
                expires_at=case["expires_at"],
            )
            envelope = adapter.dump_json(entry, key=case["key"], collection=case["collection"])
            line = {
                "name": case["name"],
                "key": case["key"],
                "collection": case["collection"],
                "value": case["value"],
                "created_at": entry.created_at_isoformat,
                "created_at_micros": cases.micros(case["created_at"]),
                "expires_at": entry.expires_at_isoformat,
                "expires_at_micros": cases.micros(case["expires_at"]),
                "envelope": envelope,
            }
            out.write(json.dumps(line, sort_keys=True) + "\n")
            count += 1
    print(f"python: wrote {count} envelopes to {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
