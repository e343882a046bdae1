//! Rust side of `cargo xtask interop redis` (see `interop/redis_valkey.py`).
//!
//! ```text
//! cargo run -p kv-store-redis --example redis_interop -- read  redis URL PYTHON-EXPECT.jsonl
//! cargo run -p kv-store-redis --example redis_interop -- write redis URL PYTHON-EXPECT.jsonl RUST-EXPECT.jsonl
//! ```
//!
//! `read` checks every entry Python listed (value, remaining TTL ± 1.5 s, missing ones missing).
//! `write` writes the same cases under the collection prefix `interop-rs-` and lists them.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kv_core::{KeyValue, Object};
use kv_store_redis::RedisStore;
use serde_json::{json, Value};

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn cases(path: &str) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

async fn read(store: Arc<dyn KeyValue>, expect: &str) -> kv_core::Result<usize> {
    let mut failures = 0;
    let cases = cases(expect);
    for case in &cases {
        let (c, k) = (
            case["collection"].as_str().unwrap_or(""),
            case["key"].as_str().unwrap_or(""),
        );
        let got = store.ttl(Some(c), k).await?;
        match (&case["value"], got) {
            (Value::Null, None) => {}
            (Value::Null, Some((v, _))) => {
                println!("FAIL {c}/{k}: expected missing, got {v:?}");
                failures += 1;
            }
            (_, None) => {
                println!("FAIL {c}/{k}: missing");
                failures += 1;
            }
            (want, Some((value, remaining))) => {
                if &Value::Object(value) != want {
                    println!("FAIL {c}/{k}: value differs");
                    failures += 1;
                }
                match (case["expires_at"].as_f64(), remaining) {
                    (None, None) => {}
                    (Some(at), Some(left)) if (left.as_secs_f64() - (at - now())).abs() <= 1.5 => {}
                    (at, left) => {
                        println!("FAIL {c}/{k}: remaining {left:?} vs expires_at {at:?}");
                        failures += 1;
                    }
                }
            }
        }
    }
    println!(
        "rust: read {} entries written by Python, {failures} failures",
        cases.len()
    );
    Ok(failures)
}

async fn write(store: Arc<dyn KeyValue>, python_expect: &str, out: &str) -> kv_core::Result<()> {
    let mut lines = Vec::new();
    let mut batch: Vec<(String, Object)> = Vec::new();
    let mut batch_target = None;
    for case in cases(python_expect) {
        let c = case["collection"]
            .as_str()
            .unwrap_or("")
            .replacen("interop-py-", "interop-rs-", 1);
        let k = case["key"].as_str().unwrap_or("").to_owned();
        let ttl = case["ttl"].as_f64().map(Duration::from_secs_f64);
        match &case["value"] {
            Value::Object(v) if c.ends_with("batch") => {
                batch.push((k.clone(), v.clone()));
                batch_target = Some((c.clone(), ttl));
            }
            Value::Object(v) => store.put(Some(&c), &k, v.clone(), ttl).await?,
            _ if ttl.is_some() => store.put(Some(&c), &k, Object::new(), ttl).await?,
            _ => {
                store.put(Some(&c), &k, Object::new(), None).await?;
                assert!(store.delete(Some(&c), &k).await?);
            }
        }
        let expires_at = ttl.map(|t| now() + t.as_secs_f64());
        lines.push(json!({"collection": c, "key": k, "value": case["value"], "ttl": case["ttl"], "expires_at": expires_at}));
    }
    if let Some((c, ttl)) = batch_target {
        store.put_many(Some(&c), batch, ttl).await?;
    }
    let mut file = std::fs::File::create(out).expect("expect file");
    for line in &lines {
        writeln!(file, "{line}").expect("write expect file");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await; // let the expiring entry expire
    println!("rust: wrote {} entries", lines.len());
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store: Arc<dyn KeyValue> =
        match RedisStore::from_url(args.get(2).map_or("", String::as_str)) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
    let result = match (args.first().map(String::as_str), args.len()) {
        (Some("read"), 4) => read(Arc::clone(&store), &args[3]).await.map(|f| f == 0),
        (Some("write"), 5) => write(Arc::clone(&store), &args[3], &args[4])
            .await
            .map(|()| true),
        _ => {
            eprintln!(
                "usage: redis_interop read KIND URL EXPECT | write KIND URL PYTHON-EXPECT OUT"
            );
            return ExitCode::from(2);
        }
    };
    let _ = store.close().await;
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("rust: {e}");
            ExitCode::FAILURE
        }
    }
}
