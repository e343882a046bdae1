//! The 36 tests of py-key-value's `BaseStoreTests`, adapted to Rust.

use std::sync::Arc;
use std::time::Duration;

use serde::ser::Error as _;
use serde::Serialize;
use serde_json::json;

use super::{data, obj, TestCtx};
use crate::error::{ErrorKind, Result};
use crate::key_value::KeyValue;
use crate::typed::{Shape, TypedStore};
use crate::Object;

type Store = Arc<dyn KeyValue>;

fn v1() -> Object {
    obj(json!({"test": "test"}))
}

fn v2() -> Object {
    obj(json!({"test": "test_2"}))
}

fn pairs(keys: &[&str], values: &[Object]) -> Vec<(String, Object)> {
    keys.iter()
        .map(|k| k.to_string())
        .zip(values.iter().cloned())
        .collect()
}

fn expect_kind<T: std::fmt::Debug>(result: Result<T>, kind: ErrorKind, what: &str) {
    match result {
        Err(e) => assert_eq!(e.kind(), &kind, "{what}: wrong error {e}"),
        Ok(v) => panic!("{what}: expected {kind} error, got Ok({v:?})"),
    }
}

/// #1: the store is a `KeyValue`; every capability it does not claim returns `Unsupported`.
pub async fn store_protocol(store: Store, ctx: TestCtx) -> Result<()> {
    let caps = store.capabilities();
    let c = ctx.collection("test");
    if !caps.keys {
        expect_kind(
            store.keys(Some(&c), None).await,
            ErrorKind::Unsupported,
            "keys",
        );
    }
    if !caps.collections {
        expect_kind(
            store.collections(None).await,
            ErrorKind::Unsupported,
            "collections",
        );
    }
    if !caps.destroy {
        expect_kind(store.destroy().await, ErrorKind::Unsupported, "destroy");
    }
    if !caps.destroy_collection {
        expect_kind(
            store.destroy_collection(&c).await,
            ErrorKind::Unsupported,
            "destroy_collection",
        );
    }
    if !caps.cull {
        expect_kind(store.cull().await, ErrorKind::Unsupported, "cull");
    }
    if !caps.put_if_absent {
        expect_kind(
            store.put_if_absent(Some(&c), "test", v1(), None).await,
            ErrorKind::Unsupported,
            "put_if_absent",
        );
        assert_eq!(
            store.get(Some(&c), "test").await?,
            None,
            "unsupported put_if_absent wrote"
        );
    }
    Ok(())
}

/// #2
pub async fn empty_get(store: Store, ctx: TestCtx) -> Result<()> {
    assert_eq!(
        store.get(Some(&ctx.collection("test")), "test").await?,
        None
    );
    Ok(())
}

/// #3
pub async fn empty_put(store: Store, ctx: TestCtx) -> Result<()> {
    store
        .put(Some(&ctx.collection("test")), "test", v1(), None)
        .await
}

/// #4
pub async fn empty_ttl(store: Store, ctx: TestCtx) -> Result<()> {
    assert_eq!(
        store.ttl(Some(&ctx.collection("test")), "test").await?,
        None
    );
    Ok(())
}

struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> std::result::Result<S::Ok, S::Error> {
        Err(S::Error::custom("this type refuses to serialize"))
    }
}

/// #5: a value that cannot be serialized is a `Serialization` error and writes nothing.
pub async fn put_serialization_errors(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    #[derive(Serialize, serde::Deserialize)]
    struct Wrapper {
        #[serde(skip_deserializing, default)]
        inner: Option<UnserializableField>,
    }
    #[derive(Default)]
    struct UnserializableField;
    impl Serialize for UnserializableField {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            Unserializable.serialize(s)
        }
    }
    let typed: TypedStore<Wrapper> = TypedStore::new(Arc::clone(&store));
    let value = Wrapper {
        inner: Some(UnserializableField),
    };
    expect_kind(
        typed.put(Some(&c), "test", &value, None).await,
        ErrorKind::Serialization,
        "put",
    );
    assert_eq!(
        store.get(Some(&c), "test").await?,
        None,
        "a failed put wrote something"
    );
    Ok(())
}

/// #6
pub async fn get_put_get(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    assert_eq!(store.get(Some(&c), "test").await?, None);
    store.put(Some(&c), "test", v1(), None).await?;
    assert_eq!(store.get(Some(&c), "test").await?, Some(v1()));
    Ok(())
}

