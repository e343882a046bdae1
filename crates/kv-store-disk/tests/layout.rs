//! Raw-layout tests (conformance.md §5, Disk and MultiDisk rows; wire-format.md §5.12/§5.13).

mod common;

use std::time::Duration;

use kv_core::{ErrorKind, KeyValue, Object, Timestamp};
use kv_store_disk::{DiskStore, MultiDiskStore};
use rusqlite::params;
use rusqlite::types::Value as SqlValue;
use serde_json::{json, Value};

fn obj(v: Value) -> Object {
    v.as_object().unwrap().clone()
}

struct Row {
    key_type: String,
    raw: i64,
    mode: i64,
    value_type: String,
    value: Option<String>,
    expire_time: Option<f64>,
    size: i64,
    filename: Option<String>,
    access_count: i64,
    tag: Option<String>,
}

fn row(dir: &std::path::Path, key: &str) -> Row {
    common::open_db(dir)
        .query_row(
            "SELECT typeof(key), raw, mode, typeof(value), value, expire_time, size, filename, access_count, tag \
             FROM Cache WHERE key = ?",
            params![key],
            |r| {
                Ok(Row {
                    key_type: r.get(0)?,
                    raw: r.get(1)?,
                    mode: r.get(2)?,
                    value_type: r.get(3)?,
                    value: r.get(4).ok(),
                    expire_time: r.get(5)?,
                    size: r.get(6)?,
                    filename: r.get(7)?,
                    access_count: r.get(8)?,
                    tag: r.get(9)?,
                })
            },
        )
        .unwrap()
}

/// The canonical envelope with the stored timestamps substituted.
fn expected_doc(stored: &str, collection: &str, key: &str, value: &Value) -> String {
    let parsed: Value = serde_json::from_str(stored).unwrap();
    let mut doc = format!(
        "{{\"collection\": {}, \"created_at\": \"{}\", ",
        json!(collection),
        parsed["created_at"].as_str().unwrap()
    );
    if let Some(exp) = parsed.get("expires_at") {
        doc.push_str(&format!("\"expires_at\": \"{}\", ", exp.as_str().unwrap()));
    }
    doc.push_str(&format!(
        "\"key\": {}, \"value\": {}, \"version\": 1}}",
        json!(key),
        kv_core::to_canonical_json(value.as_object().unwrap())
    ));
    doc
}

