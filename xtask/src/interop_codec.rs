//! Rust side of the envelope interop (`cargo xtask interop codec`).
//!
//! Line format shared with `interop/envelope_write.py` / `envelope_read.py`: one JSON object per
//! line with `name`, `key` and `collection` (strings, or null for the `DOC()` form), `value`
//! (object), `created_at_micros` / `expires_at_micros` (Unix microseconds or null) and
//! `envelope` (the exact envelope text).

use std::fs;
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use kv_core::codec::envelope;
use kv_core::{Entry, Object, Timestamp};
use serde_json::{json, Value};

/// Decodes every envelope Python wrote and checks value, timestamps, and that Rust's encoder
/// writes the same bytes back. Returns the number of envelopes checked.
pub fn check_python_envelopes(path: &Path) -> Result<usize> {
    let lines = read_lines(path)?;
    let mut failures = Vec::new();
    for line in &lines {
        if let Err(err) = check_one(line) {
            failures.push(format!("{}: {err:#}", name(line)));
        }
    }
    report("rust: decoded", lines.len(), "Python envelopes", &failures)
}

fn check_one(line: &Value) -> Result<()> {
    let text = line["envelope"].as_str().context("no envelope text")?;
    let entry = envelope::decode(text.as_bytes()).map_err(|e| anyhow!("decode failed: {e}"))?;
    let expected = expected_entry(line)?;
    if entry.value != expected.value {
        bail!(
            "value {} != expected {}",
            Value::Object(entry.value.clone()),
            Value::Object(expected.value.clone())
        );
    }
    if entry.created_at != expected.created_at {
        bail!(
            "created_at {:?} != expected {:?}",
            entry.created_at,
            expected.created_at
        );
    }
    if entry.expires_at != expected.expires_at {
        bail!(
            "expires_at {:?} != expected {:?}",
            entry.expires_at,
            expected.expires_at
        );
    }
    let again = envelope::encode(&entry, key_and_collection(line)?);
    if again != text {
        bail!("Rust re-encoding differs\n  python: {text}\n  rust:   {again}");
    }
    Ok(())
}

/// Encodes every case of Python's file (from its fields, not its envelope) plus cases only Rust
/// makes up, and writes them to `out` for `envelope_read.py`. Returns the number written.
pub fn write_rust_envelopes(python_cases: &Path, out: &Path) -> Result<usize> {
    let mut text = String::new();
    let mut count = 0;
    for line in read_lines(python_cases)? {
        let entry = expected_entry(&line)?;
        let encoded = envelope::encode(&entry, key_and_collection(&line)?);
        let record = json!({
            "name": line["name"],
            "key": line["key"],
            "collection": line["collection"],
            "envelope": encoded,
        });
        text.push_str(&record.to_string());
        text.push('\n');
        count += 1;
    }
    for (name, key_collection, entry) in rust_only_cases()? {
        let encoded = envelope::encode(&entry, key_collection);
        let (key, collection) = key_collection.unzip();
        let record = json!({
            "name": name,
            "key": key,
            "collection": collection,
            "value": entry.value,
            "created_at_micros": entry.created_at.map(Timestamp::unix_micros),
            "expires_at_micros": entry.expires_at.map(Timestamp::unix_micros),
            "envelope": encoded,
        });
        text.push_str(&record.to_string());
        text.push('\n');
        count += 1;
    }
    fs::write(out, text).with_context(|| format!("writing {}", out.display()))?;
    println!("rust: wrote {count} envelopes to {}", out.display());
    Ok(count)
}

