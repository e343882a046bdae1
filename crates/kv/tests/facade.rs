//! `kv::open` and the blocking API.

use std::time::Duration;

use kv::blocking::BlockingStore;
use kv::{ErrorKind, KeyValue};
use serde_json::json;

fn v(n: i64) -> kv::Object {
    json!({"n": n}).as_object().cloned().unwrap_or_default()
}

#[test]
fn blocking_api_round_trip_with_ttl() {
    let store = BlockingStore::open("memory://?max_entries_per_collection=10").unwrap();
    store
        .put(Some("c"), "a", v(1), Some(Duration::from_secs(60)))
        .unwrap();
    store
        .put_many(
            Some("c"),
            vec![("b".into(), v(2)), ("d".into(), v(3))],
            None,
        )
        .unwrap();
    assert_eq!(
        store.get_many(Some("c"), &["a", "b", "x"]).unwrap(),
        vec![Some(v(1)), Some(v(2)), None]
    );
    let (value, ttl) = store.ttl(Some("c"), "a").unwrap().unwrap();
    assert_eq!(value, v(1));
    assert!(ttl.unwrap() <= Duration::from_secs(60));
    assert_eq!(store.delete_many(Some("c"), &["a", "b", "b"]).unwrap(), 2);
    assert!(store
        .put_if_absent(Some("c"), "d", v(9), None)
        .is_ok_and(|w| !w));
    assert_eq!(store.keys(Some("c"), None).unwrap(), vec!["d".to_owned()]);
    store.close().unwrap();
    assert_eq!(
        store.get(Some("c"), "d").unwrap_err().kind(),
        &ErrorKind::Setup
    );
}

#[tokio::test]
async fn blocking_api_inside_a_runtime_is_an_error_not_a_panic() {
    let store = tokio::task::spawn_blocking(|| BlockingStore::open("memory://").unwrap())
        .await
        .unwrap();
    let err = store.get(None, "k").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup);
    assert!(err.to_string().contains("async runtime"), "{err}");
    tokio::task::spawn_blocking(move || drop(store))
        .await
        .unwrap();
}

#[tokio::test]
async fn open_every_memory_scheme() {
    for url in [
        "memory://",
        "memory://?default_collection=app",
        "memory://?compact=true",
        "simple://?max_entries=5",
        "null://",
    ] {
        let store = kv::open(url).unwrap();
        store.put(None, "k", v(1), None).await.unwrap();
    }
    let store = kv::open("memory://?default_collection=app").unwrap();
    store.put(None, "k", v(1), None).await.unwrap();
    assert_eq!(store.get(Some("app"), "k").await.unwrap(), Some(v(1)));
    let err = kv::open("memory://?max_entries_per_collection=lots")
        .err()
        .unwrap();
    assert!(err.to_string().contains("not a number"), "{err}");
    let err = kv::open("memory://?compact=yes").err().unwrap();
    assert!(err.to_string().contains("compact=yes"), "{err}");
}

#[cfg(feature = "disk")]
#[tokio::test]
async fn disk_urls_persist_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    for scheme in ["disk", "multi-disk"] {
        let url = format!("{scheme}://{}", dir.path().join(scheme).display());
        let store = kv::open(&url).unwrap();
        store
            .put(Some("c"), "k", v(7), Some(Duration::from_secs(60)))
            .await
            .unwrap();
        store.close().await.unwrap();
        let again = kv::open(&url).unwrap();
        assert_eq!(
            again.get(Some("c"), "k").await.unwrap(),
            Some(v(7)),
            "{scheme}"
        );
    }
    let err = kv::open("disk://").err().unwrap();
    assert!(err.to_string().contains("needs a directory"), "{err}");
}

/// The page size field of an SQLite file header (bytes 16-17, big-endian; 1 means 65536).
#[cfg(feature = "disk")]
fn sqlite_page_size(db: &std::path::Path) -> u32 {
    let header = std::fs::read(db).unwrap();
    match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u32::from(n),
    }
}

