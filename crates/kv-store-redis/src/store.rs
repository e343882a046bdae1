//! [`RedisStore`]: the public store type.

use bb8_redis::RedisConnectionManager;
use kv_core::{Result, Stability, Store};

use crate::backend::RedisBackend;
use crate::config::RedisStoreBuilder;

/// A key-value store on Redis, byte-compatible with py-key-value's `RedisStore`.
///
/// Entry `(C, K)` is the Redis string `C::K` holding the JSON envelope; TTLs become native
/// `PX` expiries (milliseconds, never rounded down). `get_many` is one `MGET`, `put_many` one
/// `MSET` or one pipeline, `delete_many` one `DEL`. Optional operations: `keys`, `destroy`
/// (only keys in this library's layout, or `FLUSHDB` with
/// [`exclusive_database`](RedisStoreBuilder::exclusive_database)), `destroy_collection`,
/// `put_if_absent`. Stability: [`Stability::Stable`].
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_redis::RedisStore;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = RedisStore::from_url("redis://127.0.0.1:6379/0")?;
/// let value = json!({"name": "Alice"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, Some(std::time::Duration::from_secs(60))).await?;
/// assert!(store.get(Some("users"), "alice").await?.is_some());
/// store.close().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RedisStore {
    pub(crate) inner: Store<RedisBackend>,
}

kv_core::delegate_key_value!(RedisStore, inner);

impl RedisStore {
    /// A builder: URL or host/port/db/credentials or a user's pool, pool size, timeouts.
    pub fn builder() -> RedisStoreBuilder {
        RedisStoreBuilder::default()
    }

    /// A store for `redis://[user[:password]@]host[:port][/db]` (or `rediss://` with the `tls`
    /// feature) with the default pool and timeouts. No I/O happens until the first operation.
    ///
    /// ```
    /// let store = kv_store_redis::RedisStore::from_url("redis://localhost:6379/15")?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<RedisStore> {
        RedisStore::builder().url(url).build()
    }

    /// A store on the user's bb8-redis pool, which the store never closes.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use bb8_redis::{bb8, RedisConnectionManager};
    /// let pool = bb8::Pool::builder()
    ///     .build(RedisConnectionManager::new("redis://127.0.0.1/0")?)
    ///     .await?;
    /// let store = kv_store_redis::RedisStore::from_pool(pool.clone());
    /// # Ok(()) }
    /// ```
    pub fn from_pool(pool: bb8::Pool<RedisConnectionManager>) -> RedisStore {
        let builder = RedisStore::builder().pool(pool);
        match builder.build() {
            Ok(store) => store,
            Err(_) => unreachable!("building on a user pool cannot fail"),
        }
    }

    /// The wire-format stability label (stable, like py-key-value's `RedisStore`).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }
}
