"""Shared inputs of the envelope interop suite.

The value cases are the 26 SIMPLE_CASES and the 4 LARGE_DATA_CASES of py-key-value's test suite
(spec/conformance.md section 2). Each value case is combined with several timestamp variants and
key/collection names (ASCII, non-ASCII, astral, separators) so the envelope codec is exercised on
every field it writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

UUID_TEXT = "12345678-1234-5678-1234-567812345678"

SIMPLE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("null-value", {"null_key": None}),
    ("null-list", {"str_key": [None, None, None]}),
    ("null-nested-dict-values", {"str_key": {"str_key_2": None, "str_key_3": None}}),
    ("null-no-implicit-serialization-in-keys", {"null": "str_value"}),
    ("null-no-implicit-serialization-in-values", {"str_key": "null"}),
    ("boolean-value-true", {"bool_true_key": True}),
    ("boolean-value-false", {"bool_false_key": False}),
    ("boolean-list", {"str_key": [True, False, True]}),
    ("boolean-nested-dict-values", {"str_key": {"str_key_2": True, "str_key_3": False}}),
    ("boolean-no-implicit-serialization-in-keys", {"true": "str_value"}),
    ("boolean-no-implicit-serialization-in-values", {"str_key": "true"}),
    ("integer-int", {"int_key": 1}),
    ("integer-value-negative", {"negative_int_key": -42}),
    ("integer-large-value", {"large_int_key": 1000000000000000000}),
    ("integer-no-implicit-serialization-in-keys", {"1": "str_value"}),
    ("integer-no-implicit-serialization-in-values", {"str_key": "1"}),
    ("float-value", {"float_key": 1.0}),
    ("float-large-value", {"large_float_key": 12345678901.2345}),
    ("float-no-implicit-serialization-in-keys", {"1.0": "str_value"}),
    ("float-no-implicit-serialization-in-values", {"str_key": "1.0"}),
    ("string-string", {"string_key": "string_value"}),
    ("string-1kb-value", {"string_key": "a" * 1024}),
    ("string-unicode", {"unicode_key": "Hello \u4e16\u754c \U0001f30d \u00e9mojis"}),
    ("string-special-chars", {"special_key": "Line1\nLine2\tTabbed"}),
    ("uuid-no-implicit-conversion-in-keys", {UUID_TEXT: "str_value"}),
    ("uuid-no-implicit-conversion-in-values", {"str_key": UUID_TEXT}),
]

LARGE_DATA_CASES: list[tuple[str, dict[str, Any]]] = [
    ("large-data-string", {"large_string_key": "a" * 10000}),
    ("large-data-int", {"large_int_key": 1000000000000000000}),
    ("large-data-float", {"large_float_key": 12345678901.2345}),
    ("large-data-list", {"large_list_key": list(range(1000))}),
]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# (variant name, created_at, ttl or None)
TIME_VARIANTS: list[tuple[str, datetime, timedelta | None]] = [
    ("no-ttl", datetime(2025, 1, 1, tzinfo=timezone.utc), None),
    ("ttl-whole-seconds", datetime(2025, 1, 1, tzinfo=timezone.utc), timedelta(seconds=10)),
    ("ttl-fraction", datetime(2025, 1, 1, tzinfo=timezone.utc), timedelta(seconds=10.5)),
    (
        "micros-ttl-long",
        datetime(2026, 11, 26, 1, 42, 42, 897657, tzinfo=timezone.utc),
        timedelta(days=400, microseconds=1),
    ),
]

# (names variant, key, collection); collection None means the envelope is written without key and
# collection (the DOC() form used by Memory, S3 and FileTree).
NAME_VARIANTS: list[tuple[str, str | None, str | None]] = [
    ("doc-kc", "test", "test"),
    ("doc", None, None),
]

UNICODE_NAMES: list[tuple[str, str, str]] = [
    ("latin1-key", "\u00e9", "test"),
    ("cjk-key-and-collection", "\u4e16\u754c", "\u96c6\u5408"),
    ("astral-key", "\U0001f600 emoji key", "test"),
    ("separator-key", "a::b__c", "col::lection"),
    ("control-chars-key", "tab\tnewline\nquote\"backslash\\", "test"),
    ("max-bmp-key", "\uffff", "\u007f"),
    ("empty-looking-key", " ", "test"),
]


def micros(dt: datetime | None) -> int | None:
    """Microseconds since the Unix epoch (exact, no float rounding)."""
    if dt is None:
        return None
    return (dt - EPOCH) // timedelta(microseconds=1)


def all_cases() -> list[dict[str, Any]]:
    """Every interop case as a plain dict: name, key, collection, value, created_at, expires_at."""
    cases: list[dict[str, Any]] = []
    for case_id, value in SIMPLE_CASES + LARGE_DATA_CASES:
        for time_name, created_at, ttl in TIME_VARIANTS:
            for names_name, key, collection in NAME_VARIANTS:
                cases.append(
                    {
                        "name": f"{case_id}/{time_name}/{names_name}",
                        "key": key,
                        "collection": collection,
                        "value": value,
                        "created_at": created_at,
                        "expires_at": created_at + ttl if ttl is not None else None,
                    }
                )
    for names_name, key, collection in UNICODE_NAMES:
        for time_name, created_at, ttl in TIME_VARIANTS[:2]:
            cases.append(
                {
                    "name": f"string-unicode/{time_name}/{names_name}",
                    "key": key,
                    "collection": collection,
                    "value": dict(SIMPLE_CASES[22][1]),
                    "created_at": created_at,
                    "expires_at": created_at + ttl if ttl is not None else None,
                }
            )
    return cases
