//! The typed adapter (conformance.md §7.3) and the raise-on-missing forms (§7.2).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kv_core::{
    async_trait, Backend, Entry, ErrorKind, KeyValue, KeyValueExt, Name, Result, Shape, Store,
    Timestamp, TypedStore,
};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// A minimal in-test backend (kv-core cannot depend on kv-store-memory).
#[derive(Default)]
struct MapBackend {
    map: Mutex<HashMap<(String, String), Entry>>,
    setup_failures_left: AtomicUsize,
    setup_runs: AtomicUsize,
}

#[async_trait]
impl Backend for MapBackend {
    fn name(&self) -> &'static str {
        "map"
    }
    async fn setup(&self) -> Result<()> {
        self.setup_runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        if self
            .setup_failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(kv_core::Error::connection("server not up yet"));
        }
        Ok(())
    }
    async fn get_entry(&self, c: &Name<'_>, k: &Name<'_>) -> Result<Option<Entry>> {
        Ok(self
            .map
            .lock()
            .get(&(c.as_str().into(), k.as_str().into()))
            .cloned())
    }
    async fn put_entry(&self, c: &Name<'_>, k: &Name<'_>, e: Entry) -> Result<()> {
        self.map
            .lock()
            .insert((c.as_str().into(), k.as_str().into()), e);
        Ok(())
    }
    async fn delete_entry(&self, c: &Name<'_>, k: &Name<'_>, now: Timestamp) -> Result<bool> {
        let removed = self
            .map
            .lock()
            .remove(&(c.as_str().into(), k.as_str().into()));
        Ok(removed.is_some_and(|e| e.is_live(now)))
    }
}

fn store() -> Arc<Store<MapBackend>> {
    Arc::new(Store::new(MapBackend::default()))
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct User {
    name: String,
    age: u32,
}

#[tokio::test]
async fn struct_round_trip_stored_as_object() {
    let s = store();
    let users: TypedStore<User, Store<MapBackend>> =
        TypedStore::new(s.clone()).with_default_collection("users");
    let ada = User {
        name: "Ada".into(),
        age: 36,
    };
    users.put(None, "ada", &ada, None).await.unwrap();
    assert_eq!(users.get(None, "ada").await.unwrap(), Some(ada.clone()));
    let raw = s.get(Some("users"), "ada").await.unwrap().unwrap();
    assert_eq!(
        serde_json::Value::Object(raw),
        json!({"name": "Ada", "age": 36})
    );
    let bob = User {
        name: "Bob".into(),
        age: 1,
    };
    assert_eq!(
        users.get_or(None, "nobody", bob.clone()).await.unwrap(),
        bob
    );
}

#[tokio::test]
async fn list_round_trip_stored_as_items() {
    let s = store();
    let lists: TypedStore<Vec<User>, Store<MapBackend>> =
        TypedStore::new(s.clone()).with_shape(Shape::Items);
    let list = vec![User {
        name: "Ada".into(),
        age: 36,
    }];
    lists.put(Some("c"), "k", &list, None).await.unwrap();
    let raw = s.get(Some("c"), "k").await.unwrap().unwrap();
    assert_eq!(
        serde_json::Value::Object(raw),
        json!({"items": [{"name": "Ada", "age": 36}]})
    );
    assert_eq!(lists.get(Some("c"), "k").await.unwrap(), Some(list));
}

#[tokio::test]
async fn batch_operations_with_ttl() {
    let users: TypedStore<User, Store<MapBackend>> = TypedStore::new(store());
    let (a, b) = (
        User {
            name: "a".into(),
            age: 1,
        },
        User {
            name: "b".into(),
            age: 2,
        },
    );
    users
        .put_many(
            Some("c"),
            &[("a", &a), ("b", &b)],
            Some(Duration::from_secs(100)),
        )
        .await
        .unwrap();
    let got = users.ttl_many(Some("c"), &["a", "b", "x"]).await.unwrap();
    assert_eq!(got[0].as_ref().unwrap().0, a);
    assert!(got[1].as_ref().unwrap().1.unwrap() <= Duration::from_secs(100));
    assert!(got[2].is_none());
    assert_eq!(
        users.get_many(Some("c"), &["b"]).await.unwrap(),
        vec![Some(b)]
    );
    assert_eq!(users.delete_many(Some("c"), &["a", "b"]).await.unwrap(), 2);
}

#[tokio::test]
async fn non_object_in_object_shape_is_a_serialization_error() {
    let s = store();
    for value in [json!(5), json!([1, 2]), json!("text")] {
        let t: TypedStore<serde_json::Value, Store<MapBackend>> = TypedStore::new(s.clone());
        let err = t.put(Some("c"), "k", &value, None).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Serialization, "{value}");
    }
    assert_eq!(s.get(Some("c"), "k").await.unwrap(), None);
}

