//! Tests this project adds to py-key-value's suite (`conformance.md` §6.1).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{obj, TestCtx};
use crate::error::{ErrorKind, Result};
use crate::key_value::KeyValue;
use crate::Object;

type Store = Arc<dyn KeyValue>;

fn v(n: i64) -> Object {
    obj(json!({"n": n}))
}

/// 6.1.1: a 500 ms TTL is kept with sub-second precision and expires.
pub async fn sub_second_ttl(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let started = std::time::Instant::now();
    store
        .put(Some(&c), "k", v(1), Some(Duration::from_millis(500)))
        .await?;
    let Some((_, remaining)) = store.ttl(Some(&c), "k").await? else {
        // Gone already: right only if the two calls took the whole 500 ms (a slow server).
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(500),
            "missing {elapsed:?} after the put began"
        );
        return Ok(());
    };
    let remaining = remaining.expect("ttl lost");
    assert!(
        remaining > Duration::ZERO && remaining <= Duration::from_millis(500),
        "{remaining:?}"
    );
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if store.get(Some(&c), "k").await?.is_none() {
            return Ok(());
        }
    }
    panic!("a 500 ms entry is still readable after 2 s");
}

/// 6.1.2: a 31-day TTL (over memcached's 30-day relative limit) works.
pub async fn ttl_over_30_days(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let ttl = Duration::from_secs(31 * 24 * 3600);
    let started = std::time::Instant::now();
    store.put(Some(&c), "k", v(1), Some(ttl)).await?;
    let (value, remaining) = store.ttl(Some(&c), "k").await?.expect("missing");
    let elapsed = started.elapsed();
    assert_eq!(value, v(1));
    let remaining = remaining.expect("ttl lost");
    // Two seconds of rounding either way, plus however long the two calls took (a Secret
    // Service on a loaded machine can take seconds).
    assert!(
        remaining <= ttl + Duration::from_secs(2)
            && remaining + elapsed + Duration::from_secs(2) >= ttl,
        "remaining {remaining:?} of {ttl:?}, {elapsed:?} after the put began"
    );
    Ok(())
}

/// 6.1.3: `get` is `Some` iff `ttl` is `Some`, with equal values.
pub async fn ttl_and_get_agree(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "forever", v(1), None).await?;
    store
        .put(Some(&c), "long", v(2), Some(Duration::from_secs(3600)))
        .await?;
    store
        .put(Some(&c), "short", v(3), Some(Duration::from_millis(200)))
        .await?;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for key in ["forever", "long", "short", "missing"] {
        let got = store.get(Some(&c), key).await?;
        let ttl = store.ttl(Some(&c), key).await?;
        assert_eq!(got, ttl.as_ref().map(|(v, _)| v.clone()), "{key}");
    }
    assert_eq!(store.ttl(Some(&c), "forever").await?, Some((v(1), None)));
    assert!(store.get(Some(&c), "short").await?.is_none());
    Ok(())
}

/// 6.1.4: expired entries are never returned, listed or counted as deleted.
pub async fn expired_entries_never_returned(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store
        .put(Some(&c), "a", v(1), Some(Duration::from_secs(1)))
        .await?;
    store.put(Some(&c), "b", v(2), None).await?;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        store.get_many(Some(&c), &["a", "b"]).await?,
        vec![None, Some(v(2))]
    );
    assert_eq!(
        store.ttl_many(Some(&c), &["a", "b"]).await?,
        vec![None, Some((v(2), None))]
    );
    if store.capabilities().keys {
        assert_eq!(store.keys(Some(&c), None).await?, vec!["b".to_owned()]);
    }
    assert!(
        !store.delete(Some(&c), "a").await?,
        "deleting an expired entry reported true"
    );
    assert_eq!(store.delete_many(Some(&c), &["a", "b"]).await?, 1);
    Ok(())
}

/// 6.1.5: a put without TTL removes an earlier expiry.
pub async fn overwrite_ttl_with_no_ttl(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store
        .put(Some(&c), "k", v(1), Some(Duration::from_secs(1)))
        .await?;
    store.put(Some(&c), "k", v(2), None).await?;
    assert_eq!(store.ttl(Some(&c), "k").await?, Some((v(2), None)));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        store.get(Some(&c), "k").await?,
        Some(v(2)),
        "old expiry was kept"
    );
    Ok(())
}

/// 6.1.5: a put with TTL over an entry without one expires.
pub async fn overwrite_no_ttl_with_ttl(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "k", v(1), None).await?;
    store
        .put(Some(&c), "k", v(2), Some(Duration::from_secs(1)))
        .await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(store.get(Some(&c), "k").await?, None);
    Ok(())
}

