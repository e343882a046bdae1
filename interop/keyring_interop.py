"""Python side of the keyring interop: py-key-value's KeyringStore (Python `keyring` 25.7.0,
Secret Service backend) on the private D-Bus session of `DBUS_SESSION_BUS_ADDRESS`.

Usage:
  python keyring_interop.py write RUN EXPECT.jsonl   Python writes, lists what it wrote
  python keyring_interop.py read  RUN EXPECT.jsonl   Python reads what Rust wrote

RUN keeps one run's collections apart. EXPECT.jsonl, one object per line: collection, key, value
(object or null = must be missing), expires_at (Unix seconds or null), v1 (KeyringV1 strategies).
The Rust side is `cargo run -p kv-store-keyring --example keyring_interop`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time


def cases(run: str):
    """(collection, key, value, ttl seconds or None, v1)."""
    return [
        (f"users-{run}", "alice", {"name": "Alice", "age": 30}, None, False),
        (f"users-{run}", "bob", {"name": "Bob", "score": 9.5, "tags": ["a", "b"]}, 3600, False),
        (None, f"plain-{run}", {"nested": {"a": 1, "b": 2}, "x": 1.5}, None, False),
        (f"unicode-{run}", "cl\u00e9-\u00fc", {"msg": "h\u00e9llo \u4e16\u754c \U0001F30D"}, None, False),
        (f"short-{run}", "ttl-fraction", {"t": "ttl 10.7"}, 10.7, False),
        (f"users-{run}", "a::b", {"k": "compound"}, None, False),
        (f"big-{run}", "large-value", {"blob": "B" * 20_000}, None, False),
        (f"v1 coll-{run}", "long key! " * 30, {"v1": "sanitized"}, None, True),
    ]


def make_store(v1: bool):
    from key_value.aio.stores.keyring import KeyringStore
    from key_value.aio.stores.keyring.store import (
        KeyringV1CollectionSanitizationStrategy,
        KeyringV1KeySanitizationStrategy,
    )

    if not v1:
        return KeyringStore()
    return KeyringStore(
        key_sanitization_strategy=KeyringV1KeySanitizationStrategy(),
        collection_sanitization_strategy=KeyringV1CollectionSanitizationStrategy(),
    )


def line(collection, key, value, expires_at, v1=False):
    return json.dumps({"collection": collection, "key": key, "value": value, "expires_at": expires_at, "v1": v1}) + "\n"


async def write(run: str, expect: str) -> int:
    plain, v1 = make_store(False), make_store(True)
    count = 0
    with open(expect, "w", encoding="utf-8") as out:
        for collection, key, value, ttl, use_v1 in cases(run):
            store = v1 if use_v1 else plain
            await store.put(key, value, collection=collection, ttl=ttl)
            out.write(line(collection, key, value, None if ttl is None else time.time() + ttl, use_v1))
            count += 1
        batch = f"batch-{run}"
        await plain.put_many(["m1", "m2"], [{"i": 1}, {"i": 2}], collection=batch, ttl=600)
        for k, v in (("m1", {"i": 1}), ("m2", {"i": 2})):
            out.write(line(batch, k, v, time.time() + 600))
            count += 1
        users = f"users-{run}"
        await plain.put("expired", {"gone": True}, collection=users, ttl=1)
        out.write(line(users, "expired", None, time.time() + 1))
        await plain.put("deleted", {"x": 1}, collection=users)
        assert await plain.delete("deleted", collection=users)
        out.write(line(users, "deleted", None, None))
        count += 2
    time.sleep(1.1)  # let the 1 s entry expire
    print(f"python: wrote {count} entries into the Secret Service")
    return 0


async def read(run: str, expect: str) -> int:
    import keyring

    plain, v1 = make_store(False), make_store(True)
    failures = 0
    count = 0
    for text in open(expect, encoding="utf-8"):
        case = json.loads(text)
        collection, key, value = case["collection"], case["key"], case["value"]
        store = v1 if case["v1"] else plain
        got, ttl = await store.ttl(key, collection=collection)
        count += 1
        if value is None:
            if got is not None:
                print(f"FAIL {collection}/{key[:40]}: expected missing, got {got!r}")
                failures += 1
            if case["expires_at"] is None and keyring.get_password("py-key-value", f"{collection}::{key}") is not None:
                print(f"FAIL {collection}/{key[:40]}: item still present after Rust's delete")
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
    # Python overwrites an item Rust created (create_item(replace=True) must match its attributes).
    users = f"users-{run}"
    await plain.put("alice", {"overwritten": "by python"}, collection=users)
    if keyring.get_password("py-key-value", f"{users}::alice") is None:
        print("FAIL alice: not found by plain keyring lookup")
        failures += 1
    import secretstorage

    conn = secretstorage.dbus_init()
    items = list(secretstorage.get_default_collection(conn).search_items({"service": "py-key-value", "username": f"{users}::alice"}))
    if len(items) != 1:
        print(f"FAIL alice: {len(items)} items after Python overwrote Rust's item (want 1)")
        failures += 1
    else:
        attrs = items[0].get_attributes()
        want_attrs = {"application": "Python keyring library", "service": "py-key-value", "username": f"{users}::alice"}
        if {k: v for k, v in attrs.items() if k != "xdg:schema"} != want_attrs:
            print(f"FAIL alice: attributes {attrs!r}")
            failures += 1
    if failures:
        print(f"python: {failures} of {count} checks failed")
        return 1
    print(f"python: read {count} entries written by Rust from the Secret Service, all as expected")
    return 0


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, run, expect = sys.argv[1:]
    return asyncio.run((write if mode == "write" else read)(run, expect))


if __name__ == "__main__":
    sys.exit(main())