#[tokio::test]
async fn chrono_and_uuid_values_round_trip_as_items() {
    let s = store();
    let when = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let dates: TypedStore<chrono::DateTime<chrono::Utc>, Store<MapBackend>> =
        TypedStore::new(s.clone()).with_shape(Shape::Items);
    dates.put(Some("c"), "d", &when, None).await.unwrap();
    assert_eq!(dates.get(Some("c"), "d").await.unwrap(), Some(when));
    let raw = s.get(Some("c"), "d").await.unwrap().unwrap();
    assert_eq!(raw["items"], "2025-01-01T00:00:00Z");
    let id = uuid::Uuid::parse_str("12345678-1234-5678-1234-567812345678").unwrap();
    let ids: TypedStore<uuid::Uuid, Store<MapBackend>> =
        TypedStore::new(s.clone()).with_shape(Shape::Items);
    ids.put(Some("c"), "u", &id, None).await.unwrap();
    assert_eq!(ids.get(Some("c"), "u").await.unwrap(), Some(id));
    // As an object shape, both are refused like py-key-value refuses them in a raw store.
    let as_object: TypedStore<uuid::Uuid, Store<MapBackend>> = TypedStore::new(s.clone());
    assert_eq!(
        as_object
            .put(Some("c"), "x", &id, None)
            .await
            .unwrap_err()
            .kind(),
        &ErrorKind::Serialization
    );
}