/// 6.1.6: a batch shares one expiry instant.
pub async fn put_many_shares_expiry(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let entries = (0..5).map(|i| (format!("k{i}"), v(i))).collect();
    store
        .put_many(Some(&c), entries, Some(Duration::from_secs(100)))
        .await?;
    let keys = ["k0", "k1", "k2", "k3", "k4"];
    let got = store.ttl_many(Some(&c), &keys).await?;
    let remaining: Vec<Duration> = got
        .into_iter()
        .map(|e| e.expect("missing").1.expect("ttl lost"))
        .collect();
    let (min, max) = (
        remaining.iter().min().copied(),
        remaining.iter().max().copied(),
    );
    if let (Some(min), Some(max)) = (min, max) {
        assert!(
            max - min <= Duration::from_millis(1),
            "expiries differ: {remaining:?}"
        );
    }
    Ok(())
}

/// 6.1.6: duplicate keys in `put_many`: the last wins.
pub async fn put_many_duplicate_keys_last_wins(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let entries = vec![
        ("d".to_owned(), v(1)),
        ("e".to_owned(), v(2)),
        ("d".to_owned(), v(3)),
    ];
    store.put_many(Some(&c), entries, None).await?;
    assert_eq!(store.get(Some(&c), "d").await?, Some(v(3)));
    assert_eq!(store.get(Some(&c), "e").await?, Some(v(2)));
    Ok(())
}

/// 6.1.6: duplicates in `get_many` and `delete_many`.
pub async fn batch_duplicates(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "d", v(1), None).await?;
    assert_eq!(
        store.get_many(Some(&c), &["d", "d"]).await?,
        vec![Some(v(1)), Some(v(1))]
    );
    let ttls = store.ttl_many(Some(&c), &["d", "x", "d"]).await?;
    assert_eq!(ttls, vec![Some((v(1), None)), None, Some((v(1), None))]);
    assert_eq!(store.delete_many(Some(&c), &["d", "d"]).await?, 1);
    Ok(())
}

/// 6.1.6: empty batches.
pub async fn empty_batches(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    assert!(store.get_many(Some(&c), &[]).await?.is_empty());
    assert!(store.ttl_many(Some(&c), &[]).await?.is_empty());
    assert_eq!(store.delete_many(Some(&c), &[]).await?, 0);
    store.put_many(Some(&c), Vec::new(), None).await?;
    store
        .put_many(Some(&c), Vec::new(), Some(Duration::from_secs(1)))
        .await?;
    Ok(())
}

/// 6.1.7: `None` and `""` address the default collection.
pub async fn default_collection_aliases(store: Store, ctx: TestCtx) -> Result<()> {
    let key = format!("default-{}", ctx.token);
    store.put(None, &key, v(1), None).await?;
    assert_eq!(store.get(Some(""), &key).await?, Some(v(1)));
    store.put(Some(""), &key, v(2), None).await?;
    assert_eq!(store.get(None, &key).await?, Some(v(2)));
    assert!(store.delete(Some(""), &key).await?);
    assert_eq!(store.get(None, &key).await?, None);
    Ok(())
}

/// 6.1.8: mutating a returned value changes nothing stored.
pub async fn returned_values_are_copies(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "k", v(1), None).await?;
    let mut got = store.get(Some(&c), "k").await?.expect("missing");
    got.insert("n".into(), json!(99));
    got.insert("extra".into(), json!(true));
    assert_eq!(store.get(Some(&c), "k").await?, Some(v(1)));
    Ok(())
}

/// The keys of 6.1.9.
pub fn special_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "é", "键", "😀", "a b", "quote\"s", "tab\t", "::", "__", "a::b", "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.push("k".repeat(200));
    names
}

/// 6.1.9: unicode and special keys round-trip exactly and stay distinct (or are `InvalidKey`).
pub async fn unicode_and_special_keys(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let names = special_names();
    let mut stored = Vec::new();
    for (i, key) in names.iter().enumerate() {
        match store.put(Some(&c), key, v(i as i64), None).await {
            Ok(()) => stored.push((i, key)),
            Err(e) if e.kind() == &ErrorKind::InvalidKey => {}
            Err(e) => return Err(e),
        }
    }
    for (i, key) in stored {
        assert_eq!(
            store.get(Some(&c), key).await?,
            Some(v(i as i64)),
            "key {key:?}"
        );
    }
    Ok(())
}

/// 6.1.9: the same names as collections.
pub async fn unicode_and_special_collections(store: Store, ctx: TestCtx) -> Result<()> {
    let names = special_names();
    let mut stored = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue; // "" is the default collection
        }
        let c = format!("{name}-{}", ctx.token);
        match store.put(Some(&c), "k", v(i as i64), None).await {
            Ok(()) => stored.push((i, c)),
            Err(e) if e.kind() == &ErrorKind::InvalidKey => {}
            Err(e) => return Err(e),
        }
    }
    for (i, c) in stored {
        assert_eq!(
            store.get(Some(&c), "k").await?,
            Some(v(i as i64)),
            "collection {c:?}"
        );
    }
    Ok(())
}

