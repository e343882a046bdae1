//! Logging: py-key-value's LoggingWrapper lines as `tracing` events.

use std::fmt::Write as _;
use std::time::Duration;

use kv_core::codec::canonical::{write_canonical, write_python_float, write_string};
use kv_core::{async_trait, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl};
use serde_json::Value;
use tracing::Level;

use crate::names::DEFAULT_COLLECTION;

/// Emits py-key-value's LoggingWrapper lines as `tracing` events (target `key_value::logging`):
/// `start` before delegating, `finish` after success, or one WARN `error` event with the error kind.
///
/// Text form: `Start GET collection='test' keys='test'`,
/// `Finish GET collection='test' keys='test' (hit=false)`. Structured form (one JSON object):
/// `{"status": "finish", "action": "GET", "collection": "test", "keys": "test", "extra": {"hit": false}}`.
/// **Values are logged only with `log_values(true)`** (py-key-value always logs them).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use kv_core::KeyValue;
/// use kv_wrappers::Logging;
///
/// let store = Logging::new(kv_store_memory::MemoryStore::new())
///     .level(tracing::Level::DEBUG)
///     .structured(true);
/// store.get(Some("test"), "test").await?;
/// # Ok(()) }
/// ```
pub struct Logging<S: ?Sized> {
    level: Level,
    log_values: bool,
    structured: bool,
    inner: S,
}

impl<S> Logging<S> {
    /// Wraps `inner`: INFO level, text lines, no values.
    pub fn new(inner: S) -> Self {
        Logging {
            level: Level::INFO,
            log_values: false,
            structured: false,
            inner,
        }
    }

    /// The level of `start`/`finish` events (errors are WARN).
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Whether values are included (default `false`).
    pub fn log_values(mut self, enabled: bool) -> Self {
        self.log_values = enabled;
        self
    }

    /// Whether lines are JSON objects instead of text (default `false`).
    pub fn structured(mut self, enabled: bool) -> Self {
        self.structured = enabled;
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(level: Level) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner).level(level)
    }
}

/// The keys of a logged call.
enum LogKeys<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
}

/// One extra member: already-encoded JSON and Python-ish text.
struct Extra {
    name: &'static str,
    json: String,
}

fn json_str(s: &str) -> String {
    let mut out = String::new();
    write_string(&mut out, s);
    out
}

fn json_list(keys: &[&str]) -> String {
    let mut out = String::from("[");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_string(&mut out, k);
    }
    out.push(']');
    out
}

fn text_list(keys: &[&str]) -> String {
    let mut out = String::from("[");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "'{k}'");
    }
    out.push(']');
    out
}

fn ttl_json(ttl: Option<Duration>) -> String {
    match ttl {
        None => "null".to_owned(),
        Some(t) => {
            let mut s = String::new();
            write_python_float(&mut s, t.as_secs_f64());
            s
        }
    }
}

fn extra(name: &'static str, json: String) -> Extra {
    Extra { name, json }
}

macro_rules! emit {
    ($level:expr, $($rest:tt)*) => {
        match $level {
            Level::TRACE => tracing::event!(target: "key_value::logging", Level::TRACE, $($rest)*),
            Level::DEBUG => tracing::event!(target: "key_value::logging", Level::DEBUG, $($rest)*),
            Level::INFO => tracing::event!(target: "key_value::logging", Level::INFO, $($rest)*),
            Level::WARN => tracing::event!(target: "key_value::logging", Level::WARN, $($rest)*),
            Level::ERROR => tracing::event!(target: "key_value::logging", Level::ERROR, $($rest)*),
        }
    };
}

macro_rules! enabled {
    ($level:expr) => {
        match $level {
            Level::TRACE => tracing::enabled!(target: "key_value::logging", Level::TRACE),
            Level::DEBUG => tracing::enabled!(target: "key_value::logging", Level::DEBUG),
            Level::INFO => tracing::enabled!(target: "key_value::logging", Level::INFO),
            Level::WARN => tracing::enabled!(target: "key_value::logging", Level::WARN),
            Level::ERROR => tracing::enabled!(target: "key_value::logging", Level::ERROR),
        }
    };
}

