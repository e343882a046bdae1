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

#[cfg(test)]
mod tests {
    //! Bounded fuzzing of the argument parsers: any input gives an object or a one-line message,
    //! never a panic; objects survive the trip; other JSON is refused by its kind.

    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::{parse_object, seconds};

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(".{0,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_is_an_object_or_a_one_line_error(text in "(?s).{0,64}") {
            prop_assume!(text != "-");
            match parse_object(&text) {
                Ok(map) => prop_assert_eq!(serde_json::from_str::<Value>(&text).ok(), Some(Value::Object(map))),
                Err(message) => {
                    prop_assert!(!message.contains('\n'), "{}", message);
                    prop_assert!(message.starts_with("the value "), "{}", message);
                }
            }
        }

        #[test]
        fn json_values_are_accepted_exactly_when_they_are_objects(value in json_value()) {
            let text = value.to_string();
            match (parse_object(&text), &value) {
                (Ok(map), Value::Object(expected)) => prop_assert_eq!(&map, expected),
                (Err(message), Value::Object(_)) => prop_assert!(false, "object refused: {}", message),
                (Ok(_), _) => prop_assert!(false, "non-object accepted: {}", text),
                (Err(message), _) => prop_assert!(message.starts_with("the value must be a JSON object"), "{}", message),
            }
        }

        #[test]
        fn ttl_seconds_are_positive_finite_or_refused(s in any::<f64>()) {
            match seconds(s) {
                Ok(_) => prop_assert!(s.is_finite() && s > 0.0),
                Err(message) => prop_assert!(!(s.is_finite() && s > 0.0) || message.starts_with("--ttl"), "{}", message),
            }
        }
    }

    #[test]
    fn non_objects_are_named_by_kind() {
        for (text, kind) in [
            ("[1]", "an array"),
            ("\"x\"", "a string"),
            ("1", "a number"),
            ("true", "a boolean"),
            ("null", "null"),
        ] {
            let message = parse_object(text).unwrap_err();
            assert!(message.ends_with(kind), "{message}");
        }
        assert!(parse_object(&json!({"a": 1}).to_string()).is_ok());
    }
}
