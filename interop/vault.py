"""Python side of the Vault interop: py-key-value's VaultStore (hvac 2.4.0) on a live KV v2 mount.

Usage:
  python vault.py write ADDRESS RUN EXPECT.jsonl   Python writes, lists what it wrote
  python vault.py read  ADDRESS RUN EXPECT.jsonl   Python reads what Rust wrote

The token comes from the environment (KV_TEST_VAULT_TOKEN, default `root`), never from the
command line. RUN keeps one run's collections apart from others on a shared server. EXPECT.jsonl,
one object per line: collection, key, value (object or null = must be missing), expires_at (Unix
seconds or null). A final line {"keys": collection, "expect": [...]} lists a collection's live
keys. The Rust side is `cargo run -p kv-store-vault --example vault_interop`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time


def cases(run: str):
    """(collection, key, value, ttl seconds or None)."""
    return [
        (f"users-{run}", "alice", {"name": "Alice", "age": 30}, None),
        (f"users-{run}", "bob", {"name": "Bob", "score": 9.5, "tags": ["a", "b"]}, 3600),
        (None, f"plain-{run}", {"nested": {"a": 1, "b": 2}, "x": 1.5}, None),
        (f"unicode-{run}", "cl\u00e9-\u00fc", {"msg": "h\u00e9llo \u4e16\u754c \U0001F30D"}, None),
        (f"short-{run}", "ttl-fraction", {"t": "ttl 10.7"}, 10.7),
        (f"users-{run}", "a::b", {"k": "compound"}, None),
        (f"users-{run}", "dir/nested", {"k": "a slash nests the path"}, None),
        (f"users-{run}", "space and \"quotes\"", {"k": "escaped in the URL"}, None),
        (f"big-{run}", "large-value", {"blob": "B" * 40_000}, None),
    ]


def make_store(address: str):
    from key_value.aio.stores.vault import VaultStore

    return VaultStore(url=address, token=os.environ.get("KV_TEST_VAULT_TOKEN") or "root", mount_point="secret")


def line(collection, key, value, expires_at):
    return json.dumps({"collection": collection, "key": key, "value": value, "expires_at": expires_at}) + "\n"


async def write(address: str, run: str, expect: str) -> int:
    store = make_store(address)
    count = 0
    with open(expect, "w", encoding="utf-8") as out:
        for collection, key, value, ttl in cases(run):
            await store.put(key, value, collection=collection, ttl=ttl)
            out.write(line(collection, key, value, None if ttl is None else time.time() + ttl))
            count += 1
        batch = f"batch-{run}"
        await store.put_many(["m1", "m2"], [{"i": 1}, {"i": 2}], collection=batch, ttl=600)
        for k, v in (("m1", {"i": 1}), ("m2", {"i": 2})):
            out.write(line(batch, k, v, time.time() + 600))
            count += 1
        users = f"users-{run}"
        await store.put("expired", {"gone": True}, collection=users, ttl=1)
        out.write(line(users, "expired", None, time.time() + 1))
        await store.put("deleted", {"x": 1}, collection=users)
        assert await store.delete("deleted", collection=users)
        out.write(line(users, "deleted", None, None))
        count += 2
        out.write(json.dumps({"keys": users, "expect": sorted(["alice", "bob", "a::b", "dir/nested", "space and \"quotes\""])}) + "\n")
    time.sleep(1.1)  # let the 1 s entry expire
    print(f"python: wrote {count} entries into Vault at {address}")
    return 0


async def read(address: str, run: str, expect: str) -> int:
    import hvac

    store = make_store(address)
    raw = hvac.Client(url=address, token=os.environ.get("KV_TEST_VAULT_TOKEN") or "root")
    failures = 0
    count = 0
    for text in open(expect, encoding="utf-8"):
        case = json.loads(text)
        if "keys" in case:
            continue
        collection, key, value = case["collection"], case["key"], case["value"]
        got, ttl = await store.ttl(key, collection=collection)
        count += 1
        if value is None:
            if got is not None:
                print(f"FAIL {collection}/{key[:40]}: expected missing, got {got!r}")
                failures += 1
            if case["expires_at"] is None:
                # Deleted by Rust: every version and the metadata are gone.
                path = f"{collection}::{key}"
                try:
                    raw.secrets.kv.v2.read_secret_metadata(path=path, mount_point="secret")
                    print(f"FAIL {path}: metadata still present after Rust's delete")
                    failures += 1
                except hvac.exceptions.InvalidPath:
                    pass
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
    many = await store.get_many(["alice", "bob", "nope"], collection=f"users-{run}")
    if many[0] is None or many[1] is None or many[2] is not None:
        print(f"FAIL get_many over Rust's entries: {many!r}")
        failures += 1
    if failures:
        print(f"python: {failures} of {count} checks failed")
        return 1
    print(f"python: read {count} entries written by Rust from Vault, all as expected")
    return 0


def main() -> int:
    if len(sys.argv) != 5 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, address, run, expect = sys.argv[1:]
    return asyncio.run((write if mode == "write" else read)(address, run, expect))


if __name__ == "__main__":
    sys.exit(main())
