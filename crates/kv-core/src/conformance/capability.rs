//! Capability-gated tests (`conformance.md` §6.2): they run only where `capabilities()` claims
//! the operation, and then must pass.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{obj, TestCtx};
use crate::error::Result;
use crate::key_value::KeyValue;
use crate::Object;

type Store = Arc<dyn KeyValue>;

fn v(n: i64) -> Object {
    obj(json!({"n": n}))
}

fn set(items: Vec<String>) -> BTreeSet<String> {
    items.into_iter().collect()
}

/// `keys` lists exactly the live keys of one collection.
pub async fn keys_lists_live_keys(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(!store.capabilities().keys, "keys is not offered") {
        return Ok(());
    }
    let c = ctx.collection("test");
    let other = ctx.collection("other");
    store.put(Some(&c), "a", v(1), None).await?;
    store
        .put(Some(&c), "b", v(2), Some(Duration::from_secs(100)))
        .await?;
    store
        .put(Some(&c), "gone", v(3), Some(Duration::from_millis(300)))
        .await?;
    store.put(Some(&other), "x", v(4), None).await?;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let expected: BTreeSet<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
    assert_eq!(set(store.keys(Some(&c), None).await?), expected);
    assert_eq!(set(store.keys(Some(&c), Some(0)).await?), expected);
    assert!(store
        .keys(Some(&ctx.collection("empty")), None)
        .await?
        .is_empty());
    Ok(())
}

/// `keys` respects `limit`.
pub async fn keys_limit(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(!store.capabilities().keys, "keys is not offered") {
        return Ok(());
    }
    let c = ctx.collection("test");
    let entries = (0..5).map(|i| (format!("k{i}"), v(i))).collect();
    store.put_many(Some(&c), entries, None).await?;
    assert_eq!(store.keys(Some(&c), Some(2)).await?.len(), 2);
    assert_eq!(store.keys(Some(&c), None).await?.len(), 5);
    Ok(())
}

/// `keys` handles `::` and glob characters in keys and collections.
pub async fn keys_special_names(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(!store.capabilities().keys, "keys is not offered") {
        return Ok(());
    }
    let c = ctx.collection("glob*?[x]\\");
    let decoy = ctx.collection("globA?[x]\\");
    let names = ["a::b", "*", "?", "[a-z]", "back\\slash"];
    for (i, k) in names.iter().enumerate() {
        store.put(Some(&c), k, v(i as i64), None).await?;
    }
    store.put(Some(&decoy), "decoy", v(9), None).await?;
    let expected: BTreeSet<String> = names.iter().map(|s| s.to_string()).collect();
    assert_eq!(set(store.keys(Some(&c), None).await?), expected);
    Ok(())
}

/// `collections` lists written collections, not read ones, and respects `limit`.
pub async fn collections_listing(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(
        !store.capabilities().collections,
        "collections is not offered",
    ) {
        return Ok(());
    }
    let written = [
        ctx.collection("one"),
        ctx.collection("two"),
        ctx.collection("three"),
    ];
    let read_only = ctx.collection("read");
    for c in &written {
        store.put(Some(c), "k", v(1), None).await?;
    }
    store.get(Some(&read_only), "k").await?;
    store.get_many(Some(&read_only), &["k"]).await?;
    store.delete(Some(&read_only), "k").await?;
    let all = set(store.collections(None).await?);
    for c in &written {
        assert!(all.contains(c), "{c} missing from collections()");
    }
    assert!(
        !all.contains(&read_only),
        "a collection that was only read is listed"
    );
    assert_eq!(store.collections(Some(2)).await?.len(), 2);
    Ok(())
}

/// `destroy` removes everything, reports `true` then `false`, and the store works afterwards.
pub async fn destroy_store(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(!store.capabilities().destroy, "destroy is not offered") {
        return Ok(());
    }
    let c1 = ctx.collection("one");
    let c2 = ctx.collection("two");
    store.put(Some(&c1), "a", v(1), None).await?;
    store.put(Some(&c2), "b", v(2), None).await?;
    assert!(store.destroy().await?);
    assert_eq!(store.get(Some(&c1), "a").await?, None);
    assert_eq!(store.get(Some(&c2), "b").await?, None);
    assert!(!store.destroy().await?);
    store.put(Some(&c1), "a", v(3), None).await?;
    assert_eq!(store.get(Some(&c1), "a").await?, Some(v(3)));
    Ok(())
}

