"""Python side of the elasticsearch interop: py-key-value's OpenSearchStore (opensearch-py 3.2.0) on a live
OpenSearch-API server (osmem, or a real OpenSearch).

Usage:
  python elasticsearch.py write URL TOKEN EXPECT.jsonl   Python writes, lists what it wrote
  python elasticsearch.py read  URL TOKEN EXPECT.jsonl   Python reads what Rust wrote

TOKEN keeps one run's collections apart from others on a shared server. EXPECT.jsonl, one object
per line: collection, key, value (object or null = must be missing), expires_at (Unix seconds or
null), v1 (read through the OpenSearchV1 key and collection strategies). Index prefix: `kv-interop`.
The Rust side is `cargo run -p kv-store-elasticsearch --example elasticsearch_interop`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

PREFIX = "kv-interop"
BIG = {"blob": "B" * 40_000}


def cases(token: str):
    """(collection, key, value, ttl seconds or None, v1)."""
    return [
        (f"users-{token}", "alice", {"name": "Alice", "age": 30}, None, False),
        (f"users-{token}", "bob", {"name": "Bob", "score": 9.5, "tags": ["a", "b"]}, 3600, False),
        (None, f"plain-{token}", {"nested": {"a": 1, "b": {"c": [1, 2]}}, "x": 1.5}, None, False),
        (f"unicode-{token}", "cl\u00e9-\u00fc", {"msg": "h\u00e9llo \u4e16\u754c \U0001F30D"}, None, False),
        (f"short-{token}", "ttl-fraction", {"t": "ttl 10.5"}, 10.5, False),
        (f"big-{token}", "large-value", BIG, None, False),
        (f"users-{token}", "a::b", {"k": "compound"}, None, False),
        (f"long-{token}", "forty-days", {"ttl": "40 days"}, 40 * 86400, False),
        (f"V1 Coll!-{token}", "long-key-" * 40, {"v1": "hashed"}, None, True),
        (f"V1 Coll!-{token}", "short/key?", {"v1": True}, 60, True),
    ]


def make_store(url: str, v1: bool):
    from key_value.aio.stores.opensearch import OpenSearchStore
    from key_value.aio.stores.opensearch.store import (
        OpenSearchV1CollectionSanitizationStrategy,
        OpenSearchV1KeySanitizationStrategy,
    )

    if v1:
        return OpenSearchStore(
            url=url,
            index_prefix=PREFIX,
            key_sanitization_strategy=OpenSearchV1KeySanitizationStrategy(),
            collection_sanitization_strategy=OpenSearchV1CollectionSanitizationStrategy(),
        )
    return OpenSearchStore(url=url, index_prefix=PREFIX)


def line(collection, key, value, expires_at, v1=False):
    return json.dumps({"collection": collection, "key": key, "value": value, "expires_at": expires_at, "v1": v1}) + "\n"


async def write(url: str, token: str, expect: str) -> int:
    plain, v1 = make_store(url, False), make_store(url, True)
    out = open(expect, "w", encoding="utf-8")
    count = 0
    async with plain, v1:
        for collection, key, value, ttl, use_v1 in cases(token):
            store = v1 if use_v1 else plain
            await store.put(key, value, collection=collection, ttl=ttl)
            out.write(line(collection, key, value, None if ttl is None else time.time() + ttl, use_v1))
            count += 1
        batch = f"batch-{token}"
        await plain.put_many(["m1", "m2"], [{"i": 1}, {"i": 2}], collection=batch, ttl=600)
        for k, v in (("m1", {"i": 1}), ("m2", {"i": 2})):
            out.write(line(batch, k, v, time.time() + 600))
            count += 1
        await plain.put("expired", {"gone": True}, collection=f"users-{token}", ttl=1)
        out.write(line(f"users-{token}", "expired", None, time.time() + 1))
        await plain.put("deleted", {"x": 1}, collection=f"users-{token}")
        assert await plain.delete("deleted", collection=f"users-{token}")
        out.write(line(f"users-{token}", "deleted", None, None))
        count += 2
    out.close()
    time.sleep(1.1)  # let the 1 s entry expire
    print(f"python: wrote {count} entries through OpenSearchStore at {url}")
    return 0


async def read(url: str, token: str, expect: str) -> int:
    plain, v1 = make_store(url, False), make_store(url, True)
    failures = 0
    count = 0
    async with plain, v1:
        for raw in open(expect, encoding="utf-8"):
            case = json.loads(raw)
            collection, key, value = case["collection"], case["key"], case["value"]
            store = v1 if case["v1"] else plain
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
        users = f"users-{token}"
        many = await plain.get_many(["alice", "bob", "nope"], collection=users)
        if many[0] is None or many[1] is None or many[2] is not None:
            print(f"FAIL get_many over Rust's entries: {many!r}")
            failures += 1
        keys = sorted(await plain.keys(collection=users))
        # py-key-value's keys() does not filter expired documents: "expired" may be listed.
        if [k for k in keys if k != "expired"] != ["a::b", "alice", "bob"]:
            print(f"FAIL keys over Rust's entries: {keys!r}")
            failures += 1
        count += 2
    if failures:
        print(f"python: {failures} of {count} checks failed")
        return 1
    print(f"python: read {count} entries written by Rust through OpenSearchStore, all as expected")
    return 0


def main() -> int:
    if len(sys.argv) != 5 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, url, token, expect = sys.argv[1:]
    return asyncio.run((write if mode == "write" else read)(url, token, expect))


if __name__ == "__main__":
    sys.exit(main())
