//! The page size of the SQLite files: 2048 for files this library creates, the builder's choice
//! when given, and never changed for a file that exists (Python's caches stay at 4096).

mod common;

use std::path::Path;

use kv_core::{ErrorKind, KeyValue, Object};
use kv_store_disk::{DiskStore, MultiDiskStore};
use serde_json::json;

fn page_size(db_dir: &Path) -> i64 {
    common::open_db(db_dir)
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap()
}

fn object(text_len: usize) -> Object {
    json!({"text": "x".repeat(text_len), "n": 1})
        .as_object()
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn new_caches_use_2048_byte_pages_and_hold_values_larger_than_a_page() {
    let tmp = tempfile::tempdir().unwrap();
    let store = DiskStore::new(tmp.path());
    // 10 kB: inline (under diskcache's 32 kB file threshold) and over several pages.
    store
        .put(Some("c"), "big", object(10_000), None)
        .await
        .unwrap();
    store
        .put(Some("c"), "small", object(10), None)
        .await
        .unwrap();
    assert_eq!(page_size(tmp.path()), 2048);
    store.close().await.unwrap();
    let reopened = DiskStore::new(tmp.path());
    assert_eq!(
        reopened.get(Some("c"), "big").await.unwrap(),
        Some(object(10_000))
    );
    assert_eq!(
        reopened.get(Some("c"), "small").await.unwrap(),
        Some(object(10))
    );
}

#[tokio::test]
async fn the_builder_chooses_the_page_size_of_new_files() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = DiskStore::builder(tmp.path().join("disk"))
        .page_size(4096)
        .build();
    disk.put(None, "k", object(1), None).await.unwrap();
    assert_eq!(page_size(&tmp.path().join("disk")), 4096);

    let multi = MultiDiskStore::builder(tmp.path().join("multi"))
        .page_size(8192)
        .build();
    multi.put(Some("c"), "k", object(1), None).await.unwrap();
    let collection_dir = multi.collection_directory(Some("c")).unwrap();
    assert_eq!(page_size(&collection_dir), 8192);
}

#[tokio::test]
async fn an_existing_file_keeps_its_page_size() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("disk-store");
    common::copy_dir(&common::fixture("disk").join("disk-store"), &dir);
    let before = page_size(&dir);
    let store = DiskStore::builder(&dir).page_size(1024).build();
    store.put(Some("c"), "k", object(1), None).await.unwrap();
    assert_eq!(store.get(Some("c"), "k").await.unwrap(), Some(object(1)));
    store.close().await.unwrap();
    assert_eq!(page_size(&dir), before);
    assert_eq!(before, 4096, "Python's diskcache uses SQLite's default");
}

#[tokio::test]
async fn an_invalid_page_size_fails_setup_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for bytes in [0, 256, 1000, 3072, 131_072] {
        let dir = tmp.path().join(format!("p{bytes}"));
        let store = DiskStore::builder(&dir).page_size(bytes).build();
        let err = store.put(None, "k", object(1), None).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Setup, "{bytes}: {err}");
        assert!(err.to_string().contains("page_size"), "{err}");
        assert!(!dir.exists(), "{bytes}: directory created");
        let multi = MultiDiskStore::builder(&dir).page_size(bytes).build();
        let err = multi.get(Some("c"), "k").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Setup, "{bytes}: {err}");
    }
}