/// `destroy_collection` removes only that collection; `true` then `false`; usable afterwards.
pub async fn destroy_collection_only(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(
        !store.capabilities().destroy_collection,
        "destroy_collection is not offered",
    ) {
        return Ok(());
    }
    let c1 = ctx.collection("one");
    let c2 = ctx.collection("two");
    store.put(Some(&c1), "a", v(1), None).await?;
    store.put(Some(&c2), "b", v(2), None).await?;
    assert!(store.destroy_collection(&c1).await?);
    assert_eq!(store.get(Some(&c1), "a").await?, None);
    assert_eq!(store.get(Some(&c2), "b").await?, Some(v(2)));
    assert!(!store.destroy_collection(&c1).await?);
    store.put(Some(&c1), "a", v(3), None).await?;
    assert_eq!(store.get(Some(&c1), "a").await?, Some(v(3)));
    Ok(())
}

/// `cull` removes expired entries and keeps live ones; reads are unchanged.
pub async fn cull_expired(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(!store.capabilities().cull, "cull is not offered") {
        return Ok(());
    }
    let c = ctx.collection("test");
    store.put(Some(&c), "live", v(1), None).await?;
    store
        .put(Some(&c), "dead", v(2), Some(Duration::from_millis(200)))
        .await?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    if let Some(raw) = &ctx.config.raw {
        assert!(
            raw.exists_raw(&c, "dead").await?,
            "expired entry vanished before cull"
        );
    }
    store.cull().await?;
    if let Some(raw) = &ctx.config.raw {
        assert!(
            !raw.exists_raw(&c, "dead").await?,
            "cull kept an expired entry"
        );
        assert!(
            raw.exists_raw(&c, "live").await?,
            "cull removed a live entry"
        );
    }
    assert_eq!(store.get(Some(&c), "live").await?, Some(v(1)));
    assert_eq!(store.get(Some(&c), "dead").await?, None);
    Ok(())
}

/// `put_if_absent`: absent writes (TTL honoured), present does not, expired counts as absent.
pub async fn put_if_absent_semantics(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(
        !store.capabilities().put_if_absent,
        "put_if_absent is not offered",
    ) {
        return Ok(());
    }
    let c = ctx.collection("test");
    assert!(
        store
            .put_if_absent(Some(&c), "k", v(1), Some(Duration::from_secs(100)))
            .await?
    );
    let (value, remaining) = store.ttl(Some(&c), "k").await?.expect("not written");
    assert_eq!(value, v(1));
    assert!(remaining.expect("ttl lost") <= Duration::from_secs(100));
    assert!(!store.put_if_absent(Some(&c), "k", v(2), None).await?);
    assert_eq!(store.get(Some(&c), "k").await?, Some(v(1)));
    store
        .put(Some(&c), "e", v(3), Some(Duration::from_millis(200)))
        .await?;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        store.put_if_absent(Some(&c), "e", v(4), None).await?,
        "expired entry counted as present"
    );
    assert_eq!(store.get(Some(&c), "e").await?, Some(v(4)));
    Ok(())
}

/// `put_if_absent`: 10 concurrent callers on one absent key, exactly one wins.
pub async fn put_if_absent_race(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(
        !store.capabilities().put_if_absent,
        "put_if_absent is not offered",
    ) {
        return Ok(());
    }
    let c = ctx.collection("test");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = Arc::clone(&store);
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            store.put_if_absent(Some(&c), "race", v(i), None).await
        }));
    }
    let mut winners = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        if t.await.unwrap_or_else(|e| panic!("task panicked: {e}"))? {
            winners.push(i as i64);
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(store.get(Some(&c), "race").await?, Some(v(winners[0])));
    Ok(())
}
