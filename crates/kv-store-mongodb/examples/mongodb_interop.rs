//! Rust side of `cargo xtask interop mongodb` (Python side: `interop/mongodb.py`).
//!
//! ```text
//! cargo run -p kv-store-mongodb --example mongodb_interop -- read  URL TOKEN EXPECT.jsonl
//! cargo run -p kv-store-mongodb --example mongodb_interop -- write URL TOKEN EXPECT.jsonl
//! ```
//!
//! `read` checks every entry py-key-value listed in EXPECT (value, or missing, and the TTL
//! within 1.5 s); `write` writes the same kinds of entries (plus a TTL entry overwritten
//! without TTL, whose expiry must be gone) and lists them for Python.

use std::io::Write;
use std::time::Duration;

use kv_core::conformance::interop::{check_expected, now_secs, read_expect, verdict};
use kv_core::{KeyValue, Object};
use kv_store_mongodb::MongoDBStore;
use serde_json::{json, Value};

fn obj(v: Value) -> Object {
    v.as_object().cloned().unwrap_or_default()
}

async fn read(store: &MongoDBStore, expect: &str) -> Result<usize, String> {
    let lines = read_expect(expect)?;
    let mut failures = Vec::new();
    for line in &lines {
        failures.extend(check_expected(store, line, 1.5).await?);
    }
    verdict(lines.len(), &failures)
}

async fn write(store: &MongoDBStore, token: &str, expect: &str) -> Result<usize, String> {
    let mut lines = Vec::new();
    let mut entry = |c: Option<&str>, k: &str, v: Value, expires: Option<f64>| {
        lines.push(json!({"collection": c, "key": k, "value": v, "expires_at": expires}));
    };
    let users = format!("users_{token}");
    let types = json!({
        "i32": 5, "i64": 1_i64 << 40, "neg": -3, "f": 1.5, "none": null, "yes": true,
        "list": [1, "two", 3.5, null, {"x": [false]}], "nested": {"a": {"b": {"c": "deep"}}}
    });
    let cases: Vec<(Option<String>, String, Value, Option<f64>)> = vec![
        (
            Some(users.clone()),
            "alice".into(),
            json!({"name": "Alice", "age": 30}),
            None,
        ),
        (
            Some(users.clone()),
            "bob".into(),
            json!({"name": "Bob", "score": 9.5, "tags": ["a", "b"]}),
            Some(3600.0),
        ),
        (
            None,
            format!("plain-{token}"),
            json!({"nested": {"a": 1, "b": 2}, "x": 1.5}),
            None,
        ),
        (
            Some(format!("unicode_{token}")),
            "cl\u{e9}-\u{fc} \u{4e16}".into(),
            json!({"msg": "h\u{e9}llo \u{4e16}\u{754c} \u{1F30D}"}),
            None,
        ),
        (
            Some(format!("types_{token}")),
            "all-types".into(),
            types,
            Some(120.5),
        ),
        (
            Some(format!("big_{token}")),
            "large-value".into(),
            json!({"blob": "R".repeat(40_000)}),
            None,
        ),
        (
            Some(users.clone()),
            "a::b".into(),
            json!({"k": "compound"}),
            None,
        ),
    ];
    for (c, k, v, ttl) in cases {
        store
            .put(
                c.as_deref(),
                &k,
                obj(v.clone()),
                ttl.map(Duration::from_secs_f64),
            )
            .await
            .map_err(|e| format!("put {k}: {e}"))?;
        entry(c.as_deref(), &k, v, ttl.map(|t| now_secs() + t));
    }
    // A TTL entry overwritten without TTL: the expiry must be gone for Python too.
    let overwritten = json!({"ttl": "removed"});
    store
        .put(
            Some(&users),
            "ttl-removed",
            obj(json!({"ttl": 1})),
            Some(Duration::from_secs(3600)),
        )
        .await
        .map_err(|e| e.to_string())?;
    store
        .put(Some(&users), "ttl-removed", obj(overwritten.clone()), None)
        .await
        .map_err(|e| e.to_string())?;
    entry(Some(&users), "ttl-removed", overwritten, None);
    let batch = format!("batch_{token}");
    let items = vec![
        ("m1".to_owned(), obj(json!({"i": 1}))),
        ("m2".to_owned(), obj(json!({"i": 2}))),
    ];
    store
        .put_many(Some(&batch), items, Some(Duration::from_secs(600)))
        .await
        .map_err(|e| format!("put_many: {e}"))?;
    entry(
        Some(&batch),
        "m1",
        json!({"i": 1}),
        Some(now_secs() + 600.0),
    );
    entry(
        Some(&batch),
        "m2",
        json!({"i": 2}),
        Some(now_secs() + 600.0),
    );
    store
        .put(
            Some(&users),
            "expired",
            obj(json!({"gone": true})),
            Some(Duration::from_secs(1)),
        )
        .await
        .map_err(|e| e.to_string())?;
    entry(Some(&users), "expired", Value::Null, Some(now_secs() + 1.0));
    store
        .put(Some(&users), "deleted", obj(json!({"x": 1})), None)
        .await
        .map_err(|e| e.to_string())?;
    if !store
        .delete(Some(&users), "deleted")
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("delete reported false".into());
    }
    entry(Some(&users), "deleted", Value::Null, None);
    let mut out = std::fs::File::create(expect).map_err(|e| format!("{expect}: {e}"))?;
    for line in &lines {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    Ok(lines.len())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, url, token, expect] = args.as_slice() else {
        eprintln!("usage: mongodb_interop read|write URL TOKEN EXPECT.jsonl");
        std::process::exit(2);
    };
    let store = match MongoDBStore::from_url(url) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("rust: {e}");
            std::process::exit(1);
        }
    };
    let result = match mode.as_str() {
        "read" => read(&store, expect)
            .await
            .map(|n| format!("read {n} entries written by Python, all as expected")),
        "write" => write(&store, token, expect)
            .await
            .map(|n| format!("wrote {n} entries")),
        other => Err(format!("unknown mode {other}")),
    };
    let _ = store.close().await;
    match result {
        Ok(msg) => println!("rust: {msg} (MongoDB at {url})"),
        Err(e) => {
            eprintln!("rust: FAILED\n{e}");
            std::process::exit(1);
        }
    }
}
