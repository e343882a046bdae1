//! Concurrency and bad-input tests (the reliability issue): every cell either works or returns a
//! typed error naming the problem; nothing panics, hangs or corrupts other entries.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{obj, TestCtx};
use crate::error::{Error, ErrorKind, Result};
use crate::key_value::KeyValue;
use crate::Object;

type Store = Arc<dyn KeyValue>;

/// The value writer `w` puts at step `i` into `key`: self-describing, so a mix is detectable.
fn stamped(key: &str, w: u64, i: u64) -> Object {
    obj(
        json!({"key": key, "writer": w, "seq": i, "check": format!("{key}/{w}/{i}"), "pad": "x".repeat((w * 37 + i) as usize % 200)}),
    )
}

/// Many tasks hammer overlapping keys; afterwards each key holds one value written to it.
pub async fn concurrent_overlapping_writes(store: Store, ctx: TestCtx) -> Result<()> {
    let c = ctx.collection("test");
    let keys: Vec<String> = (0..10).map(|k| format!("k{k}")).collect();
    let mut tasks = Vec::new();
    for w in 0..8u64 {
        let store = Arc::clone(&store);
        let c = c.clone();
        let keys = keys.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..30u64 {
                let key = &keys[((w * 7 + i * 3) % 10) as usize];
                if i % 3 == 0 {
                    store
                        .put_many(Some(&c), vec![(key.clone(), stamped(key, w, i))], None)
                        .await?;
                } else {
                    store.put(Some(&c), key, stamped(key, w, i), None).await?;
                }
                if let Some(v) = store.get(Some(&c), key).await? {
                    check_stamp(key, &v);
                }
            }
            Ok::<(), Error>(())
        }));
    }
    for t in tasks {
        t.await.unwrap_or_else(|e| panic!("writer panicked: {e}"))?;
    }
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    for (key, value) in keys.iter().zip(store.get_many(Some(&c), &refs).await?) {
        check_stamp(key, &value.unwrap_or_else(|| panic!("{key} lost")));
    }
    Ok(())
}

fn check_stamp(key: &str, v: &Object) {
    assert_eq!(v["key"], key, "a key holds another key's value: {v:?}");
    let (w, i) = (
        v["writer"].as_u64().unwrap_or(999),
        v["seq"].as_u64().unwrap_or(999),
    );
    assert_eq!(v, &stamped(key, w, i), "a key holds a mix of two writes");
}

/// `put_if_absent` races on several keys: exactly one winner per key.
pub async fn put_if_absent_races_many_keys(store: Store, ctx: TestCtx) -> Result<()> {
    if ctx.skip_if(
        !store.capabilities().put_if_absent,
        "put_if_absent is not offered",
    ) {
        return Ok(());
    }
    let c = ctx.collection("test");
    let mut tasks = Vec::new();
    for k in 0..5u64 {
        for w in 0..6u64 {
            let store = Arc::clone(&store);
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let key = format!("race{k}");
                let won = store
                    .put_if_absent(Some(&c), &key, stamped(&key, w, 0), None)
                    .await?;
                Ok::<_, Error>((k, w, won))
            }));
        }
    }
    let mut winners = vec![Vec::new(); 5];
    for t in tasks {
        let (k, w, won) = t.await.unwrap_or_else(|e| panic!("task panicked: {e}"))?;
        if won {
            winners[k as usize].push(w);
        }
    }
    for (k, w) in winners.iter().enumerate() {
        assert_eq!(w.len(), 1, "race{k}: winners {w:?}");
        let key = format!("race{k}");
        assert_eq!(
            store.get(Some(&c), &key).await?,
            Some(stamped(&key, w[0], 0))
        );
    }
    Ok(())
}

/// What one bad-input cell did.
fn describe(result: &Result<()>) -> String {
    match result {
        Ok(()) => "accepted".to_owned(),
        Err(e) => format!("rejected ({})", e.kind()),
    }
}

/// The kinds a store may use to refuse an input it cannot represent.
fn acceptable_refusal(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::InvalidKey
            | ErrorKind::ValueTooLarge
            | ErrorKind::Serialization
            | ErrorKind::Backend { transient: false }
    ) && e.operation().is_some()
}

