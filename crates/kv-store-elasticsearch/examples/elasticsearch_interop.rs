//! Rust side of `cargo xtask interop elasticsearch` (Python side: `interop/elasticsearch.py`,
//! py-key-value's `OpenSearchStore`).
//!
//! ```text
//! cargo run -p kv-store-elasticsearch --example elasticsearch_interop -- read  URL TOKEN EXPECT.jsonl
//! cargo run -p kv-store-elasticsearch --example elasticsearch_interop -- write URL TOKEN EXPECT.jsonl
//! ```
//!
//! `read` checks every entry py-key-value listed in EXPECT (value, or missing, and the TTL
//! within 1.5 s) plus `keys()`; `write` writes the same kinds of entries and lists them for
//! Python. Both use the OpenSearch dialect and index prefix `kv-interop`.

use std::io::Write;
use std::time::Duration;

use kv_core::conformance::interop::{check_expected, now_secs, read_expect, verdict};
use kv_core::{KeyValue, Object};
use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
use serde_json::{json, Value};

const PREFIX: &str = "kv-interop";

fn obj(v: Value) -> Object {
    v.as_object().cloned().unwrap_or_default()
}

/// collection, key, value, ttl seconds, V1 names.
type Case = (Option<String>, String, Value, Option<f64>, bool);

struct Stores {
    plain: ElasticsearchStore,
    v1: ElasticsearchStore,
}

impl Stores {
    fn new(url: &str) -> kv_core::Result<Stores> {
        let builder = || {
            ElasticsearchStore::builder()
                .url(url)
                .index_prefix(PREFIX)
                .dialect(Dialect::OpenSearch)
        };
        Ok(Stores {
            plain: builder().build()?,
            v1: builder().v1_sanitization().build()?,
        })
    }

    fn pick(&self, v1: bool) -> &ElasticsearchStore {
        if v1 {
            &self.v1
        } else {
            &self.plain
        }
    }
}

async fn read(stores: &Stores, token: &str, expect: &str) -> Result<usize, String> {
    let lines = read_expect(expect)?;
    let mut failures = Vec::new();
    for line in &lines {
        let store = stores.pick(line["v1"].as_bool().unwrap_or(false));
        failures.extend(check_expected(store, line, 1.5).await?);
    }
    let users = format!("users-{token}");
    let mut keys = stores
        .plain
        .keys(Some(&users), None)
        .await
        .map_err(|e| format!("keys: {e}"))?;
    keys.sort();
    if keys != ["a::b", "alice", "bob"] {
        failures.push(format!("keys over Python's entries: {keys:?}"));
    }
    verdict(lines.len() + 1, &failures)
}

fn cases(token: &str) -> Vec<Case> {
    let users = format!("users-{token}");
    let v1 = format!("V1 Coll!-{token}");
    vec![
        (
            Some(users.clone()),
            "alice".into(),
            json!({"name": "Alice", "age": 30}),
            None,
            false,
        ),
        (
            Some(users.clone()),
            "bob".into(),
            json!({"name": "Bob", "score": 9.5, "tags": ["a", "b"]}),
            Some(3600.0),
            false,
        ),
        (
            None,
            format!("plain-{token}"),
            json!({"nested": {"a": 1, "b": {"c": [1, 2]}}, "x": 1.5}),
            None,
            false,
        ),
        (
            Some(format!("unicode-{token}")),
            "cl\u{e9}-\u{fc}".into(),
            json!({"msg": "h\u{e9}llo \u{4e16}\u{754c} \u{1F30D}"}),
            None,
            false,
        ),
        (
            Some(format!("short-{token}")),
            "ttl-fraction".into(),
            json!({"t": "ttl 10.5"}),
            Some(10.5),
            false,
        ),
        (
            Some(format!("big-{token}")),
            "large-value".into(),
            json!({"blob": "R".repeat(40_000)}),
            None,
            false,
        ),
        (
            Some(users),
            "a::b".into(),
            json!({"k": "compound"}),
            None,
            false,
        ),
        (
            Some(format!("long-{token}")),
            "forty-days".into(),
            json!({"ttl": "40 days"}),
            Some(40.0 * 86_400.0),
            false,
        ),
        (
            Some(v1.clone()),
            "long-key-".repeat(40),
            json!({"v1": "hashed"}),
            None,
            true,
        ),
        (
            Some(v1),
            "short/key?".into(),
            json!({"v1": true}),
            Some(60.0),
            true,
        ),
    ]
}

async fn write(stores: &Stores, token: &str, expect: &str) -> Result<usize, String> {
    let mut out = std::fs::File::create(expect).map_err(|e| format!("{expect}: {e}"))?;
    let mut lines = Vec::new();
    let mut entry = |c: Option<&str>, k: &str, v: Value, expires: Option<f64>, v1: bool| {
        lines.push(json!({"collection": c, "key": k, "value": v, "expires_at": expires, "v1": v1}));
    };
    for (c, k, v, ttl, v1) in cases(token) {
        stores
            .pick(v1)
            .put(
                c.as_deref(),
                &k,
                obj(v.clone()),
                ttl.map(Duration::from_secs_f64),
            )
            .await
            .map_err(|e| format!("put {k}: {e}"))?;
        entry(c.as_deref(), &k, v, ttl.map(|t| now_secs() + t), v1);
    }
    let batch = format!("batch-{token}");
    let items = vec![
        ("m1".to_owned(), obj(json!({"i": 1}))),
        ("m2".to_owned(), obj(json!({"i": 2}))),
    ];
    stores
        .plain
        .put_many(Some(&batch), items, Some(Duration::from_secs(600)))
        .await
        .map_err(|e| format!("put_many: {e}"))?;
    entry(
        Some(&batch),
        "m1",
        json!({"i": 1}),
        Some(now_secs() + 600.0),
        false,
    );
    entry(
        Some(&batch),
        "m2",
        json!({"i": 2}),
        Some(now_secs() + 600.0),
        false,
    );
    let users = format!("users-{token}");
    stores
        .plain
        .put(
            Some(&users),
            "expired",
            obj(json!({"gone": true})),
            Some(Duration::from_secs(1)),
        )
        .await
        .map_err(|e| e.to_string())?;
    entry(
        Some(&users),
        "expired",
        Value::Null,
        Some(now_secs() + 1.0),
        false,
    );
    stores
        .plain
        .put(Some(&users), "deleted", obj(json!({"x": 1})), None)
        .await
        .map_err(|e| e.to_string())?;
    if !stores
        .plain
        .delete(Some(&users), "deleted")
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("delete reported false".into());
    }
    entry(Some(&users), "deleted", Value::Null, None, false);
    for line in &lines {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    Ok(lines.len())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, url, token, expect] = args.as_slice() else {
        eprintln!("usage: elasticsearch_interop read|write URL TOKEN EXPECT.jsonl");
        std::process::exit(2);
    };
    let stores = match Stores::new(url) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("rust: {e}");
            std::process::exit(1);
        }
    };
    let result = match mode.as_str() {
        "read" => read(&stores, token, expect)
            .await
            .map(|n| format!("read {n} entries written by Python, all as expected")),
        "write" => write(&stores, token, expect)
            .await
            .map(|n| format!("wrote {n} entries")),
        other => Err(format!("unknown mode {other}")),
    };
    match result {
        Ok(msg) => println!("rust: {msg} (OpenSearch dialect at {url})"),
        Err(e) => {
            eprintln!("rust: FAILED\n{e}");
            std::process::exit(1);
        }
    }
}
