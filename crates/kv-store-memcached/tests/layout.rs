//! The on-server layout (`conformance.md` §5 Memcached row) and py-key-value's fixture dump,
//! on the live server (`KV_TEST_MEMCACHED`).

mod common;

use std::time::Duration;

use async_memcached::MetaProtocol;
use kv_core::conformance::{obj, unique_token};
use kv_core::{KeyValue, Object};
use kv_store_memcached::{KeyStrategy, MemcachedStore};
use serde_json::{json, Value};

fn envelope(bytes: &[u8]) -> serde_json::Map<String, Value> {
    match serde_json::from_slice(bytes).expect("stored value is JSON") {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Remaining native TTL in seconds (`mg <key> t`), -1 without expiry.
async fn native_ttl(raw: &common::RawMemcached, mkey: &str) -> i64 {
    raw.client()
        .await
        .meta_get(mkey, false, None, Some(&["t"]))
        .await
        .expect("mg")
        .and_then(|v| v.ttl_remaining)
        .expect("item present")
}

#[tokio::test]
async fn raw_get_returns_the_envelope() {
    let Some(addr) = common::addr() else { return };
    let raw = common::RawMemcached::new(&addr, KeyStrategy::Passthrough);
    let store = MemcachedStore::new(&addr).unwrap();
    let c = format!("test-{}", unique_token());
    store
        .put(Some(&c), "test_key", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    let bytes = raw
        .get(&format!("{c}::test_key"))
        .await
        .expect("stored under C::K");
    let doc = envelope(&bytes);
    assert_eq!(doc["collection"], json!(c));
    assert_eq!(doc["key"], json!("test_key"));
    assert_eq!(doc["value"], json!({"a": 1}));
    assert_eq!(doc["version"], json!(1));
    assert!(doc.contains_key("created_at") && !doc.contains_key("expires_at"));
    // Byte-exact canonical envelope.
    let entry = kv_core::codec::envelope::decode(&bytes).unwrap();
    assert_eq!(
        kv_core::codec::envelope::encode(&entry, Some(("test_key", &c))).as_bytes(),
        &bytes[..]
    );
    assert_eq!(native_ttl(&raw, &format!("{c}::test_key")).await, -1);

    store
        .put(
            Some(&c),
            "test_key",
            obj(json!({"a": 2})),
            Some(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let doc = envelope(&raw.get(&format!("{c}::test_key")).await.unwrap());
    assert!(doc.contains_key("expires_at"));
    let ttl = native_ttl(&raw, &format!("{c}::test_key")).await;
    assert!((9..=10).contains(&ttl), "native ttl {ttl}");
}

#[tokio::test]
async fn exact_name_test_test_key() {
    let Some(addr) = common::addr() else { return };
    let raw = common::RawMemcached::new(&addr, KeyStrategy::Passthrough);
    let store = MemcachedStore::new(&addr).unwrap();
    let token = unique_token();
    store
        .put(Some("test"), "test_key", obj(json!({"t": token})), None)
        .await
        .unwrap();
    let doc = envelope(&raw.get("test::test_key").await.expect("test::test_key"));
    assert_eq!(doc["value"], json!({"t": token}));
    assert!(store.delete(Some("test"), "test_key").await.unwrap());
}

#[tokio::test]
async fn v1_long_key_is_hashed() {
    let Some(addr) = common::addr() else { return };
    let raw = common::RawMemcached::new(&addr, KeyStrategy::v1());
    let store = MemcachedStore::builder()
        .address(&addr)
        .v1_keys(true)
        .build()
        .unwrap();
    let key = "test_key".repeat(100);
    let token = unique_token();
    store
        .put(
            Some("test_collection"),
            &key,
            obj(json!({"t": token})),
            None,
        )
        .await
        .unwrap();
    let name = "H_b539655fb3c6571f3970b1d53f136c989f502bdfce535a80b5fc6e2c7d0c93ce";
    let doc = envelope(&raw.get(name).await.expect("stored under the V1 hash"));
    assert_eq!(doc["key"], json!(key));
    assert_eq!(doc["collection"], json!("test_collection"));
    assert_eq!(doc["value"], json!({"t": token}));
    assert_eq!(
        store.get(Some("test_collection"), &key).await.unwrap(),
        Some(obj(json!({"t": token})))
    );
    // Reserved prefixes and unstorable names.
    let err = store
        .put(Some("H_x"), "k", Object::new(), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &kv_core::ErrorKind::InvalidKey);
    let plain = MemcachedStore::new(&addr).unwrap();
    for (c, k) in [("c", "has space"), ("c", "new\nline"), ("c", key.as_str())] {
        let err = plain
            .put(Some(c), k, Object::new(), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::InvalidKey, "{k:?}");
    }
}

#[tokio::test]
async fn ttl_31_days_readable_and_absolute() {
    let Some(addr) = common::addr() else { return };
    let raw = common::RawMemcached::new(&addr, KeyStrategy::Passthrough);
    let store = MemcachedStore::new(&addr).unwrap();
    let c = format!("test-{}", unique_token());
    let ttl = Duration::from_secs(31 * 86_400);
    store
        .put(Some(&c), "k", obj(json!({"a": 1})), Some(ttl))
        .await
        .unwrap();
    let (value, remaining) = store
        .ttl(Some(&c), "k")
        .await
        .unwrap()
        .expect("readable at once");
    assert_eq!(value, obj(json!({"a": 1})));
    assert!(remaining.unwrap() > ttl - Duration::from_secs(2));
    // Absolute exptimes are converted with memcached's coarse internal clock, which may run up
    // to ~2 s behind (py-key-value's fixture shows the same +2 s for its 40-day entry).
    let native = native_ttl(&raw, &format!("{c}::k")).await;
    assert!(
        (31 * 86_400 - 2..=31 * 86_400 + 3).contains(&native),
        "native ttl {native}"
    );
}

/// Issue 5: a TTL of 40 days is readable after a second (py-key-value < 0.5 sent it as a
/// relative number that memcached read as a date in 1970: gone at once).
#[tokio::test]
async fn ttl_40_days_survives_a_second() {
    let Some(addr) = common::addr() else { return };
    let store = MemcachedStore::new(&addr).unwrap();
    let c = format!("test-{}", unique_token());
    let ttl = Duration::from_secs(40 * 86_400);
    store
        .put(Some(&c), "forty", obj(json!({"d": 40})), Some(ttl))
        .await
        .unwrap();
    store
        .put_many(
            Some(&c),
            vec![("batch".into(), obj(json!({"d": 40})))],
            Some(ttl),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for key in ["forty", "batch"] {
        let (value, remaining) = store
            .ttl(Some(&c), key)
            .await
            .unwrap()
            .expect("still there");
        assert_eq!(value, obj(json!({"d": 40})));
        let remaining = remaining.unwrap();
        assert!(
            remaining < ttl && remaining > ttl - Duration::from_secs(3),
            "{remaining:?}"
        );
    }
}

/// `$KV_FIXTURES_DIR`, or `shared/fixtures` beside the repository.
fn fixtures_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("KV_FIXTURES_DIR") {
        return dir.into();
    }
    let manifest = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
    );
    manifest
        .ancestors()
        .map(|a| a.join("shared").join("fixtures"))
        .find(|c| c.join("MANIFEST.md").exists())
        .unwrap_or_default()
}

/// py-key-value 0.5.0's dump (`fixtures/backends/memcached`): its items loaded into the live
/// server under a unique prefix-free name are read through the store. The dump is from
/// 2026-11-26, so entries whose envelope `expires_at` has passed must read as missing.
#[tokio::test]
async fn python_fixture_dump_reads_back() {
    let Some(addr) = common::addr() else { return };
    let dir = fixtures_dir().join("backends").join("memcached");
    let Ok(text) = std::fs::read_to_string(dir.join("memcached-dump.json")) else {
        println!("SKIPPED: fixture dump not found at {}", dir.display());
        return;
    };
    let entries: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("entries.json")).unwrap()).unwrap();
    let dump: Value = serde_json::from_str(&text).unwrap();
    let raw = common::RawMemcached::new(&addr, KeyStrategy::Passthrough);
    let plain = MemcachedStore::new(&addr).unwrap();
    let v1 = MemcachedStore::builder()
        .address(&addr)
        .v1_keys(true)
        .build()
        .unwrap();
    let now = kv_core::Timestamp::now();
    let mut live = 0;
    for item in dump["items"].as_array().unwrap() {
        let mkey = item["memcached_key"].as_str().unwrap();
        let value = item["value"].as_str().unwrap();
        // Same key as Python wrote (the entries are the fixture's; a later run rewrites them).
        raw.set(mkey, value.as_bytes(), 0).await;
        let store = if item["store"] == "v1-sanitized" {
            &v1
        } else {
            &plain
        };
        let collection = item["collection"].as_str();
        let key = item["key"].as_str().unwrap();
        let got = store.get(collection, key).await.unwrap();
        let expires = item["envelope_times"]["expires_at"].as_str();
        let expired = expires.is_some_and(|t| kv_core::Timestamp::parse(t).unwrap() <= now);
        if expired {
            assert_eq!(got, None, "{mkey}: expired envelope returned");
            continue;
        }
        let expected = entries["flattened"]
            .as_array()
            .unwrap()
            .iter()
            .chain(entries["v1_sanitized_entries"].as_array().unwrap())
            .find(|e| e["key"] == item["key"] && e["collection"] == item["collection"])
            .map(|e| {
                e.get("read_back_via_library")
                    .unwrap_or(&e["value"])
                    .clone()
            })
            .unwrap_or_else(|| panic!("{mkey} not in entries.json"));
        assert_eq!(got.map(Value::Object), Some(expected), "{mkey}");
        live += 1;
        // get_many agrees.
        assert!(store.get_many(collection, &[key]).await.unwrap()[0].is_some());
        raw.set(mkey, b"", 1).await; // leave nothing behind for long
    }
    assert!(live >= 6, "only {live} live fixture entries were checked");
}
