"""Python side of the MongoDB interop: py-key-value's MongoDBStore (pymongo 4.20.1) on a live server.

Usage:
  python mongodb.py write URL TOKEN EXPECT.jsonl   Python writes, lists what it wrote
  python mongodb.py read  URL TOKEN EXPECT.jsonl   Python reads what Rust wrote

Both sides use the default database `kv-store-adapter`. TOKEN keeps one run's collections apart
from others on a shared server; collection names stay within `[A-Za-z0-9_]` because the
stand-in server (nx-27017) accepts nothing else. EXPECT.jsonl, one object per line: collection,
key, value (object or null = must be missing), expires_at (Unix seconds or null). The Rust side
is `cargo run -p kv-store-mongodb --example mongodb_interop`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

BIG = {"blob": "B" * 40_000}
TYPES = {
    "i32": 5,
    "i64": 2**40,
    "neg": -3,
    "f": 1.5,
    "none": None,
    "yes": True,
    "list": [1, "two", 3.5, None, {"x": [False]}],
    "nested": {"a": {"b": {"c": "deep"}}},
}


def cases(token: str):
    """(collection, key, value, ttl seconds or None)."""
    return [
        (f"users_{token}", "alice", {"name": "Alice", "age": 30}, None),
        (f"users_{token}", "bob", {"name": "Bob", "score": 9.5, "tags": ["a", "b"]}, 3600),
        (None, f"plain-{token}", {"nested": {"a": 1, "b": 2}, "x": 1.5}, None),
        (f"unicode_{token}", "cl\u00e9-\u00fc \u4e16", {"msg": "h\u00e9llo \u4e16\u754c \U0001F30D"}, None),
        (f"types_{token}", "all-types", TYPES, 120.5),
        (f"big_{token}", "large-value", BIG, None),
        (f"users_{token}", "a::b", {"k": "compound"}, None),
    ]


def make_store(url: str):
    from key_value.aio.stores.mongodb import MongoDBStore

    return MongoDBStore(url=url)


def line(collection, key, value, expires_at):
    return json.dumps({"collection": collection, "key": key, "value": value, "expires_at": expires_at}) + "\n"


async def write(url: str, token: str, expect: str) -> int:
    store = make_store(url)
    out = open(expect, "w", encoding="utf-8")
    count = 0
    async with store:
        for collection, key, value, ttl in cases(token):
            await store.put(key, value, collection=collection, ttl=ttl)
            out.write(line(collection, key, value, None if ttl is None else time.time() + ttl))
            count += 1
        batch = f"batch_{token}"
        await store.put_many(["m1", "m2"], [{"i": 1}, {"i": 2}], collection=batch, ttl=600)
        for k, v in (("m1", {"i": 1}), ("m2", {"i": 2})):
            out.write(line(batch, k, v, time.time() + 600))
            count += 1
        await store.put("expired", {"gone": True}, collection=f"users_{token}", ttl=1)
        out.write(line(f"users_{token}", "expired", None, time.time() + 1))
        await store.put("deleted", {"x": 1}, collection=f"users_{token}")
        assert await store.delete("deleted", collection=f"users_{token}")
        out.write(line(f"users_{token}", "deleted", None, None))
        count += 2
    out.close()
    time.sleep(1.2)  # let the 1 s entry expire
    print(f"python: wrote {count} entries into MongoDB at {url}")
    return 0


async def read(url: str, token: str, expect: str) -> int:
    store = make_store(url)
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
                    print(f"FAIL {collection}/{key[:40]}: expected missing, got {got!r}")
                    failures += 1
                continue
            if got != value:
                print(f"FAIL {collection}/{key[:40]}: value {str(got)[:200]!r} != {str(value)[:200]!r}")
                failures += 1
                continue
            if case["expires_at"] is None:
                if ttl is not None:
                    print(f"FAIL {collection}/{key[:40]}: ttl {ttl} but written without TTL")
                    failures += 1
            else:
                want = case["expires_at"] - time.time()
                if ttl is None or abs(ttl - want) > 1.5:
                    print(f"FAIL {collection}/{key[:40]}: ttl {ttl} vs expected {want:.3f}")
                    failures += 1
        many = await store.get_many(["alice", "bob", "nope"], collection=f"users_{token}")
        if many[0] is None or many[1] is None or many[2] is not None:
            print(f"FAIL get_many over Rust's entries: {many!r}")
            failures += 1
        count += 1
    if failures:
        print(f"python: {failures} of {count} checks failed")
        return 1
    print(f"python: read {count} entries written by Rust from MongoDB, all as expected")
    return 0


def main() -> int:
    if len(sys.argv) != 5 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, url, token, expect = sys.argv[1:]
    return asyncio.run((write if mode == "write" else read)(url, token, expect))


if __name__ == "__main__":
    sys.exit(main())
