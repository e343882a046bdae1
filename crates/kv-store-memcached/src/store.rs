//! [`MemcachedStore`]: the public store type.

use kv_core::{Result, Stability, Store};

use crate::backend::MemcachedBackend;
use crate::config::MemcachedStoreBuilder;
use crate::layout::KeyStrategy;

/// A key-value store on memcached, byte-compatible with py-key-value's `MemcachedStore`.
///
/// Entry `(C, K)` is the memcached item `C::K` (optionally hashed by the
/// [`MemcachedV1`](KeyStrategy::v1) strategy) holding the JSON envelope with flags 0; TTLs
/// become native exptimes (whole seconds rounded up, absolute Unix time beyond 30 days).
/// `get_many` is one multi-key `get`, `put_many` one pipeline of `set`s, `delete_many` a read
/// and one pipeline of deletes. Optional operations:
/// `put_if_absent` (`add`, then `cas` over an expired entry) and, only with
/// [`exclusive_server`](MemcachedStoreBuilder::exclusive_server), `destroy` (`flush_all`).
/// Stability: [`Stability::Unstable`] (as in py-key-value).
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_memcached::MemcachedStore;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = MemcachedStore::new("127.0.0.1:11211")?;
/// let value = json!({"name": "Alice"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, Some(std::time::Duration::from_secs(60))).await?;
/// assert!(store.get(Some("users"), "alice").await?.is_some());
/// store.close().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MemcachedStore {
    pub(crate) inner: Store<MemcachedBackend>,
}

kv_core::delegate_key_value!(MemcachedStore, inner);

impl MemcachedStore {
    /// A builder: address, pool size, timeouts, key strategy, exclusive server, default collection.
    pub fn builder() -> MemcachedStoreBuilder {
        MemcachedStoreBuilder::default()
    }

    /// A store on `host:port` with the defaults (plain keys, pool of 16, 5 s timeouts).
    /// No I/O happens until the first operation.
    ///
    /// ```
    /// let store = kv_store_memcached::MemcachedStore::new("127.0.0.1:11211")?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn new(address: &str) -> Result<MemcachedStore> {
        MemcachedStore::builder().address(address).build()
    }

    /// The wire-format stability label (unstable, like py-key-value's `MemcachedStore`).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }

    /// The key strategy in use.
    pub fn key_strategy(&self) -> KeyStrategy {
        self.inner.backend().keys
    }
}