#[tokio::test]
async fn disk_rows_are_diskcache_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let store = DiskStore::new(dir);
    let v = json!({"test_1": "value_1"});
    store
        .put(Some("test"), "test_key", obj(v.clone()), None)
        .await
        .unwrap();
    let r = row(dir, "test::test_key");
    assert_eq!(
        (r.key_type.as_str(), r.raw, r.mode, r.value_type.as_str()),
        ("text", 1, 1, "text")
    );
    assert_eq!(
        (r.size, r.filename, r.access_count, r.tag),
        (0, None, 0, None)
    );
    assert_eq!(r.expire_time, None);
    let text = r.value.unwrap();
    assert_eq!(text, expected_doc(&text, "test", "test_key", &v));

    // With a TTL: expire_time within 1 ms of the envelope's expires_at.
    store
        .put(
            Some("test"),
            "test_key",
            obj(v.clone()),
            Some(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let r = row(dir, "test::test_key");
    let text = r.value.unwrap();
    assert_eq!(text, expected_doc(&text, "test", "test_key", &v));
    let doc: Value = serde_json::from_str(&text).unwrap();
    let expires = Timestamp::parse(doc["expires_at"].as_str().unwrap()).unwrap();
    let expire_time = r.expire_time.unwrap();
    assert!((expire_time - expires.unix_seconds_f64()).abs() < 0.001);

    // A 40 000-char value goes to a .val file: mode 3, value NULL, size = file length.
    let big = json!({"blob": "B".repeat(40_000)});
    store
        .put(Some("big"), "large", obj(big.clone()), None)
        .await
        .unwrap();
    let r = row(dir, "big::large");
    assert_eq!((r.mode, r.value_type.as_str()), (3, "null"));
    let filename = r.filename.unwrap();
    let parts: Vec<&str> = filename.split(std::path::MAIN_SEPARATOR).collect();
    assert_eq!(parts.len(), 3, "{filename}");
    assert_eq!((parts[0].len(), parts[1].len(), parts[2].len()), (2, 2, 32));
    assert!(parts[2].ends_with(".val"));
    assert!(filename.chars().all(|c| c.is_ascii_hexdigit()
        || c == '.'
        || c == std::path::MAIN_SEPARATOR
        || c == 'v'
        || c == 'a'
        || c == 'l'));
    let bytes = std::fs::read(dir.join(&filename)).unwrap();
    assert_eq!(r.size, bytes.len() as i64);
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text, expected_doc(&text, "big", "large", &big));
    assert_eq!(
        store.get(Some("big"), "large").await.unwrap(),
        Some(obj(big.clone()))
    );
    // Overwriting with a small value removes the file; so does delete.
    store
        .put(Some("big"), "large", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    assert!(!dir.join(&filename).exists());
    store
        .put(Some("big"), "large", obj(big), None)
        .await
        .unwrap();
    let filename = row(dir, "big::large").filename.unwrap();
    assert!(store.delete(Some("big"), "large").await.unwrap());
    assert!(!dir.join(&filename).exists());
    store.close().await.unwrap();
}

fn settings(dir: &std::path::Path) -> std::collections::BTreeMap<String, SqlValue> {
    let conn = common::open_db(dir);
    let mut stmt = conn.prepare("SELECT key, value FROM Settings").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn settings_rows_and_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let store = DiskStore::new(tmp.path());
    store.setup().await.unwrap();
    let s = settings(tmp.path());
    let int = |k: &str| match &s[k] {
        SqlValue::Integer(i) => *i,
        other => panic!("{k}: {other:?}"),
    };
    let text = |k: &str| match &s[k] {
        SqlValue::Text(t) => t.clone(),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(int("statistics"), 0);
    assert_eq!(int("tag_index"), 0);
    assert_eq!(text("eviction_policy"), "none");
    assert_eq!(int("size_limit"), 1 << 30);
    assert_eq!(int("cull_limit"), 10);
    assert_eq!(int("sqlite_auto_vacuum"), 1);
    assert_eq!(int("sqlite_cache_size"), 8192);
    assert_eq!(text("sqlite_journal_mode"), "wal");
    assert_eq!(int("sqlite_mmap_size"), 67_108_864);
    assert_eq!(int("sqlite_synchronous"), 1);
    assert_eq!(int("disk_min_file_size"), 32_768);
    assert_eq!(int("disk_pickle_protocol"), 5);
    for k in ["count", "size", "hits", "misses"] {
        assert_eq!(int(k), 0, "{k}");
    }
    let conn = common::open_db(tmp.path());
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let vacuum: i64 = conn
        .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
        .unwrap();
    assert_eq!(vacuum, 1);
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for expected in [
        "Cache",
        "Cache_expire_time",
        "Cache_key_raw",
        "Settings",
        "Settings_count_delete",
        "Settings_count_insert",
        "Settings_size_delete",
        "Settings_size_insert",
        "Settings_size_update",
    ] {
        assert!(
            names.contains(&expected.to_owned()),
            "{expected} missing in {names:?}"
        );
    }
    assert!(!names.contains(&"Cache_store_time".to_owned()));
    store.close().await.unwrap();

    // Reopened with max_size: eviction least-recently-stored, size_limit = max_size.
    let store = DiskStore::builder(tmp.path()).max_size(100 * 1024).build();
    store.setup().await.unwrap();
    let s = settings(tmp.path());
    assert_eq!(
        s["eviction_policy"],
        SqlValue::Text("least-recently-stored".into())
    );
    assert_eq!(s["size_limit"], SqlValue::Integer(100 * 1024));
    store.close().await.unwrap();
}

#[tokio::test]
async fn foreign_value_kinds_are_deserialization_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let store = DiskStore::new(dir);
    store
        .put(Some("c"), "k", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    let conn = common::open_db(dir);
    for (mode, value) in [
        (4, SqlValue::Blob(b"\x80\x05K\x01.".to_vec())), // a pickle: never unpickled
        (2, SqlValue::Blob(b"bytes".to_vec())),
        (1, SqlValue::Blob(b"{\"value\": {}}".to_vec())),
        (1, SqlValue::Integer(5)),
    ] {
        conn.execute(
            "UPDATE Cache SET mode = ?, value = ? WHERE key = 'c::k'",
            params![mode, value],
        )
        .unwrap();
        let err = store.get(Some("c"), "k").await.unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::Deserialization,
            "mode {mode}: {err}"
        );
        let err = store.get_many(Some("c"), &["k"]).await.unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::Deserialization,
            "mode {mode}: {err}"
        );
    }
    store.close().await.unwrap();
}

