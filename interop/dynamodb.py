"""Python side of the DynamoDB interop: py-key-value's DynamoDBStore (aiobotocore) on a live server.

Usage:
  python dynamodb.py write ENDPOINT TABLE TOKEN EXPECT.jsonl   Python writes, lists what it wrote
  python dynamodb.py read  ENDPOINT TABLE TOKEN EXPECT.jsonl   Python reads what Rust wrote

ENDPOINT is a DynamoDB-compatible endpoint (moto_server, dynalite, DynamoDB Local); credentials
test/test, region us-east-1. TOKEN keeps one run's collections apart from others in the shared
TABLE. EXPECT.jsonl, one object per line: collection, key, value (object or null = must be
missing), expires_at (Unix seconds or null). The Rust side is
`cargo run -p kv-store-dynamodb --example dynamodb_interop`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

BIG = {"blob": "B" * 40_000}
# py-key-value reads the `ttl` attribute (whole seconds) instead of the envelope: +-1 s.
TTL_TOLERANCE = 1.5


def cases(token: str):
    """(collection, key, value, ttl seconds or None)."""
    return [
        (f"users-{token}", "alice", {"name": "Alice", "age": 30}, None),
        (f"users-{token}", "bob", {"name": "Bob", "score": 9.5, "tags": ["a", "b"]}, 3600),
        (None, f"plain-{token}", {"nested": {"a": 1, "b": 2}, "x": 1.5}, None),
        (f"unicode-{token}", "cl\u00e9-\u00fc", {"msg": "h\u00e9llo \u4e16\u754c \U0001F30D"}, None),
        (f"short-{token}", "ttl-fraction", {"t": "ttl 10.5"}, 10.5),
        (f"big-{token}", "large-value", BIG, None),
        (f"users-{token}", "a::b", {"k": "compound"}, None),
        (f"long-{token}", "forty-days", {"ttl": "40 days"}, 40 * 86400),
    ]


def make_store(endpoint: str, table: str):
    from key_value.aio.stores.dynamodb import DynamoDBStore

    return DynamoDBStore(
        table_name=table,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def line(collection, key, value, expires_at):
    return json.dumps({"collection": collection, "key": key, "value": value, "expires_at": expires_at}) + "\n"


async def write(endpoint: str, table: str, token: str, expect: str) -> int:
    store = make_store(endpoint, table)
    out = open(expect, "w", encoding="utf-8")
    count = 0
    async with store:
        for collection, key, value, ttl in cases(token):
            await store.put(key, value, collection=collection, ttl=ttl)
            out.write(line(collection, key, value, None if ttl is None else time.time() + ttl))
            count += 1
        batch = f"batch-{token}"
        await store.put_many(["m1", "m2"], [{"i": 1}, {"i": 2}], collection=batch, ttl=600)
        for k, v in (("m1", {"i": 1}), ("m2", {"i": 2})):
            out.write(line(batch, k, v, time.time() + 600))
            count += 1
        await store.put("expired", {"gone": True}, collection=f"users-{token}", ttl=1)
        out.write(line(f"users-{token}", "expired", None, time.time() + 1))
        await store.put("deleted", {"x": 1}, collection=f"users-{token}")
        assert await store.delete("deleted", collection=f"users-{token}")
        out.write(line(f"users-{token}", "deleted", None, None))
        count += 2
    out.close()
    time.sleep(2.1)  # let the 1 s entry expire (emulators never delete it: the reader must hide it)
    print(f"python: wrote {count} entries into DynamoDB table {table} at {endpoint}")
    return 0


async def read(endpoint: str, table: str, token: str, expect: str) -> int:
    store = make_store(endpoint, table)
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
                if ttl is None or abs(ttl - want) > TTL_TOLERANCE:
                    print(f"FAIL {collection}/{key[:40]}: ttl {ttl} vs expected {want:.3f}")
                    failures += 1
        many = await store.get_many(["alice", "bob", "nope"], collection=f"users-{token}")
        if many[0] is None or many[1] is None or many[2] is not None:
            print(f"FAIL get_many over Rust's entries: {many!r}")
            failures += 1
    if failures:
        print(f"python: {failures} of {count} checks failed")
        return 1
    print(f"python: read {count} entries written by Rust from DynamoDB table {table}, all as expected")
    return 0


def main() -> int:
    if len(sys.argv) != 6 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, endpoint, table, token, expect = sys.argv[1:]
    return asyncio.run((write if mode == "write" else read)(endpoint, table, token, expect))


if __name__ == "__main__":
    sys.exit(main())