#[tokio::test]
async fn invalid_stored_data_raises_or_reads_as_missing() {
    let s = store();
    s.put(
        Some("c"),
        "bad",
        json!({"name": 5}).as_object().unwrap().clone(),
        None,
    )
    .await
    .unwrap();
    s.put(
        Some("c"),
        "noitems",
        json!({"not_items": [1]}).as_object().unwrap().clone(),
        None,
    )
    .await
    .unwrap();
    let raising: TypedStore<User, Store<MapBackend>> = TypedStore::new(s.clone());
    let err = raising.get(Some("c"), "bad").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Deserialization);
    assert_eq!(err.key(), Some("bad"));
    let quiet = raising.clone().raise_on_validation_error(false);
    assert_eq!(quiet.get(Some("c"), "bad").await.unwrap(), None);
    assert_eq!(quiet.ttl(Some("c"), "bad").await.unwrap(), None);
    let items: TypedStore<Vec<i32>, Store<MapBackend>> =
        TypedStore::new(s.clone()).with_shape(Shape::Items);
    assert_eq!(
        items.get(Some("c"), "noitems").await.unwrap_err().kind(),
        &ErrorKind::Deserialization
    );
    assert_eq!(
        items
            .raise_on_validation_error(false)
            .get(Some("c"), "noitems")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn raise_on_missing_forms() {
    let s = store();
    s.put(
        Some("c"),
        "a",
        json!({"x": 1}).as_object().unwrap().clone(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(s.get_required(Some("c"), "a").await.unwrap()["x"], 1);
    let err = s.get_required(Some("c"), "b").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::MissingKey);
    assert_eq!(
        (err.operation(), err.collection(), err.key()),
        (Some("get"), Some("c"), Some("b"))
    );
    let err = s
        .get_many_required(Some("c"), &["a", "zz", "yy"])
        .await
        .unwrap_err();
    assert_eq!((err.collection(), err.key()), (Some("c"), Some("zz")));
    let err = s.get_required(None, "a").await.unwrap_err();
    assert_eq!(err.collection(), Some("default"));
    assert_eq!(
        s.ttl_required(Some("c"), "b").await.unwrap_err().kind(),
        &ErrorKind::MissingKey
    );
    let err = s
        .ttl_many_required(Some("c"), &["a", "q"])
        .await
        .unwrap_err();
    assert_eq!((err.operation(), err.key()), (Some("ttl_many"), Some("q")));
    assert_eq!(
        s.ttl_many_required(Some("c"), &["a"]).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn failed_setup_is_reported_and_retried_once_concurrently() {
    let backend = MapBackend::default();
    backend.setup_failures_left.store(1, Ordering::SeqCst);
    let s = Arc::new(Store::new(backend));
    let err = s.get(None, "k").await.unwrap_err();
    // A server that is not up during setup is the same retryable outage as later on.
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
    assert!(err.is_retryable());
    assert!(err.message().contains("setup failed"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    // Ten concurrent first calls after the failure run setup exactly once more.
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.get(None, "k").await })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().unwrap(), None);
    }
    assert_eq!(s.backend().setup_runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn seed_is_applied_once_without_explicit_setup() {
    let mut seed = kv_core::Seed::new();
    seed.entry("test_collection".into()).or_default().insert(
        "test_key".into(),
        json!({"obj_key": "obj_value"}).as_object().unwrap().clone(),
    );
    let s = Store::new(MapBackend::default()).with_seed(seed);
    assert_eq!(
        s.get(Some("test_collection"), "test_key")
            .await
            .unwrap()
            .unwrap()["obj_key"],
        "obj_value"
    );
    s.delete(Some("test_collection"), "test_key").await.unwrap();
    assert_eq!(
        s.get(Some("test_collection"), "test_key").await.unwrap(),
        None,
        "seed re-applied"
    );
}

#[tokio::test]
async fn ttl_validation_vectors() {
    let s = store();
    let v = json!({"a": 1}).as_object().unwrap().clone();
    for ok in [
        Duration::from_secs(100),
        Duration::from_millis(100),
        Duration::from_millis(1),
        Duration::from_nanos(1),
    ] {
        s.put(None, "k", v.clone(), Some(ok)).await.unwrap();
    }
    for bad in [
        Duration::ZERO,
        Duration::from_secs(u64::MAX),
        Duration::from_secs(9_000 * 365 * 86_400),
    ] {
        assert_eq!(
            s.put(None, "k", v.clone(), Some(bad))
                .await
                .unwrap_err()
                .kind(),
            &ErrorKind::InvalidTtl
        );
    }
}

#[tokio::test]
async fn custom_default_collection_and_sanitizing_store() {
    let s = Store::new(MapBackend::default())
        .with_default_collection("other")
        .with_key_strategy(kv_core::sanitize::memcached_v1_key());
    let v = json!({"a": 1}).as_object().unwrap().clone();
    s.put(None, "k", v.clone(), None).await.unwrap();
    assert_eq!(s.get(Some("other"), "k").await.unwrap(), Some(v.clone()));
    let err = s
        .put(None, "H_reserved", v.clone(), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidKey);
    assert_eq!(
        (err.key(), err.collection(), err.operation()),
        (Some("H_reserved"), Some("other"), Some("put"))
    );
    let long = "x".repeat(300);
    s.put(None, &long, v.clone(), None).await.unwrap();
    assert_eq!(s.get(None, &long).await.unwrap(), Some(v));
    let stored = s
        .backend()
        .map
        .lock()
        .keys()
        .map(|(_, k)| k.clone())
        .collect::<Vec<_>>();
    assert!(
        stored.iter().any(|k| k.starts_with("H_") && k.len() == 66),
        "{stored:?}"
    );
}
