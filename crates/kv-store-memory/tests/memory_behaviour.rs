//! MemoryStore specifics (conformance.md §5 "Memory"): seed, reads create nothing, eviction order.

use std::time::Duration;

use kv_core::{KeyValue, Seed};
use kv_store_memory::{MemoryStore, SimpleStore};
use serde_json::json;

fn v(n: i64) -> kv_core::Object {
    json!({"n": n}).as_object().unwrap().clone()
}

#[tokio::test]
async fn seed_is_readable_without_setup() {
    let mut seed = Seed::new();
    seed.entry("test_collection".into()).or_default().insert(
        "test_key".into(),
        json!({"obj_key": "obj_value"}).as_object().unwrap().clone(),
    );
    let store = MemoryStore::builder().seed(seed).build();
    let got = store
        .get(Some("test_collection"), "test_key")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got["obj_key"], "obj_value");
    assert_eq!(
        store.collections(None).await.unwrap(),
        vec!["test_collection".to_owned()]
    );
}

#[tokio::test]
async fn reading_an_unknown_collection_does_not_create_it() {
    let store = MemoryStore::new();
    store.get(Some("ghost"), "k").await.unwrap();
    store.ttl_many(Some("ghost"), &["k"]).await.unwrap();
    store.delete_many(Some("ghost"), &["k"]).await.unwrap();
    assert!(store.collections(None).await.unwrap().is_empty());
    assert!(store.keys(Some("ghost"), None).await.unwrap().is_empty());
}

#[tokio::test]
async fn lru_eviction_prefers_expired_then_least_recently_used() {
    let store = MemoryStore::builder().max_entries_per_collection(3).build();
    store.put(Some("c"), "old", v(1), None).await.unwrap();
    store
        .put(Some("c"), "short", v(2), Some(Duration::from_millis(50)))
        .await
        .unwrap();
    store.put(Some("c"), "recent", v(3), None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A read refreshes "old"; the expired "short" goes first when "new1" arrives.
    store.get(Some("c"), "old").await.unwrap();
    store.put(Some("c"), "new1", v(4), None).await.unwrap();
    assert!(store.get(Some("c"), "old").await.unwrap().is_some());
    assert!(store.get(Some("c"), "recent").await.unwrap().is_some());
    // Now full with live entries: "recent" is least recently used ("old" and "new1" were touched later).
    store.get(Some("c"), "old").await.unwrap();
    store.get(Some("c"), "new1").await.unwrap();
    store.put(Some("c"), "new2", v(5), None).await.unwrap();
    assert!(store.get(Some("c"), "recent").await.unwrap().is_none());
    // Overwriting an existing key never evicts.
    store.put(Some("c"), "old", v(6), None).await.unwrap();
    let mut keys = store.keys(Some("c"), None).await.unwrap();
    keys.sort();
    assert_eq!(keys, vec!["new1", "new2", "old"]);
}

#[tokio::test]
async fn simple_store_evicts_in_insertion_order_and_overwrite_does_not_evict() {
    let store = SimpleStore::with_max_entries(2);
    store.put(Some("a"), "1", v(1), None).await.unwrap();
    store.put(Some("b"), "2", v(2), None).await.unwrap();
    store.put(Some("a"), "1", v(3), None).await.unwrap();
    assert_eq!(store.get(Some("b"), "2").await.unwrap(), Some(v(2)));
    store.put(Some("a"), "3", v(4), None).await.unwrap();
    assert_eq!(store.get(Some("a"), "1").await.unwrap(), None);
    assert_eq!(store.get(Some("b"), "2").await.unwrap(), Some(v(2)));
}