impl<S: ?Sized> Logging<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn format(
        &self,
        status: &str,
        action: &str,
        collection: Option<&str>,
        keys: &LogKeys<'_>,
        value: Option<String>,
        extras: &[Extra],
    ) -> String {
        let mut line = String::with_capacity(96);
        if self.structured {
            let _ = write!(
                line,
                "{{\"status\": \"{status}\", \"action\": \"{action}\", \"collection\": "
            );
            match collection {
                Some(c) => write_string(&mut line, c),
                None => line.push_str("null"),
            }
            line.push_str(", \"keys\": ");
            match keys {
                LogKeys::One(k) => write_string(&mut line, k),
                LogKeys::Many(k) => line.push_str(&json_list(k)),
            }
            if let Some(v) = value {
                line.push_str(", \"value\": ");
                line.push_str(&v);
            }
            if !extras.is_empty() {
                line.push_str(", \"extra\": {");
                for (i, e) in extras.iter().enumerate() {
                    if i > 0 {
                        line.push_str(", ");
                    }
                    let _ = write!(line, "\"{}\": {}", e.name, e.json);
                }
                line.push('}');
            }
            line.push('}');
        } else {
            let mut cap = status.to_owned();
            if let Some(first) = cap.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            let c = crate::names::or_default(collection, DEFAULT_COLLECTION);
            let keys = match keys {
                LogKeys::One(k) => (*k).to_owned(),
                LogKeys::Many(k) => text_list(k),
            };
            let _ = write!(line, "{cap} {action} collection='{c}' keys='{keys}'");
            if let Some(v) = value {
                let _ = write!(line, " value={v}");
            }
            if !extras.is_empty() {
                line.push_str(" (");
                for (i, e) in extras.iter().enumerate() {
                    if i > 0 {
                        line.push_str(", ");
                    }
                    let _ = write!(line, "{}={}", e.name, e.json.replace('"', "'"));
                }
                line.push(')');
            }
        }
        line
    }

    #[allow(clippy::too_many_arguments)]
    fn log(
        &self,
        status: &str,
        action: &'static str,
        collection: Option<&str>,
        keys: &LogKeys<'_>,
        value: impl FnOnce() -> Option<String>,
        extras: impl FnOnce() -> Vec<Extra>,
    ) {
        if !enabled!(self.level) {
            return;
        }
        let value = if self.log_values { value() } else { None };
        let line = self.format(status, action, collection, keys, value, &extras());
        emit!(self.level, status, action, "{line}");
    }

    fn log_error(
        &self,
        action: &'static str,
        collection: Option<&str>,
        keys: &LogKeys<'_>,
        e: &Error,
    ) {
        if !tracing::enabled!(target: "key_value::logging", Level::WARN) {
            return;
        }
        let extras = [extra("error", json_str(e.kind().name()))];
        let line = self.format("error", action, collection, keys, None, &extras);
        tracing::event!(target: "key_value::logging", Level::WARN, status = "error", action, error.kind = e.kind().name(), "{line}");
    }

    fn value_json(&self, v: &Object) -> String {
        let mut s = String::new();
        write_canonical(&mut s, &Value::Object(v.clone()));
        s
    }

    fn values_json<'a>(&self, values: impl Iterator<Item = &'a Object>) -> String {
        let mut s = String::from("[");
        for (i, v) in values.enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&self.value_json(v));
        }
        s.push(']');
        s
    }

    #[allow(clippy::too_many_arguments)]
    async fn run<T>(
        &self,
        action: &'static str,
        collection: Option<&str>,
        keys: LogKeys<'_>,
        start_extras: impl FnOnce() -> Vec<Extra>,
        start_value: impl FnOnce() -> Option<String>,
        call: impl std::future::Future<Output = Result<T>>,
        finish: impl FnOnce(&T) -> (Option<String>, Vec<Extra>),
    ) -> Result<T> {
        self.log(
            "start",
            action,
            collection,
            &keys,
            start_value,
            start_extras,
        );
        match call.await {
            Ok(v) => {
                if enabled!(self.level) {
                    let (value, extras) = finish(&v);
                    self.log("finish", action, collection, &keys, || value, || extras);
                }
                Ok(v)
            }
            Err(e) => {
                self.log_error(action, collection, &keys, &e);
                Err(e)
            }
        }
    }
}

