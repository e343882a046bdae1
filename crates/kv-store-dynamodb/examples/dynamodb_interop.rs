//! Rust side of `cargo xtask interop dynamodb` (Python side: `interop/dynamodb.py`).
//!
//! ```text
//! cargo run -p kv-store-dynamodb --example dynamodb_interop -- read  ENDPOINT TABLE TOKEN EXPECT.jsonl
//! cargo run -p kv-store-dynamodb --example dynamodb_interop -- write ENDPOINT TABLE TOKEN EXPECT.jsonl
//! ```
//!
//! `read` checks every entry py-key-value listed in EXPECT (value, or missing, and the TTL
//! within 1.5 s: py-key-value's `ttl` attribute has whole seconds); `write` writes the same kinds
//! of entries and lists them for Python. Credentials test/test, region us-east-1.

use std::io::Write;
use std::time::Duration;

use kv_core::conformance::interop::{check_expected, now_secs, read_expect, verdict};
use kv_core::{KeyValue, Object};
use kv_store_dynamodb::DynamoDBStore;
use serde_json::{json, Value};

const TTL_TOLERANCE: f64 = 1.5;

fn obj(v: Value) -> Object {
    v.as_object().cloned().unwrap_or_default()
}

fn open(endpoint: &str, table: &str) -> kv_core::Result<DynamoDBStore> {
    DynamoDBStore::builder()
        .table_name(table)
        .endpoint_url(endpoint)
        .region("us-east-1")
        .credentials("test", "test")
        .build()
}

async fn read(store: &DynamoDBStore, expect: &str) -> Result<usize, String> {
    let lines = read_expect(expect)?;
    let mut failures = Vec::new();
    let mut users = None;
    for line in &lines {
        if line["key"] == "alice" {
            users = line["collection"].as_str().map(str::to_owned);
        }
        failures.extend(check_expected(store, line, TTL_TOLERANCE).await?);
    }
    // get_many (BatchGetItem) over Python's entries.
    let users = users.ok_or("no alice entry in the expectations")?;
    let many = store
        .get_many(Some(&users), &["alice", "bob", "nope"])
        .await
        .map_err(|e| format!("get_many: {e}"))?;
    if many[0].is_none() || many[1].is_none() || many[2].is_some() {
        failures.push(format!("get_many over Python's entries: {many:?}"));
    }
    verdict(lines.len(), &failures)
}

/// collection, key, value, ttl seconds.
type Case = (Option<String>, String, Value, Option<f64>);

fn cases(token: &str) -> Vec<Case> {
    let users = format!("users-{token}");
    vec![
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
            Some(format!("unicode-{token}")),
            "cl\u{e9}-\u{fc}".into(),
            json!({"msg": "h\u{e9}llo \u{4e16}\u{754c} \u{1F30D}"}),
            None,
        ),
        (
            Some(format!("short-{token}")),
            "ttl-fraction".into(),
            json!({"t": "ttl 10.5"}),
            Some(10.5),
        ),
        (
            Some(format!("big-{token}")),
            "large-value".into(),
            json!({"blob": "R".repeat(40_000)}),
            None,
        ),
        (Some(users), "a::b".into(), json!({"k": "compound"}), None),
        (
            Some(format!("long-{token}")),
            "forty-days".into(),
            json!({"ttl": "40 days"}),
            Some(40.0 * 86_400.0),
        ),
    ]
}

async fn write(store: &DynamoDBStore, token: &str, expect: &str) -> Result<usize, String> {
    let mut out = std::fs::File::create(expect).map_err(|e| format!("{expect}: {e}"))?;
    let mut lines = Vec::new();
    let mut entry = |c: Option<&str>, k: &str, v: Value, expires: Option<f64>| {
        lines.push(json!({"collection": c, "key": k, "value": v, "expires_at": expires}));
    };
    for (c, k, v, ttl) in cases(token) {
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
    let batch = format!("batch-{token}");
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
    let users = format!("users-{token}");
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
    for line in &lines {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    // Past the 1 s entry's `ttl` attribute (whole seconds, rounded up) before Python reads.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    Ok(lines.len())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, endpoint, table, token, expect] = args.as_slice() else {
        eprintln!("usage: dynamodb_interop read|write ENDPOINT TABLE TOKEN EXPECT.jsonl");
        std::process::exit(2);
    };
    let store = match open(endpoint, table) {
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
    match result {
        Ok(msg) => println!("rust: {msg} (table {table} at {endpoint})"),
        Err(e) => {
            eprintln!("rust: FAILED\n{e}");
            std::process::exit(1);
        }
    }
}
