//! The EXPECT files of `cargo xtask interop`: one JSON object per line naming an entry one
//! implementation wrote and the other must read back, `{"collection": ..., "key": ...,
//! "value": {...} or null (missing), "expires_at": epoch seconds or null}` (stores add their
//! own fields, such as `"v1"` for a second key strategy).
//!
//! ```no_run
//! use kv_core::conformance::interop::{check_expected, read_expect, verdict};
//! # async fn f(store: &dyn kv_core::KeyValue) -> Result<usize, String> {
//! let lines = read_expect("python-wrote.jsonl")?;
//! let mut failures = Vec::new();
//! for line in &lines {
//!     failures.extend(check_expected(store, line, 1.5).await?);
//! }
//! verdict(lines.len(), &failures)
//! # }
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::KeyValue;

/// Now, in seconds since the Unix epoch (the unit of `expires_at`).
pub fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// The lines of an EXPECT file (blank lines skipped); `Err` names the file or the bad line.
pub fn read_expect(path: &str) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{path}: {e}: {l}")))
        .collect()
}

/// Reads the entry `line` names from `store` and compares it with the line: the value (or its
/// absence) and the remaining TTL against `expires_at`, within `ttl_tolerance` seconds.
/// `Ok(Some(message))` for a mismatch, `Err` when the store call fails; the message starts
/// with `collection/key` (the key cut to 40 characters).
pub async fn check_expected(
    store: &dyn KeyValue,
    line: &Value,
    ttl_tolerance: f64,
) -> Result<Option<String>, String> {
    let collection = line["collection"].as_str();
    let key = line["key"].as_str().unwrap_or_default();
    let label = format!(
        "{collection:?}/{}",
        key.chars().take(40).collect::<String>()
    );
    let got = store
        .ttl(collection, key)
        .await
        .map_err(|e| format!("{label}: {e}"))?;
    let mismatch = match (&line["value"], got) {
        (Value::Null, None) => None,
        (Value::Null, Some(v)) => Some(format!("expected missing, got {v:?}")),
        (_, None) => Some("missing".to_owned()),
        (want, Some((value, _))) if !object_equals(&value, want) => Some("wrong value".to_owned()),
        (_, Some((_, ttl))) => match (line["expires_at"].as_f64(), ttl) {
            (None, None) => None,
            (Some(at), Some(ttl))
                if (ttl.as_secs_f64() - (at - now_secs())).abs() <= ttl_tolerance =>
            {
                None
            }
            (at, ttl) => Some(format!("ttl {ttl:?} vs expires_at {at:?}")),
        },
    };
    Ok(mismatch.map(|m| format!("{label}: {m}")))
}

fn object_equals(object: &crate::Object, want: &Value) -> bool {
    want.as_object() == Some(object)
}

/// `Ok(count)` when `failures` is empty, else `Err` with one failure per line.
pub fn verdict(count: usize, failures: &[String]) -> Result<usize, String> {
    if failures.is_empty() {
        Ok(count)
    } else {
        Err(failures.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{async_trait, Backend, Entry, Name, Result, Store, Timestamp};
    use parking_lot::Mutex;
    use std::collections::HashMap;
    use std::time::Duration;

    #[derive(Default)]
    struct MapBackend(Mutex<HashMap<(String, String), Entry>>);

    #[async_trait]
    impl Backend for MapBackend {
        fn name(&self) -> &'static str {
            "map"
        }
        async fn get_entry(&self, c: &Name<'_>, k: &Name<'_>) -> Result<Option<Entry>> {
            Ok(self
                .0
                .lock()
                .get(&(c.as_str().into(), k.as_str().into()))
                .cloned())
        }
        async fn put_entry(&self, c: &Name<'_>, k: &Name<'_>, e: Entry) -> Result<()> {
            self.0
                .lock()
                .insert((c.as_str().into(), k.as_str().into()), e);
            Ok(())
        }
        async fn delete_entry(&self, c: &Name<'_>, k: &Name<'_>, _: Timestamp) -> Result<bool> {
            Ok(self
                .0
                .lock()
                .remove(&(c.as_str().into(), k.as_str().into()))
                .is_some())
        }
    }

    fn simple_store() -> Store<MapBackend> {
        Store::new(MapBackend::default())
    }

    fn obj(v: Value) -> crate::Object {
        v.as_object().cloned().unwrap_or_default()
    }

    #[tokio::test]
    async fn mismatches_are_named() {
        let store = simple_store();
        store
            .put(
                Some("c"),
                "ttl",
                obj(serde_json::json!({"a": 1})),
                Some(Duration::from_secs(100)),
            )
            .await
            .unwrap();
        let check = |line: Value| {
            let store = &store;
            async move { check_expected(store, &line, 1.5).await.unwrap() }
        };
        let at = now_secs() + 100.0;
        let ok = serde_json::json!({"collection": "c", "key": "ttl", "value": {"a": 1}, "expires_at": at});
        assert_eq!(check(ok).await, None);
        let far = serde_json::json!({"collection": "c", "key": "ttl", "value": {"a": 1}, "expires_at": at + 10.0});
        assert!(check(far).await.unwrap().contains("ttl"));
        let none = serde_json::json!({"collection": "c", "key": "ttl", "value": {"a": 1}});
        assert!(check(none).await.unwrap().contains("ttl"));
        let wrong = serde_json::json!({"collection": "c", "key": "ttl", "value": {"a": 2}, "expires_at": at});
        assert_eq!(
            check(wrong).await,
            Some("Some(\"c\")/ttl: wrong value".into())
        );
        let present = serde_json::json!({"collection": "c", "key": "ttl", "value": null});
        assert!(check(present).await.unwrap().contains("expected missing"));
        let absent = serde_json::json!({"collection": "c", "key": "nope", "value": null});
        assert_eq!(check(absent).await, None);
    }

    #[test]
    fn expect_files_round_trip() {
        let dir = std::env::temp_dir().join(format!("kv-interop-expect-{}", std::process::id()));
        let lines = vec![
            serde_json::json!({"collection": "c", "key": "k", "value": null}),
            serde_json::json!({"collection": null, "key": "x", "value": {"n": 1}, "expires_at": 1.5}),
        ];
        let path = dir.to_string_lossy().into_owned();
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, text).unwrap();
        assert_eq!(read_expect(&path).unwrap(), lines);
        std::fs::remove_file(&dir).ok();
        assert!(read_expect(&path).unwrap_err().contains(&path));
        assert_eq!(verdict(2, &[]), Ok(2));
        assert_eq!(verdict(2, &["a".into(), "b".into()]), Err("a\nb".into()));
    }
}
