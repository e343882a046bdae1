//! A synchronous API for programs without an async runtime.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use kv_core::{Capabilities, Error, KeyValue, Object, Result, ValueWithTtl};

/// A store used from synchronous code: every method blocks until the operation is done.
///
/// It owns a small private tokio runtime (one worker thread) that drives the async store.
/// Calling it from inside an async runtime is an error (use the async API there), never a panic.
///
/// ```
/// use kv::blocking::BlockingStore;
///
/// let store = BlockingStore::open("memory://")?;
/// let value = serde_json::json!({"n": 1}).as_object().cloned().unwrap_or_default();
/// store.put(Some("c"), "k", value.clone(), None)?;
/// assert_eq!(store.get(Some("c"), "k")?, Some(value));
/// assert!(store.delete(Some("c"), "k")?);
/// # Ok::<(), kv::Error>(())
/// ```
pub struct BlockingStore {
    store: Arc<dyn KeyValue>,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for BlockingStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingStore").finish_non_exhaustive()
    }
}

impl BlockingStore {
    /// Opens a store from a URL (see [`crate::open`]).
    pub fn open(url: &str) -> Result<Self> {
        Self::new(crate::open(url)?)
    }

    /// Wraps any async store.
    pub fn new(store: Arc<dyn KeyValue>) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kv-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::setup(format!("cannot start the blocking API's runtime: {e}")).with_source(e)
            })?;
        Ok(BlockingStore { store, runtime })
    }

    /// The async store inside.
    pub fn as_async(&self) -> &Arc<dyn KeyValue> {
        &self.store
    }

    fn run<T>(&self, operation: &'static str, f: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::setup(
                "the blocking API was called from inside an async runtime; use the async KeyValue API there",
            )
            .with_operation(operation));
        }
        self.runtime.block_on(f)
    }

    /// See [`KeyValue::get`].
    pub fn get(&self, collection: Option<&str>, key: &str) -> Result<Option<Object>> {
        self.run("get", self.store.get(collection, key))
    }
    /// See [`KeyValue::get_many`].
    pub fn get_many(&self, collection: Option<&str>, keys: &[&str]) -> Result<Vec<Option<Object>>> {
        self.run("get_many", self.store.get_many(collection, keys))
    }
    /// See [`KeyValue::ttl`].
    pub fn ttl(&self, collection: Option<&str>, key: &str) -> Result<Option<ValueWithTtl>> {
        self.run("ttl", self.store.ttl(collection, key))
    }
    /// See [`KeyValue::ttl_many`].
    pub fn ttl_many(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Option<ValueWithTtl>>> {
        self.run("ttl_many", self.store.ttl_many(collection, keys))
    }
    /// See [`KeyValue::put`].
    pub fn put(
        &self,
        collection: Option<&str>,
        key: &str,
        value: Object,
        ttl: Option<Duration>,
    ) -> Result<()> {
        self.run("put", self.store.put(collection, key, value, ttl))
    }
    /// See [`KeyValue::put_many`].
    pub fn put_many(
        &self,
        collection: Option<&str>,
        entries: Vec<(String, Object)>,
        ttl: Option<Duration>,
    ) -> Result<()> {
        self.run("put_many", self.store.put_many(collection, entries, ttl))
    }
    /// See [`KeyValue::delete`].
    pub fn delete(&self, collection: Option<&str>, key: &str) -> Result<bool> {
        self.run("delete", self.store.delete(collection, key))
    }
    /// See [`KeyValue::delete_many`].
    pub fn delete_many(&self, collection: Option<&str>, keys: &[&str]) -> Result<usize> {
        self.run("delete_many", self.store.delete_many(collection, keys))
    }
    /// See [`KeyValue::capabilities`].
    pub fn capabilities(&self) -> Capabilities {
        self.store.capabilities()
    }
    /// See [`KeyValue::keys`].
    pub fn keys(&self, collection: Option<&str>, limit: Option<usize>) -> Result<Vec<String>> {
        self.run("keys", self.store.keys(collection, limit))
    }
    /// See [`KeyValue::collections`].
    pub fn collections(&self, limit: Option<usize>) -> Result<Vec<String>> {
        self.run("collections", self.store.collections(limit))
    }
    /// See [`KeyValue::destroy`].
    pub fn destroy(&self) -> Result<bool> {
        self.run("destroy", self.store.destroy())
    }
    /// See [`KeyValue::destroy_collection`].
    pub fn destroy_collection(&self, collection: &str) -> Result<bool> {
        self.run(
            "destroy_collection",
            self.store.destroy_collection(collection),
        )
    }
    /// See [`KeyValue::cull`].
    pub fn cull(&self) -> Result<()> {
        self.run("cull", self.store.cull())
    }
    /// See [`KeyValue::put_if_absent`].
    pub fn put_if_absent(
        &self,
        collection: Option<&str>,
        key: &str,
        value: Object,
        ttl: Option<Duration>,
    ) -> Result<bool> {
        self.run(
            "put_if_absent",
            self.store.put_if_absent(collection, key, value, ttl),
        )
    }
    /// See [`KeyValue::close`].
    pub fn close(&self) -> Result<()> {
        self.run("close", self.store.close())
    }
}