fn hits_misses<T>(v: &[Option<T>]) -> Vec<Extra> {
    let hits = v.iter().filter(|x| x.is_some()).count();
    vec![
        extra("hits", hits.to_string()),
        extra("misses", (v.len() - hits).to_string()),
    ]
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for Logging<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        let lv = self.log_values;
        self.run(
            "GET",
            c,
            LogKeys::One(k),
            Vec::new,
            || None,
            self.inner.get(c, k),
            |v| {
                let value = if lv {
                    v.as_ref().map(|v| self.value_json(v))
                } else {
                    None
                };
                (value, vec![extra("hit", v.is_some().to_string())])
            },
        )
        .await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let start = || vec![extra("keys", json_list(&k[..k.len().min(5)]))];
        self.run(
            "GET_MANY",
            c,
            LogKeys::Many(k.to_vec()),
            start,
            || None,
            self.inner.get_many(c, k),
            |v| (None, hits_misses(v)),
        )
        .await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        let lv = self.log_values;
        self.run(
            "TTL",
            c,
            LogKeys::One(k),
            Vec::new,
            || None,
            self.inner.ttl(c, k),
            |v| {
                let value = if lv {
                    v.as_ref().map(|(v, _)| self.value_json(v))
                } else {
                    None
                };
                (
                    value,
                    vec![extra("ttl", ttl_json(v.as_ref().and_then(|(_, t)| *t)))],
                )
            },
        )
        .await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let start = || vec![extra("keys", json_list(&k[..k.len().min(5)]))];
        self.run(
            "TTL_MANY",
            c,
            LogKeys::Many(k.to_vec()),
            start,
            || None,
            self.inner.ttl_many(c, k),
            |v| (None, hits_misses(v)),
        )
        .await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        let value = if self.log_values && enabled!(self.level) {
            Some(self.value_json(&v))
        } else {
            None
        };
        let value2 = value.clone();
        let ttl = || vec![extra("ttl", ttl_json(t))];
        self.run(
            "PUT",
            c,
            LogKeys::One(k),
            ttl,
            || value,
            self.inner.put(c, k, v, t),
            |_| (value2, vec![extra("ttl", ttl_json(t))]),
        )
        .await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let keys: Vec<String> = e.iter().map(|(k, _)| k.clone()).collect();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let value = if self.log_values && enabled!(self.level) {
            Some(self.values_json(e.iter().map(|(_, v)| v)))
        } else {
            None
        };
        let value2 = value.clone();
        let ttl = || vec![extra("ttl", ttl_json(t))];
        self.run(
            "PUT_MANY",
            c,
            LogKeys::Many(key_refs),
            ttl,
            || value,
            self.inner.put_many(c, e, t),
            |_| (value2, vec![extra("ttl", ttl_json(t))]),
        )
        .await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.run(
            "DELETE",
            c,
            LogKeys::One(k),
            Vec::new,
            || None,
            self.inner.delete(c, k),
            |d| (None, vec![extra("deleted", d.to_string())]),
        )
        .await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        let start = || vec![extra("keys", json_list(&k[..k.len().min(5)]))];
        self.run(
            "DELETE_MANY",
            c,
            LogKeys::Many(k.to_vec()),
            start,
            || None,
            self.inner.delete_many(c, k),
            |d| (None, vec![extra("deleted", d.to_string())]),
        )
        .await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.run(
            "KEYS",
            c,
            LogKeys::One(""),
            Vec::new,
            || None,
            self.inner.keys(c, l),
            |v| (None, vec![extra("count", v.len().to_string())]),
        )
        .await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.run(
            "COLLECTIONS",
            None,
            LogKeys::One(""),
            Vec::new,
            || None,
            self.inner.collections(l),
            |v| (None, vec![extra("count", v.len().to_string())]),
        )
        .await
    }
    async fn destroy(&self) -> Result<bool> {
        self.run(
            "DESTROY",
            None,
            LogKeys::One(""),
            Vec::new,
            || None,
            self.inner.destroy(),
            |d| (None, vec![extra("deleted", d.to_string())]),
        )
        .await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        self.run(
            "DESTROY_COLLECTION",
            Some(c),
            LogKeys::One(""),
            Vec::new,
            || None,
            self.inner.destroy_collection(c),
            |d| (None, vec![extra("deleted", d.to_string())]),
        )
        .await
    }
    async fn cull(&self) -> Result<()> {
        self.run(
            "CULL",
            None,
            LogKeys::One(""),
            Vec::new,
            || None,
            self.inner.cull(),
            |_| (None, Vec::new()),
        )
        .await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        let value = if self.log_values && enabled!(self.level) {
            Some(self.value_json(&v))
        } else {
            None
        };
        let value2 = value.clone();
        let ttl = || vec![extra("ttl", ttl_json(t))];
        self.run(
            "PUT_IF_ABSENT",
            c,
            LogKeys::One(k),
            ttl,
            || value,
            self.inner.put_if_absent(c, k, v, t),
            |w| {
                (
                    value2,
                    vec![extra("ttl", ttl_json(t)), extra("written", w.to_string())],
                )
            },
        )
        .await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
