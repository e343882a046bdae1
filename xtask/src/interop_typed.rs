//! Rust side of the typed-value interop (`cargo xtask interop typed`): kv's `TypedStore` and
//! py-key-value's `PydanticAdapter` store the same objects (`{"items": ...}` for non-objects).
//!
//! Line format shared with `interop/typed.py`: `{"name": CASE, "stored": OBJECT}`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, TimeZone, Utc};
use kv_core::{KeyValue, Object, Shape, TypedStore};
use kv_store_memory::MemoryStore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct User {
    name: String,
    age: i64,
}

/// Every case's expected value, as the JSON the typed value serializes to.
fn cases() -> Vec<(&'static str, Value)> {
    let when = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).single();
    vec![
        ("list_int", json!([1, 2, 3])),
        ("int", json!(42)),
        ("str", json!("plain string é")),
        ("user", json!({"name": "Ada", "age": 36})),
        ("dict_str_int", json!({"a": 1, "b": 2})),
        ("optional_float_none", Value::Null),
        ("optional_float", json!(1.5)),
        (
            "datetime",
            serde_json::to_value(when).unwrap_or(Value::Null),
        ),
        (
            "list_user",
            json!([{"name": "Ada", "age": 36}, {"name": "Bob", "age": 7}]),
        ),
    ]
}

/// Stores `expected` (decoded as `T`) through a `TypedStore` and returns the raw stored object.
async fn store_as<T>(
    store: &Arc<MemoryStore>,
    name: &str,
    shape: Shape,
    expected: &Value,
) -> Result<Object>
where
    T: Serialize + DeserializeOwned + Send + Sync,
{
    let typed: TypedStore<T, MemoryStore> = TypedStore::new(Arc::clone(store)).with_shape(shape);
    let value: T = serde_json::from_value(expected.clone())?;
    typed.put(Some("typed"), name, &value, None).await?;
    store
        .get(Some("typed"), name)
        .await?
        .ok_or_else(|| anyhow!("{name}: nothing stored"))
}

/// Reads the raw `stored` object through a `TypedStore<T>` and checks it equals `expected`.
async fn read_as<T>(
    store: &Arc<MemoryStore>,
    name: &str,
    shape: Shape,
    stored: Object,
    expected: &Value,
) -> Result<()>
where
    T: Serialize + DeserializeOwned + Send + Sync + PartialEq + std::fmt::Debug,
{
    store.put(Some("typed"), name, stored, None).await?;
    let typed: TypedStore<T, MemoryStore> = TypedStore::new(Arc::clone(store)).with_shape(shape);
    let got = typed
        .get(Some("typed"), name)
        .await?
        .ok_or_else(|| anyhow!("{name}: missing"))?;
    let want: T = serde_json::from_value(expected.clone())?;
    if got != want {
        bail!("{name}: read {got:?}, expected {want:?}");
    }
    Ok(())
}

macro_rules! dispatch {
    ($name:expr, $f:ident, $($arg:expr),*) => {
        match $name {
            "list_int" => $f::<Vec<i64>>($($arg),*, Shape::Items).await,
            "int" => $f::<i64>($($arg),*, Shape::Items).await,
            "str" => $f::<String>($($arg),*, Shape::Items).await,
            "user" => $f::<User>($($arg),*, Shape::Object).await,
            "dict_str_int" => $f::<BTreeMap<String, i64>>($($arg),*, Shape::Object).await,
            "optional_float_none" | "optional_float" => $f::<Option<f64>>($($arg),*, Shape::Items).await,
            "datetime" => $f::<DateTime<Utc>>($($arg),*, Shape::Items).await,
            "list_user" => $f::<Vec<User>>($($arg),*, Shape::Items).await,
            other => Err(anyhow!("unknown case {other}")),
        }
    };
}

async fn write_case<T>(
    store: &Arc<MemoryStore>,
    name: &str,
    expected: &Value,
    shape: Shape,
) -> Result<Object>
where
    T: Serialize + DeserializeOwned + Send + Sync,
{
    store_as::<T>(store, name, shape, expected).await
}

async fn read_case<T>(
    store: &Arc<MemoryStore>,
    name: &str,
    stored: Object,
    expected: &Value,
    shape: Shape,
) -> Result<()>
where
    T: Serialize + DeserializeOwned + Send + Sync + PartialEq + std::fmt::Debug,
{
    read_as::<T>(store, name, shape, stored, expected).await
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .context("starting a tokio runtime")
}

/// Reads every typed value Python stored; fails listing each mismatch.
pub fn check_python_values(path: &Path) -> Result<usize> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let expected: BTreeMap<&str, Value> = cases().into_iter().collect();
    let store = Arc::new(MemoryStore::new());
    let mut failures = Vec::new();
    let mut seen = 0;
    runtime()?.block_on(async {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line)?;
            let name = row["name"].as_str().context("no name")?.to_owned();
            let stored = row["stored"]
                .as_object()
                .cloned()
                .context("stored is not an object")?;
            let want = expected
                .get(name.as_str())
                .with_context(|| format!("unknown case {name}"))?;
            seen += 1;
            if let Err(e) = dispatch!(name.as_str(), read_case, &store, &name, stored, want) {
                failures.push(format!("{e:#}"));
            }
        }
        Ok::<(), anyhow::Error>(())
    })?;
    if seen != expected.len() {
        failures.push(format!(
            "expected {} typed values, read {seen}",
            expected.len()
        ));
    }
    for f in &failures {
        eprintln!("rust: {f}");
    }
    println!(
        "rust: read {seen} typed values written by Python, {} failures",
        failures.len()
    );
    if failures.is_empty() {
        Ok(seen)
    } else {
        bail!("{} typed values differ", failures.len())
    }
}

/// Writes every case through kv's `TypedStore` for Python to read.
pub fn write_rust_values(path: &Path) -> Result<usize> {
    let store = Arc::new(MemoryStore::new());
    let mut out = String::new();
    let cases = cases();
    runtime()?.block_on(async {
        for (name, value) in &cases {
            let stored = dispatch!(*name, write_case, &store, name, value)?;
            out.push_str(&serde_json::to_string(
                &json!({"name": name, "stored": stored}),
            )?);
            out.push('\n');
        }
        Ok::<(), anyhow::Error>(())
    })?;
    fs::write(path, out).with_context(|| format!("writing {}", path.display()))?;
    println!(
        "rust: wrote {} typed values to {}",
        cases.len(),
        path.display()
    );
    Ok(cases.len())
}
