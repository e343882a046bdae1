"""Python side of the Redis / Valkey interop: py-key-value's RedisStore and ValkeyStore on the
live servers of `cargo xtask services up` (KV_TEST_REDIS_URL, KV_TEST_VALKEY_URL,
KV_TEST_VALKEY_CLUSTER_URL).

Usage:
  python redis_valkey.py write redis|valkey|valkey-cluster URL EXPECT.jsonl   Python writes, lists what it wrote
  python redis_valkey.py read  redis|valkey|valkey-cluster URL EXPECT.jsonl   Python reads what Rust wrote

EXPECT.jsonl, one object per line: collection, key, value (object or null = must be missing),
ttl (requested seconds or null), expires_at (Unix seconds or null). The Rust side is
`cargo run -p kv-store-redis --example redis_interop` / `cargo run -p kv-store-valkey --example valkey_interop`,
which writes the same cases (taken from Python's EXPECT file) under its own collection prefix.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import parse_qs, urlparse

from cases import SIMPLE_CASES

PREFIX = "interop-py-"
CASES = [
    # (collection, key, value, ttl seconds or None)
    ("users", "alice", {"name": "Alice", "age": 30}, None),
    ("users", "bob", {"name": "Bob", "score": 9.5, "tags": ["a", "b"]}, 3600),
    ("default_collection", "plain", {"nested": {"a": 1, "b": 2}, "x": 1.5}, None),
    ("unicode", "cl\u00e9-\u00fc", {"msg": "h\u00e9llo \u4e16\u754c \U0001F30D"}, None),
    ("short", "ttl-fraction", {"t": "ttl 10.5"}, 10.5),
    ("big", "large-value", {"blob": "B" * 40_000}, None),
    ("glob*?[x]", "a::b", {"k": "compound"}, None),
    ("users", "long-ttl", {"ttl": "ten years"}, 315360000),
] + [("simple", name, value, None) for name, value in SIMPLE_CASES]
BATCH = ("batch", [("m1", {"i": 1}), ("m2", {"i": 2})], 600)
EXPIRING = ("users", "expired", {"gone": True}, 1)


def make_store(kind: str, url: str):
    parsed = urlparse(url)
    if kind == "redis":
        from key_value.aio.stores.redis import RedisStore

        return RedisStore(url=url)
    if kind == "valkey":
        from key_value.aio.stores.valkey import ValkeyStore

        db = int(parsed.path.lstrip("/") or 0)
        return ValkeyStore(host=parsed.hostname, port=parsed.port, db=db)
    if kind == "valkey-cluster":
        from glide import GlideClusterClientConfiguration, NodeAddress
        from key_value.aio.stores.valkey import ValkeyStore

        nodes = [NodeAddress(parsed.hostname, parsed.port)]
        for node in parse_qs(parsed.query).get("node", []):
            host, port = node.rsplit(":", 1)
            nodes.append(NodeAddress(host, int(port)))
        return ValkeyStore(config=GlideClusterClientConfiguration(addresses=nodes))
    raise SystemExit(f"unknown kind {kind}")


def line(collection, key, value, ttl, expires_at):
    return json.dumps(
        {"collection": collection, "key": key, "value": value, "ttl": ttl, "expires_at": expires_at}
    ) + "\n"


async def write(kind: str, url: str, expect: str) -> int:
    store = make_store(kind, url)
    out = open(expect, "w", encoding="utf-8")
    count = 0
    async with store:
        for collection, key, value, ttl in CASES:
            c = PREFIX + collection
            await store.put(key, value, collection=c, ttl=ttl)
            out.write(line(c, key, value, ttl, None if ttl is None else time.time() + ttl))
            count += 1
        collection, items, ttl = BATCH
        c = PREFIX + collection
        await store.put_many([k for k, _ in items], [v for _, v in items], collection=c, ttl=ttl)
        for k, v in items:
            out.write(line(c, k, v, ttl, time.time() + ttl))
            count += 1
        collection, key, value, ttl = EXPIRING
        await store.put(key, value, collection=PREFIX + collection, ttl=ttl)
        out.write(line(PREFIX + collection, key, None, ttl, time.time() + ttl))
        await store.put("deleted", {"x": 1}, collection=PREFIX + "users")
        assert await store.delete("deleted", collection=PREFIX + "users")
        out.write(line(PREFIX + "users", "deleted", None, None, None))
        count += 2
    out.close()
    time.sleep(1.5)  # let the expiring entry expire
    print(f"python: wrote {count} entries with {kind} at {urlparse(url).hostname}:{urlparse(url).port}")
    return 0


async def read(kind: str, url: str, expect: str) -> int:
    store = make_store(kind, url)
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
        got = await store.get_many([json.loads(r)["key"] for r in open(expect, encoding="utf-8")][:3],
                                   collection=json.loads(open(expect, encoding="utf-8").readline())["collection"])
        if got[0] is None:
            print("FAIL get_many of Rust-written entries returned None")
            failures += 1
    if failures:
        print(f"python: {failures} of {count} checks failed")
        return 1
    print(f"python: read {count} entries written by Rust ({kind}), all as expected")
    return 0


def main() -> int:
    if len(sys.argv) != 5 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, kind, url, expect = sys.argv[1:]
    return asyncio.run((write if mode == "write" else read)(kind, url, expect))


if __name__ == "__main__":
    sys.exit(main())
