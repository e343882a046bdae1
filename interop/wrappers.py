"""Python side of the wrappers interop: py-key-value's CompressionWrapper and
FernetEncryptionWrapper (cryptography 50.0.2) over a DiskStore directory both sides open.

Usage:
  python wrappers.py write DIR   Python writes every case of CASES through its stack
  python wrappers.py read  DIR   Python reads the cases Rust wrote, checks values and raw payloads

The Rust side is `cargo run -p kv-wrappers --example wrappers_interop --features compression,encryption`
with the same cases. Every stack is checked twice: through the wrappers (the value) and on the
bare store (the payload is really compressed / encrypted, in the wire format).
"""

from __future__ import annotations

import asyncio
import sys

FERNET_KEY = "tyRkRGv8Y2uRrlvmX0ecJyg5AjO2eBoKPp7yOYKCnTo="  # test key, base64 of 32 bytes
PASSPHRASE = ("kv interop source material", "kv interop salt")
BIG = {"text": "kv " * 600, "n": list(range(50))}  # over 1024 bytes: compressed by default
CASES = [
    # (stack, key, value)
    ("gzip", "big", BIG),
    ("gzip", "small", {"tiny": True}),  # under min size: stored as is
    ("fernet", "secret", {"card": "4111", "nested": {"a": [1, 2.5, None]}}),
    ("gzip-fernet", "both", BIG),
    ("passphrase", "derived", {"msg": "h\u00e9llo \U0001F30D"}),
]


def stack(name: str, store):
    from cryptography.fernet import Fernet
    from key_value.aio.wrappers.compression import CompressionWrapper
    from key_value.aio.wrappers.encryption import FernetEncryptionWrapper

    if name == "gzip":
        return CompressionWrapper(store)
    if name == "fernet":
        return FernetEncryptionWrapper(store, fernet=Fernet(FERNET_KEY))
    if name == "gzip-fernet":
        return CompressionWrapper(FernetEncryptionWrapper(store, fernet=Fernet(FERNET_KEY)))
    if name == "passphrase":
        source, salt = PASSPHRASE
        return FernetEncryptionWrapper(store, source_material=source, salt=salt)
    raise SystemExit(f"unknown stack {name}")


def expected_payload(name: str, value: dict) -> str:
    """The marker the bare store must show for this case."""
    if name == "gzip":
        return "__compressed_data__" if len(str(value)) > 1024 else "plain"
    return "__encrypted_data__"


async def main(mode: str, directory: str) -> int:
    from key_value.aio.stores.disk import DiskStore

    store = DiskStore(directory=directory)
    stacks = {}
    async with store:
        for name, key, value in CASES:
            wrapped = stacks.setdefault(name, stack(name, store))
            if mode == "write":
                await wrapped.put(key, value, collection=name, ttl=3600)
                continue
            got = await wrapped.get(key, collection=name)
            if got != value:
                print(f"{name}/{key}: read {got!r}, expected {value!r}", file=sys.stderr)
                return 1
            raw = await store.get(key, collection=name)
            marker = expected_payload(name, value)
            if marker == "plain" and raw != value or marker != "plain" and marker not in (raw or {}):
                print(f"{name}/{key}: stored payload {str(raw)[:120]} lacks {marker}", file=sys.stderr)
                return 1
            _, ttl = await wrapped.ttl(key, collection=name)
            if ttl is None or not 0 < ttl <= 3600:
                print(f"{name}/{key}: ttl {ttl}", file=sys.stderr)
                return 1
    print(f"python {mode}: {len(CASES)} wrapper cases ok")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "read"):
        raise SystemExit(__doc__)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