/// #7: one of the 26 simple cases round-trips exactly (floats stay floats).
pub async fn models_put_get(store: Store, ctx: TestCtx, case: &'static str) -> Result<()> {
    let c = ctx.collection("test");
    let value = data::simple_case(case);
    store.put(Some(&c), "test", value.clone(), None).await?;
    assert_eq!(
        store.get(Some(&c), "test").await?,
        Some(value),
        "case {case}"
    );
    Ok(())
}

/// #8: Python's datetime/date/time/UUID values (strings in Rust) are not objects: `Serialization`.
pub async fn negative_models_put_get(store: Store, ctx: TestCtx, case: &'static str) -> Result<()> {
    let c = ctx.collection("test");
    let text = match case {
        "datetime" => "2025-01-01T00:00:00+00:00",
        "date" => "2025-01-01",
        "time" => "00:00:00",
        "uuid" => "12345678-1234-5678-1234-567812345678",
        other => panic!("unknown negative case {other}"),
    };
    let typed: TypedStore<String> = TypedStore::new(Arc::clone(&store)).with_shape(Shape::Object);
    expect_kind(
        typed.put(Some(&c), "test", &text.to_owned(), None).await,
        ErrorKind::Serialization,
        case,
    );
    assert_eq!(store.get(Some(&c), "test").await?, None);
    // The Items shape stores the same value.
    let items: TypedStore<String> = TypedStore::new(Arc::clone(&store)).with_shape(Shape::Items);
    items.put(Some(&c), "items", &text.to_owned(), None).await?;
    assert_eq!(items.get(Some(&c), "items").await?, Some(text.to_owned()));
    Ok(())
}

/// #9: the 4 large cases round-trip.
pub async fn get_large_put_get(store: Store, ctx: TestCtx, case: &'static str) -> Result<()> {
    let c = ctx.collection("test");
    let value = data::large_case(case);
    store.put(Some(&c), "test", value.clone(), None).await?;
    assert_eq!(
        store.get(Some(&c), "test").await?,
        Some(value),
        "case {case}"
    );
    Ok(())
}

/// #10
pub async fn put_many_get(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store
        .put_many(Some(&c), pairs(&["test", "test_2"], &[v1(), v2()]), None)
        .await?;
    assert_eq!(store.get(Some(&c), "test").await?, Some(v1()));
    assert_eq!(store.get(Some(&c), "test_2").await?, Some(v2()));
    Ok(())
}

/// #11
pub async fn put_many_get_many(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store
        .put_many(Some(&c), pairs(&["test", "test_2"], &[v1(), v2()]), None)
        .await?;
    assert_eq!(
        store.get_many(Some(&c), &["test", "test_2"]).await?,
        vec![Some(v1()), Some(v2())]
    );
    Ok(())
}

/// #12
pub async fn put_put_get_many(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "test", v1(), None).await?;
    store.put(Some(&c), "test_2", v2(), None).await?;
    assert_eq!(
        store.get_many(Some(&c), &["test", "test_2"]).await?,
        vec![Some(v1()), Some(v2())]
    );
    Ok(())
}

/// #13
pub async fn put_put_get_many_missing_one(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "test", v1(), None).await?;
    store.put(Some(&c), "test_2", v2(), None).await?;
    assert_eq!(
        store
            .get_many(Some(&c), &["test", "test_2", "test_3"])
            .await?,
        vec![Some(v1()), Some(v2()), None]
    );
    Ok(())
}

/// #14
pub async fn put_get_delete_get(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "test", v1(), None).await?;
    assert_eq!(store.get(Some(&c), "test").await?, Some(v1()));
    assert!(store.delete(Some(&c), "test").await?);
    assert_eq!(store.get(Some(&c), "test").await?, None);
    Ok(())
}

/// #15
pub async fn put_many_get_get_delete_many_get_many(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store
        .put_many(Some(&c), pairs(&["test", "test_2"], &[v1(), v2()]), None)
        .await?;
    assert_eq!(
        store.get_many(Some(&c), &["test", "test_2"]).await?,
        vec![Some(v1()), Some(v2())]
    );
    assert_eq!(store.delete_many(Some(&c), &["test", "test_2"]).await?, 2);
    assert_eq!(
        store.get_many(Some(&c), &["test", "test_2"]).await?,
        vec![None, None]
    );
    Ok(())
}

/// #16 (same shape as #15, kept as in Python)
pub async fn put_many_get_many_delete_many_get_many(store: Store, ctx: TestCtx) -> Result<()> {
    put_many_get_get_delete_many_get_many(store, ctx).await
}

