//! Raw-layout tests (conformance.md §5, RocksDB row) and store-specific behaviour: tagged keys
//! and values, the OPTIONS comparator, `rocksdict-config.json`, foreign tags, `auto_create`,
//! user-provided handles.

mod common;

use std::sync::Arc;
use std::time::Duration;

use kv_core::{ErrorKind, KeyValue, Object};
use kv_store_rocksdb::rust_rocksdb::DB;
use kv_store_rocksdb::{open_rocksdict_db, RocksDBStore};
use serde_json::{json, Value};

fn obj(v: Value) -> Object {
    v.as_object().unwrap().clone()
}

/// The stored value bytes: tag `0x01` then the canonical envelope; checks the bytes against the
/// envelope rebuilt from its own timestamps.
fn check_envelope(raw: &[u8], key: &str, collection: &str, value: &str, with_ttl: bool) {
    assert_eq!(raw[0], 0x01, "value tag");
    let text = std::str::from_utf8(&raw[1..]).unwrap();
    let doc: Value = serde_json::from_str(text).unwrap();
    let created = doc["created_at"].as_str().unwrap();
    let expires = match doc["expires_at"].as_str() {
        Some(e) => format!(r#""expires_at": "{e}", "#),
        None => String::new(),
    };
    assert_eq!(doc.get("expires_at").is_some(), with_ttl);
    let expected = format!(
        r#"{{"collection": "{collection}", "created_at": "{created}", {expires}"key": "{key}", "value": {value}, "version": 1}}"#
    );
    assert_eq!(text, expected);
    assert!(created.ends_with("+00:00"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tagged_key_and_envelope_value() {
    let tmp = common::temp_dir("kv-rocksdb-layout-");
    let store = RocksDBStore::new(tmp.path());
    store
        .put(
            Some("test"),
            "test_key",
            obj(json!({"age": 30, "name": "Alice"})),
            None,
        )
        .await
        .unwrap();
    let db = store.db().unwrap();
    let raw = db.get(b"\x02test::test_key").unwrap().unwrap();
    check_envelope(
        &raw,
        "test_key",
        "test",
        r#"{"age": 30, "name": "Alice"}"#,
        false,
    );

    store
        .put(
            Some("test"),
            "test_key",
            obj(json!({"b": 1})),
            Some(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let raw = db.get(b"\x02test::test_key").unwrap().unwrap();
    check_envelope(&raw, "test_key", "test", r#"{"b": 1}"#, true);

    let batch = vec![
        ("m1".to_owned(), obj(json!({"i": 1}))),
        ("m2".to_owned(), obj(json!({"i": 2}))),
    ];
    store
        .put_many(Some("test"), batch, Some(Duration::from_secs(10)))
        .await
        .unwrap();
    let (m1, m2) = (
        db.get(b"\x02test::m1").unwrap().unwrap(),
        db.get(b"\x02test::m2").unwrap().unwrap(),
    );
    check_envelope(&m1, "m1", "test", r#"{"i": 1}"#, true);
    check_envelope(&m2, "m2", "test", r#"{"i": 2}"#, true);
    // One batch, one pair of timestamps.
    let times = |raw: &[u8]| {
        let doc: Value = serde_json::from_slice(&raw[1..]).unwrap();
        (doc["created_at"].clone(), doc["expires_at"].clone())
    };
    assert_eq!(times(&m1), times(&m2));
    drop(db);
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_file_and_rocksdict_config() {
    let tmp = common::temp_dir("kv-rocksdb-options-");
    let store = RocksDBStore::new(tmp.path().join("nested/db"));
    store.put(None, "k", Object::new(), None).await.unwrap();
    store.close().await.unwrap();
    let dir = tmp.path().join("nested/db");
    let options: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("OPTIONS-"))
        .collect();
    assert!(!options.is_empty());
    for file in options {
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(
            text.lines().any(|l| l.trim() == "comparator=rocksdict"),
            "{:?} does not name the rocksdict comparator",
            file.file_name()
        );
        // Readable by rocksdict's RocksDB 9.8 (the fixture's OPTIONS say the same).
        assert!(
            text.lines().any(|l| l.trim() == "format_version=6"),
            "{:?} does not use SST format_version 6",
            file.file_name()
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("rocksdict-config.json")).unwrap(),
        r#"{"raw_mode":false,"prefix_extractors":{}}"#
    );
    // RocksDB itself refuses the directory under the default comparator.
    let err = DB::open_default(&dir).map(drop).unwrap_err();
    assert!(err.to_string().contains("rocksdict"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_value_tags_are_deserialization_errors() {
    let tmp = common::temp_dir("kv-rocksdb-tags-");
    let store = RocksDBStore::new(tmp.path());
    store.setup().await.unwrap();
    let db = store.db().unwrap();
    // A pickle (tag 6), an int (tag 3), an empty value.
    db.put(b"\x02c::pickle", b"\x06\x80\x04\x95}\x94.").unwrap();
    db.put(b"\x02c::int", b"\x03\x2a").unwrap();
    db.put(b"\x02c::empty", b"").unwrap();
    // A str-tagged envelope (tag 2) is accepted.
    db.put(b"\x02c::str", b"\x02{\"value\": {\"a\": 1}}")
        .unwrap();
    for key in ["pickle", "int", "empty"] {
        let err = store.get(Some("c"), key).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Deserialization, "{key}: {err}");
        assert_eq!(err.key(), Some(key));
        assert_eq!(err.collection(), Some("c"));
        let err = store.get_many(Some("c"), &["str", key]).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Deserialization, "{key}: {err}");
    }
    assert_eq!(
        store.get(Some("c"), "str").await.unwrap(),
        Some(obj(json!({"a": 1})))
    );
    // Corrupted entries are listed by keys() and deleted as present.
    let mut keys = store.keys(Some("c"), None).await.unwrap();
    keys.sort();
    assert_eq!(keys, ["empty", "int", "pickle", "str"]);
    assert!(store.delete(Some("c"), "pickle").await.unwrap());
    drop(db);
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_create_false_on_a_missing_directory_is_setup() {
    let tmp = common::temp_dir("kv-rocksdb-auto-");
    let missing = tmp.path().join("missing");
    let store = RocksDBStore::builder(&missing).auto_create(false).build();
    let err = store.get(None, "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(!missing.exists());
    // Setup is retried: once the directory exists the store works.
    std::fs::create_dir(&missing).unwrap();
    store.put(None, "k", Object::new(), None).await.unwrap();
    store.close().await.unwrap();
    assert!(
        store.get(None, "k").await.is_err(),
        "closed store still works"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_handle_stays_open_after_close() {
    let tmp = common::temp_dir("kv-rocksdb-handle-");
    let db: Arc<DB> = open_rocksdict_db(tmp.path()).unwrap();
    let store = RocksDBStore::from_db(Arc::clone(&db));
    store
        .put(Some("c"), "k", obj(json!({"x": 1})), None)
        .await
        .unwrap();
    store.close().await.unwrap();
    store.close().await.unwrap();
    assert_eq!(
        store.get(Some("c"), "k").await.unwrap_err().kind(),
        &ErrorKind::Setup
    );
    assert!(db.get(b"\x02c::k").unwrap().is_some());
    db.put(b"\x02c::after", b"\x01{\"value\": {}}").unwrap();
    drop(store);
    // Another store on the same handle sees both.
    let again = RocksDBStore::from_db(Arc::clone(&db));
    assert!(again.get(Some("c"), "after").await.unwrap().is_some());
    assert!(again.get(Some("c"), "k").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopen_after_close_keeps_data_and_drop_releases_the_lock() {
    let tmp = common::temp_dir("kv-rocksdb-reopen-");
    let store = RocksDBStore::new(tmp.path());
    store
        .put(Some("c"), "k", obj(json!({"x": 1})), None)
        .await
        .unwrap();
    store.close().await.unwrap();
    let store = RocksDBStore::new(tmp.path());
    assert_eq!(
        store.get(Some("c"), "k").await.unwrap(),
        Some(obj(json!({"x": 1})))
    );
    // Dropped without close(): the next open waits for the lock to be released.
    drop(store);
    let store = RocksDBStore::new(tmp.path());
    assert!(store.get(Some("c"), "k").await.unwrap().is_some());
    store.close().await.unwrap();
    // Opening a directory another handle holds fails with Setup, not a panic.
    let held = open_rocksdict_db(tmp.path()).unwrap();
    let other = RocksDBStore::new(tmp.path());
    let err = other.get(Some("c"), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collections_and_keys_by_prefix() {
    let tmp = common::temp_dir("kv-rocksdb-prefix-");
    let store = RocksDBStore::new(tmp.path());
    for c in ["a", "ab", "a!", "b"] {
        for k in ["1", "2", "x::y"] {
            store.put(Some(c), k, Object::new(), None).await.unwrap();
        }
    }
    store
        .put(
            Some("a"),
            "short",
            Object::new(),
            Some(Duration::from_millis(50)),
        )
        .await
        .unwrap();
    // Foreign keys: an int key and a str key without `::`.
    let db = store.db().unwrap();
    db.put(b"\x03\x01", b"\x01x").unwrap();
    db.put(b"\x02plain", b"\x01x").unwrap();
    let mut collections = store.collections(None).await.unwrap();
    collections.sort();
    assert_eq!(collections, ["a", "a!", "ab", "b"]);
    assert_eq!(store.collections(Some(2)).await.unwrap().len(), 2);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut keys = store.keys(Some("a"), None).await.unwrap();
    keys.sort();
    assert_eq!(keys, ["1", "2", "x::y"]);
    assert_eq!(store.keys(Some("a"), Some(2)).await.unwrap().len(), 2);
    store.cull().await.unwrap();
    assert!(db.get(b"\x02a::short").unwrap().is_none());
    assert!(store.destroy_collection("a").await.unwrap());
    assert!(!store.destroy_collection("a").await.unwrap());
    assert_eq!(store.keys(Some("ab"), None).await.unwrap().len(), 3);
    assert!(db.get(b"\x03\x01").unwrap().is_some());
    assert!(db.get(b"\x02plain").unwrap().is_some());
    drop(db);
    store.close().await.unwrap();
}

/// Directories the store creates are private (0700): RocksDB's own files are 0644, so the
/// directory is what keeps other users out.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_directories_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new").join("db");
    let store = RocksDBStore::new(&dir);
    store
        .put(Some("c"), "k", obj(json!({"secret": 1})), None)
        .await
        .unwrap();
    store.close().await.unwrap();
    for dir in [dir.parent().unwrap(), dir.as_path()] {
        let mode = std::fs::metadata(dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode & 0o077,
            0,
            "{} is accessible to others: {mode:o}",
            dir.display()
        );
    }
}
