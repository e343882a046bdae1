//! Rust side of `cargo xtask interop vault` (Python side: `interop/vault.py`).
//!
//! ```text
//! KV_TEST_VAULT_TOKEN=... cargo run -p kv-store-vault --example vault_interop -- read  ADDRESS RUN EXPECT.jsonl
//! KV_TEST_VAULT_TOKEN=... cargo run -p kv-store-vault --example vault_interop -- write ADDRESS RUN EXPECT.jsonl
//! ```
//!
//! `read` checks every entry py-key-value listed in EXPECT (value, or missing, and the TTL
//! within 1.5 s) and the live keys of a collection; `write` writes the same kinds of entries
//! (and deletes one) and lists them for Python. The token comes from the environment only.

use std::io::Write;
use std::time::Duration;

use kv_core::conformance::interop::{check_expected, now_secs, read_expect, verdict};
use kv_core::{KeyValue, Object};
use kv_store_vault::VaultStore;
use serde_json::{json, Value};

fn obj(v: Value) -> Object {
    v.as_object().cloned().unwrap_or_default()
}

async fn check_keys(
    store: &VaultStore,
    case: &Value,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    let collection = case["keys"].as_str().unwrap_or_default();
    let mut got = store
        .keys(Some(collection), None)
        .await
        .map_err(|e| format!("keys({collection}): {e}"))?;
    got.sort();
    let want: Vec<String> =
        serde_json::from_value(case["expect"].clone()).map_err(|e| e.to_string())?;
    if got != want {
        failures.push(format!("keys({collection}): {got:?} != {want:?}"));
    }
    Ok(())
}

async fn read(store: &VaultStore, expect: &str) -> Result<usize, String> {
    let mut failures = Vec::new();
    let mut count = 0;
    for line in read_expect(expect)? {
        if line.get("keys").is_some() {
            check_keys(store, &line, &mut failures).await?;
            continue;
        }
        count += 1;
        failures.extend(check_expected(store, &line, 1.5).await?);
    }
    verdict(count, &failures)
}

async fn write(store: &VaultStore, run: &str, expect: &str) -> Result<usize, String> {
    let users = format!("users-{run}");
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
            format!("plain-{run}"),
            json!({"nested": {"a": 1, "b": 2}, "x": 1.5}),
            None,
        ),
        (
            Some(format!("unicode-{run}")),
            "cl\u{e9}-\u{fc}".into(),
            json!({"msg": "h\u{e9}llo \u{4e16}\u{754c} \u{1F30D}"}),
            None,
        ),
        (
            Some(format!("short-{run}")),
            "ttl-fraction".into(),
            json!({"t": "ttl 10.7"}),
            Some(10.7),
        ),
        (
            Some(users.clone()),
            "a::b".into(),
            json!({"k": "compound"}),
            None,
        ),
        (
            Some(users.clone()),
            "dir/nested".into(),
            json!({"k": "a slash nests the path"}),
            None,
        ),
        (
            Some(users.clone()),
            "space and \"quotes\"".into(),
            json!({"k": "escaped in the URL"}),
            None,
        ),
        (
            Some(format!("big-{run}")),
            "large-value".into(),
            json!({"blob": "R".repeat(40_000)}),
            None,
        ),
    ];
    let mut lines = Vec::new();
    for (collection, key, value, ttl) in &cases {
        let ttl_d = ttl.map(Duration::from_secs_f64);
        store
            .put(collection.as_deref(), key, obj(value.clone()), ttl_d)
            .await
            .map_err(|e| e.to_string())?;
        let expires = ttl.map(|t| now_secs() + t);
        lines.push(
            json!({"collection": collection, "key": key, "value": value, "expires_at": expires}),
        );
    }
    let batch = format!("batch-{run}");
    store
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
        lines.push(
            json!({"collection": batch, "key": k, "value": {"i": i}, "expires_at": now_secs() + 600.0}),
        );
    }
    store
        .put(
            Some(&users),
            "expired",
            obj(json!({"gone": true})),
            Some(Duration::from_secs(1)),
        )
        .await
        .map_err(|e| e.to_string())?;
    lines.push(
        json!({"collection": users, "key": "expired", "value": null, "expires_at": now_secs() + 1.0}),
    );
    store
        .put(Some(&users), "deleted", obj(json!({"x": 1})), None)
        .await
        .map_err(|e| e.to_string())?;
    if !store
        .delete(Some(&users), "deleted")
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("delete of a live entry returned false".into());
    }
    lines.push(json!({"collection": users, "key": "deleted", "value": null, "expires_at": null}));
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
    let [mode, address, run, expect] = args.as_slice() else {
        eprintln!("usage: vault_interop read|write ADDRESS RUN EXPECT.jsonl (token in KV_TEST_VAULT_TOKEN)");
        std::process::exit(2);
    };
    let token = std::env::var("KV_TEST_VAULT_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "root".into());
    let store = match VaultStore::new(address, &token) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("rust: {e}");
            std::process::exit(1);
        }
    };
    let result = match mode.as_str() {
        "read" => read(&store, expect).await.map(|n| {
            format!("rust: read {n} entries written by Python from Vault, all as expected")
        }),
        "write" => write(&store, run, expect)
            .await
            .map(|n| format!("rust: wrote {n} entries into Vault at {address}")),
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