#[cfg(feature = "disk")]
#[tokio::test]
async fn disk_urls_take_a_page_size() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("disk://{}?page_size=8192", dir.path().join("d").display());
    let store = kv::open(&url).unwrap();
    store.put(Some("c"), "k", v(1), None).await.unwrap();
    store.close().await.unwrap();
    assert_eq!(
        sqlite_page_size(&dir.path().join("d").join("cache.db")),
        8192
    );

    let url = format!(
        "multi-disk://{}?page_size=1024",
        dir.path().join("m").display()
    );
    let store = kv::open(&url).unwrap();
    store.put(Some("c"), "k", v(1), None).await.unwrap();
    store.close().await.unwrap();
    assert_eq!(
        sqlite_page_size(&dir.path().join("m").join("c").join("cache.db")),
        1024
    );

    let url = format!("disk://{}?page_size=1000", dir.path().join("bad").display());
    let err = kv::open(&url).unwrap().get(None, "k").await.unwrap_err();
    assert_eq!(err.kind(), &kv::ErrorKind::Setup, "{err}");
    assert!(err.to_string().contains("page_size 1000"), "{err}");
}

#[cfg(feature = "rocksdb")]
#[tokio::test]
async fn rocksdb_url_persists_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("rocksdb://{}?default_collection=main", dir.path().display());
    let store = kv::open(&url).unwrap();
    store.put(None, "k", v(9), None).await.unwrap();
    store.close().await.unwrap();
    drop(store);
    let again = kv::open(&url).unwrap();
    assert_eq!(again.get(Some("main"), "k").await.unwrap(), Some(v(9)));
}

/// `dynamodb://` against the moto server `cargo xtask services up dynamodb` starts.
#[cfg(feature = "dynamodb")]
#[tokio::test]
async fn dynamodb_url_round_trip() {
    let Some(endpoint) = kv_core::conformance::service_url("KV_TEST_DYNAMODB_ENDPOINT") else {
        return;
    };
    let url = format!(
        "dynamodb://kv-facade-test?region=us-east-1&endpoint={endpoint}&access_key_id=test&secret_access_key=test"
    );
    let store = kv::open(&url).unwrap();
    store
        .put(Some("c"), "k", v(3), Some(Duration::from_secs(60)))
        .await
        .unwrap();
    assert_eq!(store.get(Some("c"), "k").await.unwrap(), Some(v(3)));
    assert!(store.delete(Some("c"), "k").await.unwrap());
    let err = kv::open("dynamodb://").err().unwrap();
    assert!(err.to_string().contains("needs a table name"), "{err}");
}

/// The network schemes added with their backends, against the servers `cargo xtask services up`
/// starts (each skipped with a SKIPPED line when its variable is unset).
#[cfg(all(feature = "mongodb", feature = "elasticsearch", feature = "vault"))]
#[tokio::test]
async fn network_urls_round_trip() {
    let mut urls = Vec::new();
    if let Some(u) = kv_core::conformance::service_url("KV_TEST_MONGODB_URL") {
        urls.push(u);
    }
    if let Some(u) = kv_core::conformance::service_url("KV_TEST_ELASTICSEARCH_URL") {
        let host = u.trim_start_matches("http://");
        urls.push(format!(
            "elasticsearch+http://{host}?index_prefix=kv-facade&dialect=opensearch"
        ));
    }
    if let (Some(addr), Some(token)) = (
        kv_core::conformance::service_url("KV_TEST_VAULT_ADDR"),
        kv_core::conformance::service_url("KV_TEST_VAULT_TOKEN"),
    ) {
        let host = addr.trim_start_matches("http://");
        urls.push(format!("vault+http://{host}?mount=secret&token={token}"));
    }
    for url in urls {
        let store = kv::open(&url).unwrap();
        store.put(Some("facade"), "k", v(5), None).await.unwrap();
        assert_eq!(
            store.get(Some("facade"), "k").await.unwrap(),
            Some(v(5)),
            "{url}"
        );
        assert!(store.delete(Some("facade"), "k").await.unwrap(), "{url}");
        store.close().await.unwrap();
    }
    let err = kv::open("vault+http://127.0.0.1:1?mount=secret").err();
    if std::env::var("VAULT_TOKEN").is_err() {
        assert!(err.unwrap().to_string().contains("needs a token"));
    }
}

/// The README's URL table lists every scheme `kv::SCHEMES` knows, with its feature.
#[test]
fn readme_lists_every_scheme() {
    let readme = include_str!("../README.md");
    for scheme in kv::SCHEMES {
        let row = format!("| `{}://` | `{}` |", scheme.scheme, scheme.feature);
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}
