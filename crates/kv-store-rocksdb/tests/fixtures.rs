//! The directory written by py-key-value 0.5.0's RocksDBStore (rocksdict 0.3.29) opens and
//! reads: every entry of `entries.json`, every raw pair of `rocksdb-dump.json`.

mod common;

use kv_core::{KeyValue, Timestamp};
use kv_store_rocksdb::RocksDBStore;
use serde_json::Value;

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(common::fixture_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_written_entries_read_back() {
    let tmp = common::temp_dir("kv-rocksdb-fixture-");
    common::copy_fixture_db(tmp.path());
    let store = RocksDBStore::builder(tmp.path()).auto_create(false).build();
    let entries = load("entries.json");
    let flattened = entries["flattened"].as_array().unwrap();
    assert_eq!(flattened.len(), 12);
    let (mut live, mut expired) = (0, 0);
    for case in flattened {
        if case["overwritten"].as_bool() == Some(true) {
            continue; // a later write replaced it; that write is checked instead
        }
        let collection = case["effective_collection"].as_str().unwrap();
        let key = case["key"].as_str().unwrap();
        let expires_at = case["stored_expires_at"]
            .as_str()
            .map(|s| Timestamp::parse(s).unwrap());
        let now = Timestamp::now();
        let should_live = expires_at.is_none_or(|at| at > now);
        let got = store.ttl(Some(collection), key).await.unwrap();
        if !should_live {
            assert_eq!(got, None, "{collection}/{key} expired at {expires_at:?}");
            expired += 1;
            continue;
        }
        let (value, remaining) = got.unwrap_or_else(|| panic!("{collection}/{key} missing"));
        assert_eq!(
            Value::Object(value.clone()),
            case["value"],
            "{collection}/{key}"
        );
        match (expires_at, remaining) {
            (None, None) => {}
            (Some(at), Some(remaining)) => {
                let want = at.duration_since(Timestamp::now()).unwrap();
                let diff = remaining.as_secs_f64() - want.as_secs_f64();
                assert!(diff.abs() < 1.0, "{collection}/{key}: ttl off by {diff}s");
            }
            other => panic!("{collection}/{key}: expiry mismatch {other:?}"),
        }
        // `None` for the default collection reads the same entry.
        if case["collection"].is_null() {
            assert_eq!(store.get(None, key).await.unwrap(), Some(value));
        }
        live += 1;
    }
    // The "expired" entry is always expired; the 10-year one always live.
    assert!(expired >= 1 && live >= 1, "live {live}, expired {expired}");
    let missing = store.get(Some("users"), "nobody").await.unwrap();
    assert_eq!(missing, None);
    // The Python-made directory accepts Rust writes.
    store
        .put(Some("users"), "from-rust", Default::default(), None)
        .await
        .unwrap();
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_pairs_match_the_dump() {
    let tmp = common::temp_dir("kv-rocksdb-fixture-raw-");
    common::copy_fixture_db(tmp.path());
    let store = RocksDBStore::new(tmp.path());
    store.setup().await.unwrap();
    let db = store.db().unwrap();
    let dump = load("rocksdb-dump.json");
    let items = dump["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        let key = common::unhex(item["raw_key_hex"].as_str().unwrap());
        assert_eq!(key[0], 0x02);
        assert_eq!(&key[1..], item["key_utf8"].as_str().unwrap().as_bytes());
        let value = db.get(&key).unwrap().expect("dumped key present");
        assert_eq!(value[0], 0x01);
        assert_eq!(
            value.len(),
            item["raw_value_len"].as_u64().unwrap() as usize
        );
        assert_eq!(&value[1..], item["value_utf8"].as_str().unwrap().as_bytes());
    }
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("rocksdict-config.json")).unwrap(),
        r#"{"raw_mode":false,"prefix_extractors":{}}"#
    );
    // Every dumped collection is listed.
    let collections = store.collections(None).await.unwrap();
    for c in [
        "users",
        "default_collection",
        "unicode",
        "short",
        "batch",
        "batch-ttl",
        "big",
    ] {
        assert!(
            collections.iter().any(|x| x == c),
            "{c} not in {collections:?}"
        );
    }
    drop(db);
    store.close().await.unwrap();
}
