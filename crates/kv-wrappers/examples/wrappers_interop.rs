//! Rust side of the wrappers interop (`interop/wrappers.py`): Compression and Fernet
//! Encryption stacks over a DiskStore directory that py-key-value opens too.
//!
//! `interop write DIR` writes every case through kv's stacks; `interop read DIR` reads what
//! Python wrote, checks each value, the raw payload on the bare store and the TTL.
//! `cargo xtask interop wrappers` runs both directions.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use kv_core::{KeyValue, Object};
use kv_store_disk::DiskStore;
use kv_wrappers::{Compression, Encryption, FernetKey};
use serde_json::{json, Value};

const FERNET_KEY: &str = "tyRkRGv8Y2uRrlvmX0ecJyg5AjO2eBoKPp7yOYKCnTo=";
const PASSPHRASE: (&str, &str) = ("kv interop source material", "kv interop salt");

fn obj(v: Value) -> Object {
    v.as_object().cloned().unwrap_or_default()
}

/// `(stack, key, value)`, the same cases as `interop/wrappers.py`.
fn cases() -> Vec<(&'static str, &'static str, Object)> {
    let big = obj(json!({"text": "kv ".repeat(600), "n": (0..50).collect::<Vec<i64>>()}));
    vec![
        ("gzip", "big", big.clone()),
        ("gzip", "small", obj(json!({"tiny": true}))),
        (
            "fernet",
            "secret",
            obj(json!({"card": "4111", "nested": {"a": [1, 2.5, null]}})),
        ),
        ("gzip-fernet", "both", big),
        (
            "passphrase",
            "derived",
            obj(json!({"msg": "h\u{e9}llo \u{1F30D}"})),
        ),
    ]
}

fn stack(name: &str, store: Arc<DiskStore>) -> kv_core::Result<Arc<dyn KeyValue>> {
    let key = || FernetKey::from_base64(FERNET_KEY);
    Ok(match name {
        "gzip" => Arc::new(Compression::new(store)),
        "fernet" => Arc::new(Encryption::fernet(store, vec![key()?])?),
        "gzip-fernet" => Arc::new(Compression::new(Encryption::fernet(store, vec![key()?])?)),
        "passphrase" => Arc::new(Encryption::from_passphrase(
            store,
            PASSPHRASE.0,
            PASSPHRASE.1,
        )?),
        other => panic!("unknown stack {other}"),
    })
}

/// The marker the bare store must show for a case (`None`: stored as is).
fn marker(name: &str, key: &str) -> Option<&'static str> {
    match (name, key) {
        ("gzip", "small") => None,
        ("gzip", _) => Some("__compressed_data__"),
        _ => Some("__encrypted_data__"),
    }
}

async fn run(mode: &str, dir: &str) -> Result<(), String> {
    let store = Arc::new(DiskStore::new(dir));
    let mut stacks: Vec<(&str, Arc<dyn KeyValue>)> = Vec::new();
    for (name, key, value) in cases() {
        let wrapped = match stacks.iter().find(|(n, _)| *n == name) {
            Some((_, s)) => Arc::clone(s),
            None => {
                let s = stack(name, Arc::clone(&store)).map_err(|e| e.to_string())?;
                stacks.push((name, Arc::clone(&s)));
                s
            }
        };
        let fail = |what: String| format!("{name}/{key}: {what}");
        if mode == "write" {
            wrapped
                .put(Some(name), key, value, Some(Duration::from_secs(3600)))
                .await
                .map_err(|e| fail(e.to_string()))?;
            continue;
        }
        let got = wrapped
            .get(Some(name), key)
            .await
            .map_err(|e| fail(e.to_string()))?;
        if got.as_ref() != Some(&value) {
            return Err(fail(format!("read {got:?}, expected {value:?}")));
        }
        let raw = store
            .get(Some(name), key)
            .await
            .map_err(|e| fail(e.to_string()))?
            .unwrap_or_default();
        let ok = match marker(name, key) {
            None => raw == value,
            Some(m) => raw.contains_key(m),
        };
        if !ok {
            return Err(fail(format!(
                "stored payload is not in the expected form: {raw:?}"
            )));
        }
        let (_, ttl) = wrapped
            .ttl(Some(name), key)
            .await
            .map_err(|e| fail(e.to_string()))?
            .ok_or_else(|| fail("ttl: missing".into()))?;
        if !ttl.is_some_and(|t| t > Duration::ZERO && t <= Duration::from_secs(3600)) {
            return Err(fail(format!("ttl {ttl:?}")));
        }
    }
    store.close().await.map_err(|e| e.to_string())?;
    println!("rust {mode}: {} wrapper cases ok", cases().len());
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, dir] = args.as_slice() else {
        eprintln!("usage: interop write|read DIR");
        return ExitCode::from(2);
    };
    match run(mode, dir).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wrappers interop: {e}");
            ExitCode::FAILURE
        }
    }
}