/// 6.1.12: operations after `close()` fail with `Setup`; closing twice is fine.
pub async fn close_semantics(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    store.put(Some(&c), "k", v(1), None).await?;
    store.close().await?;
    store.close().await?;
    let err = store
        .get(Some(&c), "k")
        .await
        .expect_err("get after close succeeded");
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    let err = store
        .put(Some(&c), "k", v(1), None)
        .await
        .expect_err("put after close succeeded");
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    Ok(())
}

/// The corrupted payloads of 6.1.10 by case name.
pub fn corrupted_payload(case: &str) -> Vec<u8> {
    match case {
        "not_json" => b"{not json".to_vec(),
        "array" => b"[1, 2]".to_vec(),
        "no_value" => br#"{"version": 1}"#.to_vec(),
        "value_number" => br#"{"value": 5}"#.to_vec(),
        "value_string_array" => br#"{"value": "[1]"}"#.to_vec(),
        "expires_at_number" => br#"{"value": {}, "expires_at": 5}"#.to_vec(),
        "created_at_unparsable" => br#"{"value": {}, "created_at": "yesterday"}"#.to_vec(),
        "version_2" => br#"{"value": {}, "version": 2}"#.to_vec(),
        "float_out_of_range" => br#"{"value": {"n": 1e400}}"#.to_vec(),
        "integer_out_of_range" => br#"{"value": {"n": 1180591620717411303424}}"#.to_vec(),
        "nan" => br#"{"value": {"n": NaN}}"#.to_vec(),
        "non_utf8" => b"\xff\xfe\xfd".to_vec(),
        other => panic!("unknown corruption {other}"),
    }
}

/// 6.1.10: corrupted stored data is a `Deserialization` error naming operation, collection and
/// key, for `get`, `get_many`, `ttl` and `ttl_many`; never `None`.
pub async fn corrupted_data(store: Store, ctx: TestCtx, case: &'static str) -> Result<()> {
    let Some(raw) = ctx.config.raw.clone() else {
        ctx.skip_if(true, "the store has no raw byte layer to corrupt");
        return Ok(());
    };
    let c = ctx.collection("test");
    store.put(Some(&c), "bad", v(0), None).await?;
    raw.write_raw(&c, "bad", &corrupted_payload(case)).await?;
    let check = |r: Result<()>, op: &str| {
        let err = r.expect_err(&format!("{op} of corrupted data ({case}) succeeded"));
        assert_eq!(
            err.kind(),
            &ErrorKind::Deserialization,
            "{op} ({case}): {err}"
        );
        assert_eq!(err.collection(), Some(c.as_str()), "{op} ({case}): {err}");
        assert!(
            err.operation().is_some(),
            "{op} ({case}): no operation in {err}"
        );
    };
    check(store.get(Some(&c), "bad").await.map(|_| ()), "get");
    check(store.ttl(Some(&c), "bad").await.map(|_| ()), "ttl");
    check(
        store.get_many(Some(&c), &["bad"]).await.map(|_| ()),
        "get_many",
    );
    check(
        store.ttl_many(Some(&c), &["bad"]).await.map(|_| ()),
        "ttl_many",
    );
    let err = store.get(Some(&c), "bad").await.expect_err("get succeeded");
    assert_eq!(err.key(), Some("bad"), "{err}");
    Ok(())
}

/// 6.1.10 positive controls: other writers' forms that must be accepted.
pub async fn foreign_envelopes_accepted(store: Store, ctx: TestCtx) -> Result<()> {
    let Some(raw) = ctx.config.raw.clone() else {
        ctx.skip_if(true, "the store has no raw byte layer");
        return Ok(());
    };
    let c = ctx.collection("test");
    store.put(Some(&c), "seed", v(0), None).await?;
    raw.write_raw(&c, "string", br#"{"value": "{\"a\": 1}"}"#)
        .await?;
    raw.write_raw(
        &c,
        "future",
        br#"{"value": {"a": 1}, "expires_at": "2999-01-01T00:00:00Z"}"#,
    )
    .await?;
    raw.write_raw(
        &c,
        "millis",
        br#"{"value": {"a": 1}, "created_at": "2025-01-01T00:00:00.123+00:00"}"#,
    )
    .await?;
    raw.write_raw(
        &c,
        "past",
        br#"{"value": {"a": 1}, "expires_at": "2001-01-01T00:00:00+00:00"}"#,
    )
    .await?;
    let a = obj(json!({"a": 1}));
    assert_eq!(store.get(Some(&c), "string").await?, Some(a.clone()));
    assert_eq!(store.get(Some(&c), "future").await?, Some(a.clone()));
    assert_eq!(store.get(Some(&c), "millis").await?, Some(a));
    assert_eq!(
        store.get(Some(&c), "past").await?,
        None,
        "an expired foreign entry was returned"
    );
    Ok(())
}
