//! Rust side of `cargo xtask interop disk multi-disk` (Python side: `interop/disk.py`).
//!
//! ```text
//! cargo run -p kv-store-disk --example disk_interop -- write disk|multi-disk DIR EXPECT.jsonl
//! cargo run -p kv-store-disk --example disk_interop -- read  disk|multi-disk DIR EXPECT.jsonl
//! ```
//!
//! `write` fills DIR and lists what it wrote in EXPECT.jsonl (`collection`, `key`, `value` or
//! `null` for "must be missing", `expires_at` in Unix seconds or `null`); `read` checks a
//! directory written by py-key-value against the list Python wrote.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kv_core::{KeyValue, Object};
use kv_store_disk::{DiskStore, MultiDiskStore};
use serde_json::{json, Value};

fn obj(v: Value) -> Object {
    v.as_object().cloned().unwrap_or_default()
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn open(kind: &str, dir: &str) -> Arc<dyn KeyValue> {
    match kind {
        "disk" => Arc::new(DiskStore::new(dir)),
        "multi-disk" => Arc::new(MultiDiskStore::new(dir)),
        other => panic!("unknown kind {other}"),
    }
}

fn line(
    collection: Option<&str>,
    key: &str,
    value: Option<&Object>,
    expires_at: Option<f64>,
) -> String {
    json!({"collection": collection, "key": key, "value": value, "expires_at": expires_at})
        .to_string()
        + "\n"
}

type Case = (Option<&'static str>, &'static str, Value, Option<f64>);

fn cases() -> Vec<Case> {
    vec![
        (
            Some("users"),
            "alice",
            json!({"name": "Alice", "age": 30}),
            None,
        ),
        (
            Some("users"),
            "bob",
            json!({"name": "Bob", "score": 9.5, "tags": ["a", "b"]}),
            Some(3600.0),
        ),
        (
            None,
            "plain",
            json!({"nested": {"a": 1, "b": 2}, "x": 1.5}),
            None,
        ),
        (
            Some("unicode"),
            "clé-ü",
            json!({"msg": "héllo 世界 🌍"}),
            None,
        ),
        (
            Some("short"),
            "ttl-fraction",
            json!({"t": "ttl 10.5"}),
            Some(10.5),
        ),
        (
            Some("big"),
            "large-value",
            json!({"blob": "B".repeat(40_000)}),
            None,
        ),
        (
            // Stored inline, over several of the 2048-byte pages of a file Rust creates.
            Some("big"),
            "inline-multi-page",
            json!({"blob": "M".repeat(10_000)}),
            None,
        ),
        (
            Some("my coll/x:y"),
            "sanitized",
            json!({"dir": "sanitized"}),
            None,
        ),
        (Some("users"), "a::b", json!({"k": "compound"}), None),
        (
            Some("users"),
            "long-ttl",
            json!({"ttl": "ten years"}),
            Some(315_360_000.0),
        ),
    ]
}

async fn write(store: &dyn KeyValue, expect: &str) -> kv_core::Result<()> {
    let mut out = std::fs::File::create(expect).expect("create expectations");
    let mut text = String::new();
    for (collection, key, value, ttl) in cases() {
        let value = obj(value);
        store
            .put(
                collection,
                key,
                value.clone(),
                ttl.map(Duration::from_secs_f64),
            )
            .await?;
        text += &line(collection, key, Some(&value), ttl.map(|t| now() + t));
    }
    let batch = vec![
        ("m1".to_owned(), obj(json!({"i": 1}))),
        ("m2".to_owned(), obj(json!({"i": 2}))),
    ];
    store
        .put_many(Some("batch"), batch.clone(), Some(Duration::from_secs(600)))
        .await?;
    for (k, v) in &batch {
        text += &line(Some("batch"), k, Some(v), Some(now() + 600.0));
    }
    store
        .put(
            Some("users"),
            "expired",
            obj(json!({"gone": true})),
            Some(Duration::from_secs(1)),
        )
        .await?;
    text += &line(Some("users"), "expired", None, Some(now() + 1.0));
    store
        .put(Some("users"), "deleted", obj(json!({"x": 1})), None)
        .await?;
    assert!(store.delete(Some("users"), "deleted").await?);
    text += &line(Some("users"), "deleted", None, None);
    out.write_all(text.as_bytes()).expect("write expectations");
    store.close().await?;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    println!("rust: wrote {} entries", cases().len() + 4);
    Ok(())
}

async fn read(store: &dyn KeyValue, expect: &str) -> kv_core::Result<bool> {
    let text = std::fs::read_to_string(expect).expect("read expectations");
    let mut failures = 0;
    let mut count = 0;
    for raw in text.lines() {
        let case: Value = serde_json::from_str(raw).expect("expectation line");
        let collection = case["collection"].as_str();
        let key = case["key"].as_str().unwrap_or_default();
        let got = store.ttl(collection, key).await?;
        count += 1;
        match (case["value"].as_object(), got) {
            (None, None) => {}
            (None, Some((v, _))) => {
                println!("FAIL {collection:?}/{key}: expected missing, got {v:?}");
                failures += 1;
            }
            (Some(_), None) => {
                println!("FAIL {collection:?}/{key}: missing");
                failures += 1;
            }
            (Some(want), Some((v, ttl))) => {
                if &v != want {
                    println!("FAIL {collection:?}/{key}: value differs");
                    failures += 1;
                }
                match (case["expires_at"].as_f64(), ttl) {
                    (None, None) => {}
                    (Some(at), Some(ttl)) if (ttl.as_secs_f64() - (at - now())).abs() <= 1.5 => {}
                    (at, ttl) => {
                        println!("FAIL {collection:?}/{key}: ttl {ttl:?} vs expires_at {at:?}");
                        failures += 1;
                    }
                }
            }
        }
    }
    // Rust keeps writing into the Python-made cache and reads it back.
    store
        .put(Some("users"), "from-rust", obj(json!({"ok": true})), None)
        .await?;
    assert!(store.get(Some("users"), "from-rust").await?.is_some());
    store.close().await?;
    if failures == 0 {
        println!("rust: read {count} entries written by Python, all as expected");
    } else {
        println!("rust: {failures} of {count} checks failed");
    }
    Ok(failures == 0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, kind, dir, expect] = args.as_slice() else {
        eprintln!("usage: interop write|read disk|multi-disk DIR EXPECT.jsonl");
        std::process::exit(2);
    };
    let store = open(kind, dir);
    let ok = match mode.as_str() {
        "write" => write(store.as_ref(), expect).await.map(|()| true),
        "read" => read(store.as_ref(), expect).await,
        other => panic!("unknown mode {other}"),
    };
    match ok {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("rust: {e}");
            std::process::exit(1);
        }
    }
}