type RustCase = (&'static str, Option<(&'static str, &'static str)>, Entry);

/// Entries Python's case list does not produce: the current time, extreme instants, numbers at
/// the edges of the canonical float and integer formats.
fn rust_only_cases() -> Result<Vec<RustCase>> {
    let numbers = object(json!({
        "floats": [1.0, -0.0, 0.1, 100.0, 1e15, 1e16, 1.5e16, 0.0001, 0.00001, 1.5e-7, 1.5e300,
                   5e-324, 12345678901.2345, 0.1 + 0.2, 123456789012345678.0],
        "ints": [0, -42, 1_000_000_000_000_000_000_i64, i64::MAX, i64::MIN, u64::MAX],
    }))?;
    let text = object(json!({
        "s": "quote\" backslash\\ slash/ bell\u{7} nul\u{0} del\u{7f} ls\u{2028} \u{ffff}\u{1f600}",
        "\u{e9}": 1, "e": 2, "E": 3, "\u{1f600}": 4, "\u{ffff}": 5, "_": 6,
        "nested": {"z": {"y": [3, {"b": null, "a": true}]}, "a": []},
    }))?;
    let now = Timestamp::now();
    let at = |micros: i64| Timestamp::from_unix_micros(micros).context("timestamp out of range");
    let ttl_entry = |value: Object, ttl: Duration| {
        Entry::new(value, now, Some(ttl)).context("expiry out of range")
    };
    Ok(vec![
        (
            "rust-only/now-ttl-10.5s",
            Some(("k", "c")),
            ttl_entry(object(json!({"a": 1}))?, Duration::from_millis(10_500))?,
        ),
        (
            "rust-only/now-ttl-1us",
            None,
            ttl_entry(object(json!({"a": 1.0}))?, Duration::from_micros(1))?,
        ),
        (
            "rust-only/numbers",
            Some(("numbers", "edge")),
            Entry {
                value: numbers,
                created_at: Some(at(1_735_689_600_000_001)?),
                expires_at: None,
            },
        ),
        (
            "rust-only/escapes",
            Some(("\u{e9}\u{1f600}\n", "c\u{7f}")),
            Entry {
                value: text,
                created_at: Some(now),
                expires_at: None,
            },
        ),
        (
            "rust-only/extreme-instants",
            Some(("k", "c")),
            Entry {
                value: Object::new(),
                created_at: Some(Timestamp::MIN),
                expires_at: Some(Timestamp::MAX),
            },
        ),
        (
            "rust-only/before-epoch",
            None,
            Entry {
                value: object(json!({"x": []}))?,
                created_at: Some(at(-1)?),
                expires_at: Some(at(0)?),
            },
        ),
    ])
}

fn object(value: Value) -> Result<Object> {
    match value {
        Value::Object(map) => Ok(map),
        other => bail!("not an object: {other}"),
    }
}

/// The entry a line describes (from its fields, not its envelope).
fn expected_entry(line: &Value) -> Result<Entry> {
    let value = object(line["value"].clone()).context("field `value`")?;
    let instant = |field: &str| -> Result<Option<Timestamp>> {
        match &line[field] {
            Value::Null => Ok(None),
            v => {
                let micros = v
                    .as_i64()
                    .with_context(|| format!("{field} is not an integer"))?;
                Timestamp::from_unix_micros(micros)
                    .map(Some)
                    .with_context(|| format!("{field} out of range"))
            }
        }
    };
    Ok(Entry {
        value,
        created_at: instant("created_at_micros")?,
        expires_at: instant("expires_at_micros")?,
    })
}

fn key_and_collection(line: &Value) -> Result<Option<(&str, &str)>> {
    match (&line["key"], &line["collection"]) {
        (Value::String(k), Value::String(c)) => Ok(Some((k, c))),
        (Value::Null, Value::Null) => Ok(None),
        _ => bail!("key and collection must both be strings or both null"),
    }
}

fn name(line: &Value) -> &str {
    line["name"].as_str().unwrap_or("<unnamed>")
}

fn read_lines(path: &Path) -> Result<Vec<Value>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

fn report(verb: &str, total: usize, what: &str, failures: &[String]) -> Result<usize> {
    for failure in failures {
        println!("FAIL {failure}");
    }
    println!("{verb} {total} {what}, {} failures", failures.len());
    if !failures.is_empty() {
        bail!("{} of {total} {what} failed", failures.len());
    }
    Ok(total)
}
