"""The benchmark workload of WORKLOAD.md (v1), run on py-key-value (PyPI py-key-value-aio).

Usage: python py_workload.py --store STORE [--profile quick|full] [--url URL]
STORE: memory, disk, rocksdb, redis, valkey, memcached (--url HOST:PORT), mongodb (--url
mongodb://...), elasticsearch (OpenSearchStore, --url http://host:port), dynamodb (--url endpoint
of a local server; table kv-bench, static test credentials), vault (--url address; token from
KV_TEST_VAULT_TOKEN, else root; mount secret).
Prints one JSON line per store and op (WORKLOAD.md section 6) on stdout; progress on stderr.
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

PROFILES = {"full": (20_000, 40_000, 2_000, 3), "quick": (5_000, 10_000, 500, 3)}
B, C, TTL = 100, 50, 3600
WARM = 9_000_000
# Stores on a server whose data outlives a repetition (redis and valkey are cleaned by SCAN).
SERVER_STORES = ("memcached", "mongodb", "elasticsearch", "dynamodb", "vault")


def key(i):
    return "user-%07d" % i


def value(i):
    k = key(i)
    return {"name": k, "email": k + "@example.com", "age": 20 + i % 60, "tags": ["a", "b"], "active": True}


def make_store(kind, url, tmp):
    if kind == "memory":
        from key_value.aio.stores.memory import MemoryStore

        return MemoryStore()
    if kind == "disk":
        from key_value.aio.stores.disk import DiskStore

        return DiskStore(directory=tmp)
    if kind == "rocksdb":
        from key_value.aio.stores.rocksdb import RocksDBStore

        return RocksDBStore(path=tmp)
    if kind == "redis":
        from key_value.aio.stores.redis import RedisStore

        return RedisStore(url=url)
    if kind == "valkey":
        from urllib.parse import urlparse

        from key_value.aio.stores.valkey import ValkeyStore

        u = urlparse(url)
        db = int(u.path.strip("/") or 0)
        return ValkeyStore(host=u.hostname or "127.0.0.1", port=u.port or 6379, db=db)
    if kind == "memcached":
        from key_value.aio.stores.memcached import MemcachedStore

        host, _, port = url.removeprefix("memcached://").rstrip("/").rpartition(":")
        return MemcachedStore(host=host or "127.0.0.1", port=int(port or 11211))
    if kind == "mongodb":
        from key_value.aio.stores.mongodb import MongoDBStore

        return MongoDBStore(url=url)
    if kind == "elasticsearch":
        from key_value.aio.stores.opensearch import OpenSearchStore

        return OpenSearchStore(url=url, index_prefix="kv-bench-py")
    if kind == "dynamodb":
        from key_value.aio.stores.dynamodb import DynamoDBStore

        tolerate_missing_ttl_api()
        return DynamoDBStore(
            table_name="kv-bench-py",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
    if kind == "vault":
        from key_value.aio.stores.vault import VaultStore

        return VaultStore(url=url, token=os.environ.get("KV_TEST_VAULT_TOKEN") or "root", mount_point="secret")
    raise SystemExit(f"unknown store {kind}")


def tolerate_missing_ttl_api():
    """dynalite has no UpdateTimeToLive; py-key-value's setup() fails on it where kv's warns.
    Setup is untimed, so the harness lets py-key-value go on the same way (as kv does)."""
    from botocore.exceptions import ClientError
    from key_value.aio.stores.dynamodb import store as dynamodb_store

    enable = dynamodb_store._enable_dynamodb_ttl

    async def enable_if_supported(client, table_name, attribute_name="ttl"):
        try:
            await enable(client, table_name, attribute_name)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "UnknownOperationException":
                raise
            print("py-key-value: the server has no UpdateTimeToLive; going on without", file=sys.stderr)

    dynamodb_store._enable_dynamodb_ttl = enable_if_supported


async def clean_keys(store, n, w, args):
    """Deletes every key a repetition writes, as kv-bench does (stores that keep data). Untimed.
    On memcached one pipeline of `delete ... noreply` per 1000 keys (py-key-value's delete_many
    deletes one key per round trip, which made cleaning most of a quick run)."""
    for lo, hi in ((0, 4 * n), (WARM, WARM + max(w, 2 * C))):
        for s in range(lo, hi, 1000):
            keys = [key(i) for i in range(s, min(s + 1000, hi))]
            if args.store == "memcached":
                await delete_memcached(args.url, [f"bench::{k}" for k in keys])
            else:
                await store.delete_many(keys, collection="bench")


async def delete_memcached(address, keys):
    """`delete <key> noreply` for every key, then `version`: its reply means memcached ran them."""
    host, _, port = address.removeprefix("memcached://").rstrip("/").rpartition(":")
    reader, writer = await asyncio.open_connection(host or "127.0.0.1", int(port))
    writer.write("".join(f"delete {k} noreply\r\n" for k in keys).encode() + b"version\r\n")
    await writer.drain()
    line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    if not line.startswith(b"VERSION"):
        raise SystemExit(f"memcached cleaning failed: {line!r}")


async def clean_redis(url):
    import redis.asyncio as redis

    client = redis.from_url(url, decode_responses=True)
    async for batch in _scan(client):
        if batch:
            await client.unlink(*batch)
    await client.aclose()


async def _scan(client):
    cursor = 0
    while True:
        cursor, keys = await client.scan(cursor, match="bench::*", count=1000)
        yield keys
        if cursor == 0:
            break


def pct(samples, q):
    samples = sorted(samples)
    return samples[min(int(q * len(samples)), len(samples) - 1)] * 1e6


async def repetition(store, n, m, w):
    out = {}
    warm = [WARM + i for i in range(w)]

    async def single(op, rng, ttl=None, read=False):
        for i in warm:
            if read:
                await store.get(key(i), collection="bench")
            else:
                await store.put(key(i), value(i), collection="bench", ttl=ttl)
        lat = []
        start = time.perf_counter()
        for i in rng:
            t0 = time.perf_counter()
            if read:
                got = await store.get(key(i), collection="bench")
                if got is None:
                    raise SystemExit(f"miss on {key(i)}")
            else:
                await store.put(key(i), value(i), collection="bench", ttl=ttl)
            lat.append(time.perf_counter() - t0)
        out[op] = (len(rng) / (time.perf_counter() - start), pct(lat, 0.5), pct(lat, 0.99))

    async def batch(op, rng, ttl=None, read=False):
        async def call(idx):
            keys = [key(i) for i in idx]
            if read:
                got = await store.get_many(keys, collection="bench")
                return got
            await store.put_many(keys, [value(i) for i in idx], collection="bench", ttl=ttl)

        for s in range(0, len(warm), B):
            await call(warm[s : s + B])
        start = time.perf_counter()
        items = list(rng)
        for s in range(0, len(items), B):
            got = await call(items[s : s + B])
            if read and any(g is None for g in got):
                raise SystemExit("miss in get_many")
        out[op] = (len(items) / (time.perf_counter() - start), None, None)

    await single("put", range(0, n))
    await single("put_ttl", range(n, 2 * n), ttl=TTL)
    await single("get", range(0, n), read=True)
    await batch("get_many", range(0, n), read=True)
    await batch("put_many", range(2 * n, 3 * n))
    await batch("put_many_ttl", range(3 * n, 4 * n), ttl=TTL)

    async def mix(js, ids):
        for j in js:
            i = ids(j)
            if j % 5 == 0:
                await store.put(key(i), value(i), collection="bench")
            elif await store.get(key(i), collection="bench") is None:
                raise SystemExit(f"miss on {key(i)}")

    warm_ops = max(w, 2 * C)
    await asyncio.gather(*(mix(range(t, warm_ops, C), lambda j: WARM + j % w) for t in range(C)))
    start = time.perf_counter()
    await asyncio.gather(*(mix(range(t, m, C), lambda j: (j * 7919) % n) for t in range(C)))
    out["concurrent"] = (m / (time.perf_counter() - start), None, None)
    return out


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--profile", default="full", choices=PROFILES)
    ap.add_argument("--url", default="redis://127.0.0.1:6379/0")
    args = ap.parse_args()
    n, m, w, r = PROFILES[args.profile]
    import importlib.metadata as md

    version = md.version("py-key-value-aio")
    runs = []
    for rep in range(r):
        tmp = tempfile.mkdtemp(prefix="kv-bench-py-")
        # Cleaned before the first repetition and after every one (as kv-bench does).
        if rep == 0 and args.store in ("redis", "valkey"):
            await clean_redis(args.url)
        store = make_store(args.store, args.url, tmp)
        await store.setup()
        if rep == 0 and args.store in SERVER_STORES:
            await clean_keys(store, n, w, args)
        print(f"py-key-value {args.store} repetition {rep + 1}/{r}", file=sys.stderr)
        runs.append(await repetition(store, n, m, w))
        if args.store in SERVER_STORES:
            await clean_keys(store, n, w, args)
        close = getattr(store, "close", None)
        if close:
            await close()
        shutil.rmtree(tmp, ignore_errors=True)
        if args.store in ("redis", "valkey"):
            await clean_redis(args.url)
    for op in runs[0]:
        values = [run[op][0] for run in runs]
        batch = B if op in ("get_many", "put_many", "put_many_ttl") else 1
        line = {
            "impl": "py-key-value",
            "store": args.store,
            "op": op,
            "ops_per_sec": statistics.median(values),
            "n": m if op == "concurrent" else n,
            "calls_per_sec": statistics.median(values) / batch,
            "runs": values,
            "batch": batch,
            "concurrency": C if op == "concurrent" else 1,
            "ttl": TTL if op.endswith("ttl") else None,
            "profile": args.profile,
            "version": version,
        }
        if runs[0][op][1] is not None:
            line["p50_us"] = statistics.median(run[op][1] for run in runs)
            line["p99_us"] = statistics.median(run[op][2] for run in runs)
        print(json.dumps(line))


if __name__ == "__main__":
    asyncio.run(main())
