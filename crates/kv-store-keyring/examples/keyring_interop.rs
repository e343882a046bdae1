//! Rust side of `cargo xtask interop keyring` (Python side: `interop/keyring_interop.py`), on the
//! Secret Service of `DBUS_SESSION_BUS_ADDRESS`, service `py-key-value`.
//!
//! ```text
//! cargo run -p kv-store-keyring --example keyring_interop -- read  RUN EXPECT.jsonl
//! cargo run -p kv-store-keyring --example keyring_interop -- write RUN EXPECT.jsonl
//! ```
//!
//! `read` checks every entry py-key-value listed (value, or missing, and the TTL within 1.5 s);
//! `write` writes the same kinds of entries (and deletes one) and lists them for Python.

use std::io::Write;
use std::time::Duration;

use kv_core::conformance::interop::{check_expected, now_secs, read_expect, verdict};
use kv_core::{KeyValue, Object};
use kv_store_keyring::{KeyringStore, Platform};
use serde_json::{json, Value};

fn obj(v: Value) -> Object {
    v.as_object().cloned().unwrap_or_default()
}

/// collection, key, value, ttl seconds, V1 names.
type Case = (Option<String>, String, Value, Option<f64>, bool);

struct Stores {
    plain: KeyringStore,
    v1: KeyringStore,
}

impl Stores {
    fn pick(&self, v1: bool) -> &KeyringStore {
        if v1 {
            &self.v1
        } else {
            &self.plain
        }
    }
}

async fn read(stores: &Stores, expect: &str) -> Result<usize, String> {
    let lines = read_expect(expect)?;
    let mut failures = Vec::new();
    for line in &lines {
        let store = stores.pick(line["v1"].as_bool().unwrap_or(false));
        failures.extend(check_expected(store, line, 1.5).await?);
    }
    verdict(lines.len(), &failures)
}

async fn write(stores: &Stores, run: &str, expect: &str) -> Result<usize, String> {
    let users = format!("users-{run}");
    let cases: Vec<Case> = vec![
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
            format!("plain-{run}"),
            json!({"nested": {"a": 1, "b": 2}, "x": 1.5}),
            None,
            false,
        ),
        (
            Some(format!("unicode-{run}")),
            "cl\u{e9}-\u{fc}".into(),
            json!({"msg": "h\u{e9}llo \u{4e16}\u{754c} \u{1F30D}"}),
            None,
            false,
        ),
        (
            Some(format!("short-{run}")),
            "ttl-fraction".into(),
            json!({"t": "ttl 10.7"}),
            Some(10.7),
            false,
        ),
        (
            Some(users.clone()),
            "a::b".into(),
            json!({"k": "compound"}),
            None,
            false,
        ),
        (
            Some(format!("big-{run}")),
            "large-value".into(),
            json!({"blob": "R".repeat(20_000)}),
            None,
            false,
        ),
        (
            Some(format!("v1 coll-{run}")),
            "long key! ".repeat(30),
            json!({"v1": "sanitized"}),
            None,
            true,
        ),
    ];
    let mut lines = Vec::new();
    for (collection, key, value, ttl, v1) in &cases {
        stores
            .pick(*v1)
            .put(
                collection.as_deref(),
                key,
                obj(value.clone()),
                ttl.map(Duration::from_secs_f64),
            )
            .await
            .map_err(|e| e.to_string())?;
        let expires = ttl.map(|t| now_secs() + t);
        lines.push(json!({"collection": collection, "key": key, "value": value, "expires_at": expires, "v1": v1}));
    }
    let batch = format!("batch-{run}");
    stores
        .plain
        .put_many(
            Some(&batch),
            vec![
                ("m1".into(), obj(json!({"i": 1}))),
                ("m2".into(), obj(json!({"i": 2}))),
            ],
            Some(Duration::from_secs(600)),
        )
        .await
        .map_err(|e| e.to_string())?;
    for (k, i) in [("m1", 1), ("m2", 2)] {
        lines.push(json!({"collection": batch, "key": k, "value": {"i": i}, "expires_at": now_secs() + 600.0, "v1": false}));
    }
    let plain = &stores.plain;
    plain
        .put(
            Some(&users),
            "expired",
            obj(json!({"gone": true})),
            Some(Duration::from_secs(1)),
        )
        .await
        .map_err(|e| e.to_string())?;
    lines.push(json!({"collection": users, "key": "expired", "value": null, "expires_at": now_secs() + 1.0, "v1": false}));
    plain
        .put(Some(&users), "deleted", obj(json!({"x": 1})), None)
        .await
        .map_err(|e| e.to_string())?;
    if !plain
        .delete(Some(&users), "deleted")
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("delete of a live entry returned false".into());
    }
    lines.push(json!({"collection": users, "key": "deleted", "value": null, "expires_at": null, "v1": false}));
    let mut out = std::fs::File::create(expect).map_err(|e| format!("{expect}: {e}"))?;
    for line in &lines {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await; // let the 1 s entry expire
    Ok(lines.len())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, run, expect] = args.as_slice() else {
        eprintln!("usage: keyring_interop read|write RUN EXPECT.jsonl");
        std::process::exit(2);
    };
    let build = |v1: bool| {
        KeyringStore::builder()
            .platform(Platform::SecretService)
            .v1_names(v1)
            .build()
    };
    let stores = match (build(false), build(true)) {
        (Ok(plain), Ok(v1)) => Stores { plain, v1 },
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("rust: {e}");
            std::process::exit(1);
        }
    };
    let result = match mode.as_str() {
        "read" => read(&stores, expect).await.map(|n| {
            format!(
                "rust: read {n} entries written by Python from the Secret Service, all as expected"
            )
        }),
        "write" => write(&stores, run, expect)
            .await
            .map(|n| format!("rust: wrote {n} entries into the Secret Service")),
        other => Err(format!("unknown mode {other}")),
    };
    match result {
        Ok(message) => println!("{message}"),
        Err(failures) => {
            eprintln!("rust: FAIL\n{failures}");
            std::process::exit(1);
        }
    }
}