/// Runs one cell: `write` then, if accepted, reads it back; a canary must survive either way.
async fn cell(
    store: &Store,
    ctx: &TestCtx,
    name: &str,
    collection: &str,
    key: &str,
    value: Object,
    ttl: Option<Duration>,
) -> Result<()> {
    let canary_c = ctx.collection("canary");
    store
        .put(Some(&canary_c), "canary", obj(json!({"alive": true})), None)
        .await?;
    let result = store.put(Some(collection), key, value.clone(), ttl).await;
    println!("MATRIX {name}: {}", describe(&result));
    match &result {
        Ok(()) => {
            let got = store.get(Some(collection), key).await?;
            assert_eq!(
                got.as_ref(),
                Some(&value),
                "{name}: accepted but read back differently"
            );
            assert!(
                store.delete(Some(collection), key).await?,
                "{name}: delete after put"
            );
        }
        Err(e) => assert!(
            acceptable_refusal(e),
            "{name}: untyped or context-less refusal: {e}"
        ),
    }
    assert_eq!(
        store.get(Some(&canary_c), "canary").await?,
        Some(obj(json!({"alive": true}))),
        "{name}: another entry was damaged"
    );
    Ok(())
}

/// One cell of the bad-input matrix by name.
pub async fn bad_input(store: Store, ctx: TestCtx, case: &'static str) -> Result<()> {
    let c = ctx.collection("test");
    let v = obj(json!({"v": 1}));
    match case {
        "empty_key" => cell(&store, &ctx, case, &c, "", v, None).await,
        "key_with_separators" => cell(&store, &ctx, case, &c, "a::b__c", v, None).await,
        "key_with_nul" => cell(&store, &ctx, case, &c, "nul\0key", v, None).await,
        "key_with_newline" => cell(&store, &ctx, case, &c, "line\nbreak", v, None).await,
        "key_with_emoji" => cell(&store, &ctx, case, &c, "🔑😀", v, None).await,
        "collection_with_nul" => cell(&store, &ctx, case, &format!("nul\0{c}"), "k", v, None).await,
        "key_1_mib" => cell(&store, &ctx, case, &c, &"k".repeat(1 << 20), v, None).await,
        "value_16_mib" => {
            let big = obj(json!({"blob": "v".repeat(16 << 20)}));
            cell(&store, &ctx, case, &c, "big", big, None).await
        }
        "ttl_400_days" => {
            cell(
                &store,
                &ctx,
                case,
                &c,
                "long",
                v,
                Some(Duration::from_secs(400 * 86_400)),
            )
            .await?;
            store
                .put(
                    Some(&c),
                    "long",
                    obj(json!({"v": 2})),
                    Some(Duration::from_secs(400 * 86_400)),
                )
                .await?;
            let (_, ttl) = store
                .ttl(Some(&c), "long")
                .await?
                .expect("400-day entry missing");
            let ttl = ttl.expect("ttl lost");
            assert!(ttl > Duration::from_secs(399 * 86_400), "{ttl:?}");
            Ok(())
        }
        "batch_of_10000" => {
            let entries: Vec<(String, Object)> = (0..10_000)
                .map(|i| (format!("b{i}"), obj(json!({"i": i}))))
                .collect();
            let result = store
                .put_many(Some(&c), entries, Some(Duration::from_secs(600)))
                .await;
            println!("MATRIX {case}: {}", describe(&result));
            if let Err(e) = &result {
                assert!(acceptable_refusal(e), "{case}: {e}");
                return Ok(());
            }
            let keys: Vec<String> = (0..10_000).map(|i| format!("b{i}")).collect();
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let got = store.get_many(Some(&c), &refs).await?;
            assert_eq!(got.len(), 10_000);
            let mut present = 0;
            for (i, g) in got.iter().enumerate() {
                match g {
                    Some(o) => {
                        assert_eq!(o["i"], json!(i), "b{i} holds another entry's value");
                        present += 1;
                    }
                    // A bounded store keeps only the most recent entries.
                    None => assert!(ctx.config.bounded, "b{i} lost"),
                }
            }
            assert!(
                got[9_999].is_some(),
                "the last entry of the batch is missing"
            );
            assert_eq!(store.delete_many(Some(&c), &refs).await?, present);
            Ok(())
        }
        other => panic!("unknown bad-input case {other}"),
    }
}