#[tokio::test]
async fn expire_time_earlier_than_envelope_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let store = DiskStore::new(dir);
    store
        .put(
            Some("c"),
            "k",
            obj(json!({"a": 1})),
            Some(Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    let soon = Timestamp::now().unix_seconds_f64() + 100.0;
    common::open_db(dir)
        .execute(
            "UPDATE Cache SET expire_time = ? WHERE key = 'c::k'",
            params![soon],
        )
        .unwrap();
    let (_, remaining) = store.ttl(Some("c"), "k").await.unwrap().unwrap();
    let remaining = remaining.unwrap().as_secs_f64();
    assert!(remaining <= 100.0 && remaining > 95.0, "{remaining}");
    // An expire_time in the past hides the row even though the envelope is live.
    common::open_db(dir)
        .execute("UPDATE Cache SET expire_time = 1.0 WHERE key = 'c::k'", [])
        .unwrap();
    assert_eq!(store.get(Some("c"), "k").await.unwrap(), None);
    assert!(!store.delete(Some("c"), "k").await.unwrap());
    store.close().await.unwrap();
}

#[tokio::test]
async fn two_stores_on_one_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let a = std::sync::Arc::new(DiskStore::new(tmp.path()));
    let b = std::sync::Arc::new(DiskStore::new(tmp.path()));
    let mut tasks = Vec::new();
    for (n, store) in [(0, a.clone()), (1, b.clone())] {
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                store
                    .put(Some("c"), &format!("{n}-{i}"), obj(json!({"i": i})), None)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for n in 0..2 {
        for i in 0..200 {
            assert!(a
                .get(Some("c"), &format!("{n}-{i}"))
                .await
                .unwrap()
                .is_some());
        }
    }
    let count: i64 = common::open_db(tmp.path())
        .query_row("SELECT value FROM Settings WHERE key = 'count'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(count, 400);
}

#[tokio::test]
async fn multi_disk_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    let store = MultiDiskStore::new(&base);
    let v = json!({"test": "value"});
    store
        .put(Some("test"), "test_key", obj(v.clone()), None)
        .await
        .unwrap();
    let r = row(&base.join("test"), "test_key");
    assert_eq!((r.key_type.as_str(), r.raw, r.mode), ("text", 1, 1));
    let text = r.value.unwrap();
    assert_eq!(text, expected_doc(&text, "test", "test_key", &v));

    // Directory names follow pathvalidate; names that would escape are refused.
    for (collection, dir) in [
        ("my coll/x:y", "my collxy"),
        ("test_collection!@#$%^&*()", "test_collection!@#$%^&()"),
        ("a/../b", "a..b"),
        ("../../etc", "....etc"),
        ("con", "con_"),
        ("a\u{0}b", "ab"),
        ("日本語 é 😀", "日本語 é 😀"),
        ("Users", "Users"),
        ("users", "users"),
    ] {
        store
            .put(Some(collection), "k", obj(json!({"c": collection})), None)
            .await
            .unwrap();
        assert!(
            base.join(dir).join("cache.db").is_file(),
            "{collection:?} -> {dir:?}"
        );
        assert_eq!(
            store.collection_directory(Some(collection)).unwrap(),
            base.join(dir)
        );
        assert_eq!(
            store.get(Some(collection), "k").await.unwrap().unwrap()["c"],
            collection
        );
    }
    for bad in ["..", ".", "/", "//..", "...", "  ", "\u{0}", ":", "*?"] {
        let err = store
            .put(Some(bad), "k", obj(json!({})), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{bad:?}: {err}");
        let err = store.get(Some(bad), "k").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{bad:?}: {err}");
    }
    // Nothing was created outside the base directory.
    let outside: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, vec![std::ffi::OsString::from("base")]);
    store.close().await.unwrap();
}

#[tokio::test]
async fn auto_create_false_fails_with_setup() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let store = DiskStore::builder(&missing).auto_create(false).build();
    let err = store.get(None, "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup);
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(!missing.exists());
    let store = MultiDiskStore::builder(&missing).auto_create(false).build();
    let err = store.get(None, "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup);
}

#[cfg(unix)]
#[tokio::test]
async fn created_directories_are_private() {
    use kv_core::KeyValue;
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let value = serde_json::json!({"secret": 1})
        .as_object()
        .cloned()
        .unwrap();
    let disk_dir = tmp.path().join("new").join("disk");
    let disk = kv_store_disk::DiskStore::new(&disk_dir);
    disk.put(Some("c"), "k", value.clone(), None).await.unwrap();
    let multi_dir = tmp.path().join("multi");
    let multi = kv_store_disk::MultiDiskStore::new(&multi_dir);
    multi.put(Some("c"), "k", value, None).await.unwrap();
    for dir in [
        disk_dir.parent().unwrap().to_path_buf(),
        disk_dir,
        multi_dir,
    ] {
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode & 0o077,
            0,
            "{} is accessible to others: {mode:o}",
            dir.display()
        );
    }
}