/// #17: entries given as a fixed-size array.
pub async fn put_many_tuple_get_many(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let entries = [("test".to_owned(), v1()), ("test_2".to_owned(), v2())];
    store.put_many(Some(&c), entries.into(), None).await?;
    assert_eq!(
        store.get_many(Some(&c), &["test", "test_2"]).await?,
        vec![Some(v1()), Some(v2())]
    );
    Ok(())
}

/// #18
pub async fn delete(store: Store, ctx: TestCtx) -> Result<()> {
    assert!(!store.delete(Some(&ctx.collection("test")), "test").await?);
    Ok(())
}

/// #19
pub async fn put_delete_delete(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "test", v1(), None).await?;
    assert!(store.delete(Some(&c), "test").await?);
    assert!(!store.delete(Some(&c), "test").await?);
    Ok(())
}

/// #20
pub async fn delete_many(store: Store, ctx: TestCtx) -> Result<()> {
    assert_eq!(
        store
            .delete_many(Some(&ctx.collection("test")), &["test", "test_2"])
            .await?,
        0
    );
    Ok(())
}

/// #21
pub async fn put_delete_many(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "test", v1(), None).await?;
    assert_eq!(store.delete_many(Some(&c), &["test", "test_2"]).await?, 1);
    Ok(())
}

/// #22
pub async fn delete_many_delete_many(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "test", v1(), None).await?;
    assert_eq!(store.delete_many(Some(&c), &["test", "test_2"]).await?, 1);
    assert_eq!(store.delete_many(Some(&c), &["test", "test_2"]).await?, 0);
    Ok(())
}

/// #23
pub async fn get_put_get_delete_get(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    assert_eq!(store.get(Some(&c), "test").await?, None);
    store.put(Some(&c), "test", v1(), None).await?;
    assert_eq!(store.get(Some(&c), "test").await?, Some(v1()));
    assert!(store.delete(Some(&c), "test").await?);
    assert_eq!(store.get(Some(&c), "test").await?, None);
    Ok(())
}

/// #24
pub async fn get_put_get_put_delete_get(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "test", v1(), None).await?;
    assert_eq!(store.get(Some(&c), "test").await?, Some(v1()));
    store.put(Some(&c), "test", v2(), None).await?;
    assert_eq!(store.get(Some(&c), "test").await?, Some(v2()));
    assert!(store.delete(Some(&c), "test").await?);
    assert_eq!(store.get(Some(&c), "test").await?, None);
    Ok(())
}

/// #25
pub async fn put_many_delete_delete_get_many(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store
        .put_many(Some(&c), pairs(&["test", "test_2"], &[v1(), v2()]), None)
        .await?;
    assert!(store.delete(Some(&c), "test").await?);
    assert!(store.delete(Some(&c), "test_2").await?);
    assert_eq!(
        store.get_many(Some(&c), &["test", "test_2"]).await?,
        vec![None, None]
    );
    Ok(())
}

/// #26
pub async fn put_ttl_get_ttl(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let started = std::time::Instant::now();
    store
        .put(Some(&c), "test", v1(), Some(Duration::from_secs(100)))
        .await?;
    let (value, remaining) = store.ttl(Some(&c), "test").await?.expect("entry missing");
    let elapsed = started.elapsed();
    assert_eq!(value, v1());
    let remaining = remaining.expect("ttl lost");
    // Two seconds of rounding, plus however long the two calls took on a loaded machine.
    assert!(
        remaining <= Duration::from_secs(100) && remaining + elapsed >= Duration::from_secs(98),
        "remaining {remaining:?}, {elapsed:?} after the put began"
    );
    Ok(())
}

/// #27: a zero TTL is `InvalidTtl` and writes nothing.
pub async fn negative_ttl(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    expect_kind(
        store
            .put(Some(&c), "test", v1(), Some(Duration::ZERO))
            .await,
        ErrorKind::InvalidTtl,
        "put",
    );
    expect_kind(
        store
            .put_many(Some(&c), pairs(&["test"], &[v1()]), Some(Duration::ZERO))
            .await,
        ErrorKind::InvalidTtl,
        "put_many",
    );
    expect_kind(
        store
            .put(Some(&c), "test", v1(), Some(Duration::from_secs(u64::MAX)))
            .await,
        ErrorKind::InvalidTtl,
        "put with overflowing ttl",
    );
    assert_eq!(store.get(Some(&c), "test").await?, None);
    Ok(())
}

/// #28
pub async fn put_expired_get_none(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test_collection");
    let started = std::time::Instant::now();
    store
        .put(Some(&c), "test_key", v1(), Some(Duration::from_secs(2)))
        .await?;
    let got = store.get(Some(&c), "test_key").await?;
    if got.is_none() {
        // Already gone: right only if the two calls took the whole 2 s (a slow server).
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_secs(2),
            "missing {elapsed:?} after the put began"
        );
        return Ok(());
    }
    assert_eq!(got, Some(v1()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if store.get(Some(&c), "test_key").await?.is_none() {
            return Ok(());
        }
    }
    panic!("entry with a 2 s ttl still readable after 3 s");
}

