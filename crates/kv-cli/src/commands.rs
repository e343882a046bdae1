//! One function per subcommand. Errors are returned as one readable line.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use kv::{ErrorKind, KeyValue, Object};
use serde_json::Value;

use crate::cli::{Cli, Command};

/// The exit code for "not found" (`get`, `ttl`).
const MISSING: u8 = 1;

pub async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Copy {
            from,
            to,
            collections,
        } => crate::copy::run(&from, &to, &collections).await,
        Command::Bench { quick, json, load } => {
            let store = open(&cli.store)?;
            match load {
                Some(entries) => {
                    crate::bench::load(store, &cli.store, entries, json.as_deref()).await
                }
                None => crate::bench::run(store, &cli.store, quick, json.as_deref()).await,
            }
        }
        command => {
            let store = open(&cli.store)?;
            let result = single(&*store, command).await;
            let _ = store.close().await;
            result
        }
    }
}

pub fn open(url: &str) -> Result<std::sync::Arc<dyn KeyValue>, String> {
    kv::open(url).map_err(|e| e.to_string())
}

async fn single(store: &dyn KeyValue, command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Put {
            collection,
            key,
            json,
            ttl,
        } => {
            let value = parse_object(&json)?;
            let ttl = ttl.map(seconds).transpose()?;
            store
                .put(Some(&collection), &key, value, ttl)
                .await
                .map_err(err)?;
        }
        Command::Get { collection, key } => {
            match store.get(Some(&collection), &key).await.map_err(err)? {
                Some(value) => println!("{}", Value::Object(value)),
                None => return Ok(ExitCode::from(MISSING)),
            }
        }
        Command::Ttl { collection, key } => {
            match store.ttl(Some(&collection), &key).await.map_err(err)? {
                Some((value, ttl)) => {
                    let ttl = ttl.map_or(Value::Null, |d| serde_json::json!(d.as_secs_f64()));
                    println!("{}", serde_json::json!({"value": value, "ttl": ttl}));
                }
                None => return Ok(ExitCode::from(MISSING)),
            }
        }
        Command::Delete { collection, key } => {
            println!(
                "{}",
                store.delete(Some(&collection), &key).await.map_err(err)?
            );
        }
        Command::Keys { collection, limit } => {
            for key in store
                .keys(Some(&collection), limit)
                .await
                .map_err(listing)?
            {
                println!("{key}");
            }
        }
        Command::Collections { limit } => {
            for name in store.collections(limit).await.map_err(listing)? {
                println!("{name}");
            }
        }
        Command::Copy { .. } | Command::Bench { .. } => unreachable!("handled in run"),
    }
    Ok(ExitCode::SUCCESS)
}

fn err(e: kv::Error) -> String {
    e.to_string()
}

fn listing(e: kv::Error) -> String {
    if e.kind() == &ErrorKind::Unsupported {
        format!("this store cannot list: {}", e.message())
    } else {
        e.to_string()
    }
}

/// A TTL in seconds: positive and finite.
fn seconds(s: f64) -> Result<Duration, String> {
    if !(s.is_finite() && s > 0.0) {
        return Err(format!(
            "--ttl must be a positive number of seconds, got {s}"
        ));
    }
    Duration::try_from_secs_f64(s).map_err(|e| format!("--ttl {s}: {e}"))
}

/// The JSON argument (or stdin for `-`), which must be an object.
fn parse_object(arg: &str) -> Result<Object, String> {
    let text = if arg == "-" {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .map_err(|e| format!("cannot read the value from stdin: {e}"))?;
        buf
    } else {
        arg.to_owned()
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "the value must be a JSON object, got {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        )),
        Err(e) => Err(format!("the value is not valid JSON: {e}")),
    }
}
