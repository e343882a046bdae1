//! Test helpers: a call-recording store, a flaky store, a slow store, a counting store.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kv_core::{async_trait, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl};
use kv_store_memory::MemoryStore;
use parking_lot::Mutex;
use serde_json::{json, Value};

pub fn obj(v: Value) -> Object {
    kv_core::conformance::obj(v)
}

/// Records every call as JSON `{"op", "collection", "key"/"keys", "value"/"values", "ttl"}`
/// (the shape of `wrappers.jsonl` `inner_calls`) and delegates to a MemoryStore.
#[derive(Default)]
pub struct Recorder {
    pub calls: Mutex<Vec<Value>>,
    pub inner: MemoryStore,
}

fn ttl_json(t: Option<Duration>) -> Value {
    t.map_or(Value::Null, |t| json!(t.as_secs_f64()))
}

impl Recorder {
    pub fn take(&self) -> Vec<Value> {
        std::mem::take(&mut *self.calls.lock())
    }
    fn rec(&self, v: Value) {
        self.calls.lock().push(v);
    }
}

#[async_trait]
impl KeyValue for Recorder {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.rec(json!({"op": "get", "collection": c, "key": k}));
        self.inner.get(c, k).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.rec(json!({"op": "get_many", "collection": c, "keys": k}));
        self.inner.get_many(c, k).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.rec(json!({"op": "ttl", "collection": c, "key": k}));
        self.inner.ttl(c, k).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.rec(json!({"op": "ttl_many", "collection": c, "keys": k}));
        self.inner.ttl_many(c, k).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.rec(json!({"op": "put", "collection": c, "key": k, "value": v, "ttl": ttl_json(t)}));
        self.inner.put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let keys: Vec<&String> = e.iter().map(|(k, _)| k).collect();
        let values: Vec<&Object> = e.iter().map(|(_, v)| v).collect();
        self.rec(json!({"op": "put_many", "collection": c, "keys": keys, "values": values, "ttl": ttl_json(t)}));
        self.inner.put_many(c, e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.rec(json!({"op": "delete", "collection": c, "key": k}));
        self.inner.delete(c, k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.rec(json!({"op": "delete_many", "collection": c, "keys": k}));
        self.inner.delete_many(c, k).await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.keys(c, l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.collections(l).await
    }
    async fn destroy(&self) -> Result<bool> {
        self.inner.destroy().await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        self.inner.destroy_collection(c).await
    }
    async fn cull(&self) -> Result<()> {
        self.inner.cull().await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        self.rec(json!({"op": "put_if_absent", "collection": c, "key": k, "value": v, "ttl": ttl_json(t)}));
        self.inner.put_if_absent(c, k, v, t).await
    }
}

/// Fails the first `failures` calls of every operation with `error()`, then delegates. Counts calls.
pub struct Flaky {
    pub failures: usize,
    pub calls: AtomicUsize,
    pub error: fn() -> Error,
    pub inner: MemoryStore,
}

impl Flaky {
    pub fn new(failures: usize, error: fn() -> Error) -> Self {
        Flaky {
            failures,
            calls: AtomicUsize::new(0),
            error,
            inner: MemoryStore::new(),
        }
    }
    fn gate(&self) -> Result<()> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.failures {
            Err((self.error)())
        } else {
            Ok(())
        }
    }
    pub fn count(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl KeyValue for Flaky {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.gate()?;
        self.inner.get(c, k).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.gate()?;
        self.inner.get_many(c, k).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.gate()?;
        self.inner.ttl(c, k).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.gate()?;
        self.inner.ttl_many(c, k).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.gate()?;
        self.inner.put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        self.gate()?;
        self.inner.put_many(c, e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.gate()?;
        self.inner.delete(c, k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.gate()?;
        self.inner.delete_many(c, k).await
    }
}

/// Sleeps `delay` in every operation (capabilities included) before delegating; counts reads.
pub struct Slow {
    pub delay: Duration,
    pub reads: AtomicUsize,
    pub inner: MemoryStore,
}

impl Slow {
    pub fn new(delay: Duration) -> Self {
        Slow {
            delay,
            reads: AtomicUsize::new(0),
            inner: MemoryStore::new(),
        }
    }
    async fn nap(&self) {
        tokio::time::sleep(self.delay).await;
    }
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl KeyValue for Slow {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.nap().await;
        self.inner.get(c, k).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.nap().await;
        self.inner.get_many(c, k).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.nap().await;
        self.inner.ttl(c, k).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.nap().await;
        self.inner.ttl_many(c, k).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.nap().await;
        self.inner.put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        self.nap().await;
        self.inner.put_many(c, e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.nap().await;
        self.inner.delete(c, k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.nap().await;
        self.inner.delete_many(c, k).await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.nap().await;
        self.inner.keys(c, l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.nap().await;
        self.inner.collections(l).await
    }
    async fn destroy(&self) -> Result<bool> {
        self.nap().await;
        self.inner.destroy().await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        self.nap().await;
        self.inner.destroy_collection(c).await
    }
    async fn cull(&self) -> Result<()> {
        self.nap().await;
        self.inner.cull().await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        self.nap().await;
        self.inner.put_if_absent(c, k, v, t).await
    }
}

pub fn arc<T: KeyValue + 'static>(t: T) -> Arc<T> {
    Arc::new(t)
}
