//! The Python-written fixture directories (py-key-value 0.5.0 + diskcache 5.6.3) read in Rust:
//! every entry of `entries.json`, with expiry decided by the stored times.

mod common;

use std::path::Path;
use std::time::Duration;

use kv_core::{KeyValue, Timestamp};
use kv_store_disk::{DiskStore, MultiDiskStore};
use serde_json::Value;

fn load(name: &str) -> (Value, tempfile::TempDir, std::path::PathBuf) {
    let fixture = common::fixture(name);
    let entries: Value =
        serde_json::from_slice(&std::fs::read(fixture.join("entries.json")).unwrap()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let store_dir = tmp.path().join(format!("{name}-store"));
    common::copy_dir(&fixture.join(format!("{name}-store")), &store_dir);
    (entries, tmp, store_dir)
}

async fn check_all(store: &dyn KeyValue, entries: &Value) -> usize {
    let now = Timestamp::now();
    let mut checked = 0;
    for e in entries["flattened"].as_array().unwrap() {
        if e.get("overwritten").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let collection = e["collection"].as_str();
        let key = e["key"].as_str().unwrap();
        let expires = e["stored_expires_at"]
            .as_str()
            .map(|s| Timestamp::parse(s).unwrap());
        let live = expires.is_none_or(|at| at > now.checked_add(Duration::from_secs(2)).unwrap());
        let got = store.get(collection, key).await.unwrap();
        let ttl = store.ttl(collection, key).await.unwrap();
        if live {
            let expected = e["read_back_via_library"].as_object().unwrap();
            assert_eq!(got.as_ref(), Some(expected), "{collection:?}/{key}");
            let (value, remaining) = ttl.unwrap();
            assert_eq!(&value, expected);
            match expires {
                None => assert_eq!(remaining, None, "{key}"),
                Some(at) => {
                    let want = at.duration_since(now).unwrap().as_secs_f64();
                    let have = remaining.unwrap().as_secs_f64();
                    assert!((want - have).abs() < 2.0, "{key}: ttl {have} vs {want}");
                }
            }
        } else if expires.is_some_and(|at| at <= now) {
            assert_eq!(got, None, "expired {collection:?}/{key} was returned");
            assert!(ttl.is_none());
        }
        checked += 1;
    }
    assert_eq!(
        store.get(Some("users"), "expired").await.unwrap(),
        None,
        "the expired row must read as missing"
    );
    checked
}

fn assert_files_listed(entries: &Value, store_dir: &Path) {
    for f in entries["files"].as_array().unwrap() {
        let path = store_dir.join(f["path"].as_str().unwrap());
        let len = std::fs::metadata(&path).unwrap().len();
        assert_eq!(len, f["bytes"].as_u64().unwrap(), "{}", path.display());
    }
}

#[tokio::test]
async fn disk_fixture_reads_every_entry() {
    let (entries, _tmp, dir) = load("disk");
    assert_files_listed(&entries, &dir);
    let store = DiskStore::new(&dir);
    let checked = check_all(&store, &entries).await;
    assert_eq!(checked, entries["flattened"].as_array().unwrap().len());
    // The large value lives in a .val file (mode 3) and reads back whole.
    let big = store
        .get(Some("big"), "large-value")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(big["blob"].as_str().unwrap().len(), 40_000);
    // The Python-made cache accepts writes from Rust and reads them back.
    store
        .put(
            Some("users"),
            "carol",
            serde_json::json!({"n": 1}).as_object().unwrap().clone(),
            None,
        )
        .await
        .unwrap();
    assert!(store.get(Some("users"), "carol").await.unwrap().is_some());
    store.close().await.unwrap();
    let conn = common::open_db(&dir);
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[tokio::test]
async fn multi_disk_fixture_reads_every_entry() {
    let (entries, _tmp, dir) = load("multi-disk");
    assert_files_listed(&entries, &dir);
    for (collection, directory) in entries["collection_to_directory"].as_object().unwrap() {
        assert_eq!(
            kv_store_disk::sanitize_filename(collection),
            directory.as_str().unwrap()
        );
        assert!(dir
            .join(directory.as_str().unwrap())
            .join("cache.db")
            .is_file());
    }
    let store = MultiDiskStore::new(&dir);
    let checked = check_all(&store, &entries).await;
    assert_eq!(checked, entries["flattened"].as_array().unwrap().len());
    assert_eq!(
        store
            .get(Some("my coll/x:y"), "sanitized-dir")
            .await
            .unwrap()
            .unwrap()["dir"],
        "pathvalidate.sanitize_filename"
    );
    store.close().await.unwrap();
}
