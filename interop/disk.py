"""Python side of the disk interop: py-key-value's DiskStore / MultiDiskStore (diskcache 5.6.3).

Usage:
  python disk.py write disk|multi-disk DIR EXPECT.jsonl   Python writes DIR, lists what it wrote
  python disk.py read  disk|multi-disk DIR EXPECT.jsonl   Python reads DIR written by Rust

EXPECT.jsonl, one object per line: collection, key, value (object or null = must be missing),
expires_at (Unix seconds or null). The Rust side is `cargo run -p kv-store-disk --example disk_interop`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

BIG = {"blob": "B" * 40_000}
CASES = [
    # (collection, key, value, ttl seconds or None)
    ("users", "alice", {"name": "Alice", "age": 30}, None),
    ("users", "bob", {"name": "Bob", "score": 9.5, "tags": ["a", "b"]}, 3600),
    (None, "plain", {"nested": {"a": 1, "b": 2}, "x": 1.5}, None),
    ("unicode", "cl\u00e9-\u00fc", {"msg": "h\u00e9llo \u4e16\u754c \U0001F30D"}, None),
    ("short", "ttl-fraction", {"t": "ttl 10.5"}, 10.5),
    ("big", "large-value", BIG, None),
    ("big", "inline-multi-page", {"blob": "M" * 10_000}, None),
    ("my coll/x:y", "sanitized", {"dir": "sanitized"}, None),
    ("users", "a::b", {"k": "compound"}, None),
    ("users", "long-ttl", {"ttl": "ten years"}, 315360000),
]
BATCH = ("batch", [("m1", {"i": 1}), ("m2", {"i": 2})], 600)
EXPIRING = ("users", "expired", {"gone": True}, 1)


def make_store(kind: str, directory: str):
    if kind == "disk":
        from key_value.aio.stores.disk import DiskStore

        return DiskStore(directory=directory)
    if kind == "multi-disk":
        from key_value.aio.stores.disk import MultiDiskStore

        return MultiDiskStore(base_directory=Path(directory))
    raise SystemExit(f"unknown kind {kind}")


def line(collection, key, value, expires_at):
    return json.dumps({"collection": collection, "key": key, "value": value, "expires_at": expires_at}) + "\n"


async def write(kind: str, directory: str, expect: str) -> int:
    store = make_store(kind, directory)
    out = open(expect, "w", encoding="utf-8")
    async with store:
        for collection, key, value, ttl in CASES:
            await store.put(key, value, collection=collection, ttl=ttl)
            out.write(line(collection, key, value, None if ttl is None else time.time() + ttl))
        collection, items, ttl = BATCH
        await store.put_many([k for k, _ in items], [v for _, v in items], collection=collection, ttl=ttl)
        for k, v in items:
            out.write(line(collection, k, v, time.time() + ttl))
        collection, key, value, ttl = EXPIRING
        await store.put(key, value, collection=collection, ttl=ttl)
        out.write(line(collection, key, None, time.time() + ttl))
        await store.put("deleted", {"x": 1}, collection="users")
        assert await store.delete("deleted", collection="users")
        out.write(line("users", "deleted", None, None))
    out.close()
    time.sleep(1.2)  # let the expiring entry expire
    print(f"python: wrote {len(CASES) + 4} entries with {kind} into {directory}")
    return 0


async def read(kind: str, directory: str, expect: str) -> int:
    store = make_store(kind, directory)
    failures = 0
    count = 0
    async with store:
        for raw in open(expect, encoding="utf-8"):
            case = json.loads(raw)
            collection, key, value = case["collection"], case["key"], case["value"]
            got, ttl = await store.ttl(key, collection=collection)
            count += 1
            if value is None:
                if got is not None:
                    print(f"FAIL {collection}/{key}: expected missing, got {got!r}")
                    failures += 1
                continue
            if got != value:
                print(f"FAIL {collection}/{key}: value {str(got)[:200]!r} != {str(value)[:200]!r}")
                failures += 1
                continue
            if case["expires_at"] is None:
                if ttl is not None:
                    print(f"FAIL {collection}/{key}: ttl {ttl} but written without TTL")
                    failures += 1
            else:
                want = case["expires_at"] - time.time()
                if ttl is None or abs(ttl - want) > 1.5:
                    print(f"FAIL {collection}/{key}: ttl {ttl} vs expected {want:.3f}")
                    failures += 1
        # Python can keep writing into a Rust-made cache, and reads it back.
        await store.put("from-python", {"ok": True}, collection="users")
        assert await store.get("from-python", collection="users") == {"ok": True}
    if failures:
        print(f"python: {failures} of {count} checks failed")
        return 1
    print(f"python: read {count} entries written by Rust ({kind}), all as expected")
    return 0


def main() -> int:
    if len(sys.argv) != 5 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, kind, directory, expect = sys.argv[1:]
    return asyncio.run((write if mode == "write" else read)(kind, directory, expect))


if __name__ == "__main__":
    sys.exit(main())