async fn round_trip_or_reject(
    store: &Store,
    c: &str,
    k: &str,
    reject: bool,
    what: &str,
) -> Result<()> {
    let result = store.put(Some(c), k, v1(), None).await;
    if reject {
        expect_kind(result, ErrorKind::InvalidKey, what);
        return Ok(());
    }
    result?;
    assert_eq!(store.get(Some(c), k).await?, Some(v1()), "{what}");
    assert!(store.delete(Some(c), k).await?, "{what}");
    Ok(())
}

/// #29
pub async fn long_collection_name(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection(&"test_collection".repeat(100));
    round_trip_or_reject(
        &store,
        &c,
        "test_key",
        ctx.config.rejects_long_collections,
        "long collection",
    )
    .await
}

/// #30
pub async fn special_characters_in_collection_name(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test_collection!@#$%^&*()");
    round_trip_or_reject(
        &store,
        &c,
        "test_key",
        ctx.config.rejects_special_collections,
        "special collection",
    )
    .await
}

/// #31
pub async fn long_key_name(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test_collection");
    let key = "test_key".repeat(100);
    round_trip_or_reject(&store, &c, &key, ctx.config.rejects_long_keys, "long key").await
}

/// #32
pub async fn special_characters_in_key_name(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test_collection");
    round_trip_or_reject(&store, &c, "test_key!@#$%^&*()", false, "special key").await
}

/// #33: a bounded store evicts (only for bounded configurations).
pub async fn not_unbounded(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(
        !ctx.config.bounded,
        "the store configuration is not bounded",
    ) {
        return Ok(());
    }
    let c = ctx.collection("test_collection");
    for i in 0..1000 {
        let value = obj(json!({"test": crate::sanitize::sha256_hex(&format!("test_{i}"))}));
        store
            .put(Some(&c), &format!("test_key_{i}"), value, None)
            .await?;
    }
    assert_eq!(
        store.get(Some(&c), "test_key_0").await?,
        None,
        "oldest entry not evicted"
    );
    assert!(
        store.get(Some(&c), "test_key_999").await?.is_some(),
        "newest entry missing"
    );
    Ok(())
}

/// #34: 3 concurrent workers × 5 iterations on distinct keys.
pub async fn concurrent_operations(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test_collection");
    let mut workers = Vec::new();
    for worker in 0..3 {
        let store = Arc::clone(&store);
        let c = c.clone();
        workers.push(tokio::spawn(async move {
            for i in 0..5 {
                let key = format!("test_{worker}_{i}");
                assert_eq!(store.get(Some(&c), &key).await?, None);
                let first = obj(json!({"test": format!("test_{i}")}));
                store.put(Some(&c), &key, first.clone(), None).await?;
                assert_eq!(store.get(Some(&c), &key).await?, Some(first));
                let second = obj(json!({"test": format!("test_{i}_2")}));
                store.put(Some(&c), &key, second.clone(), None).await?;
                assert_eq!(store.get(Some(&c), &key).await?, Some(second));
                assert!(store.delete(Some(&c), &key).await?);
                assert_eq!(store.get(Some(&c), &key).await?, None);
            }
            Ok::<(), crate::Error>(())
        }));
    }
    for w in workers {
        w.await.unwrap_or_else(|e| panic!("worker panicked: {e}"))?;
    }
    Ok(())
}

fn ten() -> (Vec<String>, Vec<Object>) {
    (0..10)
        .map(|i| {
            (
                format!("test_{i}"),
                obj(json!({"test": format!("test_{i}")})),
            )
        })
        .unzip()
}

/// #35
pub async fn minimum_put_many_get_many_performance(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let (keys, values) = ten();
    store
        .put_many(
            Some(&c),
            keys.iter().cloned().zip(values.iter().cloned()).collect(),
            None,
        )
        .await?;
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let got = store.get_many(Some(&c), &refs).await?;
    assert_eq!(got, values.into_iter().map(Some).collect::<Vec<_>>());
    Ok(())
}

/// #36
pub async fn minimum_put_many_delete_many_performance(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let (keys, values) = ten();
    store
        .put_many(Some(&c), keys.iter().cloned().zip(values).collect(), None)
        .await?;
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(store.delete_many(Some(&c), &refs).await?, 10);
    Ok(())
}
