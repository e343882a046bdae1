//! Batches on the live server (`KV_TEST_VAULT_ADDR`): Vault has no batch API, so the store
//! runs up to `concurrency` requests at once; results must still come back in key order, and
//! a failing element must name its key.

mod common;

use std::time::{Duration, Instant};

use kv_core::conformance::{obj, unique_token};
use kv_core::{ErrorKind, KeyValue, Object};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_entry_batches_keep_order() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let c = format!("batch-{}", unique_token());
    let n = 1_000;
    let entries: Vec<(String, Object)> = (0..n)
        .map(|i| (format!("b{i}"), obj(json!({"i": i}))))
        .collect();
    let keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();

    let started = Instant::now();
    store
        .put_many(Some(&c), entries, Some(Duration::from_secs(600)))
        .await
        .unwrap();
    let put = started.elapsed();
    let got = store.get_many(Some(&c), &key_refs).await.unwrap();
    let read = started.elapsed() - put;
    for (i, value) in got.iter().enumerate() {
        assert_eq!(value.as_ref(), Some(&obj(json!({"i": i}))), "slot {i}");
    }
    let mut listed = store.keys(Some(&c), Some(2 * n)).await.unwrap();
    listed.sort();
    let mut want = keys.clone();
    want.sort();
    assert_eq!(listed, want);
    assert_eq!(
        store.keys(Some(&c), Some(10)).await.unwrap().len(),
        10,
        "limit honoured"
    );
    assert_eq!(store.delete_many(Some(&c), &key_refs).await.unwrap(), n);
    assert!(store
        .get_many(Some(&c), &key_refs)
        .await
        .unwrap()
        .iter()
        .all(Option::is_none));
    println!(
        "vault batches of {n}: put {:.2}s, get {:.2}s, total {:.2}s",
        put.as_secs_f64(),
        read.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test]
async fn a_bad_key_in_a_batch_is_named() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let c = format!("batch-{}", unique_token());
    let entries = vec![
        ("fine".to_owned(), obj(json!({}))),
        ("bad\u{1}".to_owned(), obj(json!({}))),
    ];
    let err = store.put_many(Some(&c), entries, None).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{err}");
    assert_eq!(err.key(), Some("bad\u{1}"), "{err}");
    // Validation happens before any request: nothing was written.
    assert_eq!(store.get(Some(&c), "fine").await.unwrap(), None);
}
