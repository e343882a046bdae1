"""Typed values across languages: py-key-value's PydanticAdapter and kv's TypedStore.

`python typed.py write OUT.jsonl`: stores every case through PydanticAdapter in a py-key-value
MemoryStore and writes the raw stored object of each (`{"name", "stored"}` per line).
`python typed.py read IN.jsonl`: puts each raw object written by Rust into a MemoryStore and reads
it back through PydanticAdapter, checking it equals the case's Python value.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timezone

from pydantic import BaseModel

from key_value.aio.adapters.pydantic import PydanticAdapter
from key_value.aio.stores.memory import MemoryStore


class User(BaseModel):
    name: str
    age: int


CASES = {
    "list_int": (list[int], [1, 2, 3]),
    "int": (int, 42),
    "str": (str, "plain string \u00e9"),
    "user": (User, User(name="Ada", age=36)),
    "dict_str_int": (dict[str, int], {"a": 1, "b": 2}),
    "optional_float_none": (float | None, None),
    "optional_float": (float | None, 1.5),
    "datetime": (datetime, datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    "list_user": (list[User], [User(name="Ada", age=36), User(name="Bob", age=7)]),
}


async def write(path: str) -> int:
    store = MemoryStore()
    with open(path, "w", encoding="utf-8") as out:
        for name, (kind, value) in CASES.items():
            adapter = PydanticAdapter(key_value=store, pydantic_model=kind, raise_on_validation_error=True)
            await adapter.put(name, value, collection="typed")
            stored = await store.get(name, collection="typed")
            out.write(json.dumps({"name": name, "stored": stored}, sort_keys=True) + "\n")
    print(f"python: wrote {len(CASES)} typed values to {path}")
    return 0


async def read(path: str) -> int:
    store = MemoryStore()
    failures = []
    seen = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            kind, expected = CASES[row["name"]]
            await store.put(row["name"], row["stored"], collection="typed")
            adapter = PydanticAdapter(key_value=store, pydantic_model=kind, raise_on_validation_error=True)
            got = await adapter.get(row["name"], collection="typed")
            seen += 1
            if got != expected:
                failures.append(f"{row['name']}: read {got!r}, expected {expected!r} (stored {row['stored']!r})")
    if seen != len(CASES):
        failures.append(f"expected {len(CASES)} rows, read {seen}")
    for failure in failures:
        print("python: " + failure, file=sys.stderr)
    print(f"python: read {seen} typed values written by Rust, {len(failures)} failures")
    return 1 if failures else 0


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    return asyncio.run(write(sys.argv[2]) if sys.argv[1] == "write" else read(sys.argv[2]))


if __name__ == "__main__":
    sys.exit(main())
