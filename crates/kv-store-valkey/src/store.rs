//! [`ValkeyStore`]: the public store type.

use fred::prelude::{Client, Pool};
use kv_core::{Result, Stability, Store};

use crate::backend::ValkeyBackend;
use crate::config::ValkeyStoreBuilder;

/// A key-value store on Valkey (standalone or cluster), byte-compatible with py-key-value's
/// `ValkeyStore` and `RedisStore`.
///
/// Entry `(C, K)` is the string `C::K` holding the JSON envelope; TTLs become native `PX`
/// expiries (milliseconds, never rounded down). `get_many` is one `MGET`, `put_many` one
/// `MSET` or one pipeline, `delete_many` one `DEL` — on a cluster one per hash slot, all in
/// one pipeline. Optional operations: `keys`, `destroy` (only keys in this library's layout,
/// or a flush with [`exclusive_database`](ValkeyStoreBuilder::exclusive_database)),
/// `destroy_collection`, `put_if_absent`. Stability: [`Stability::Stable`].
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_valkey::ValkeyStore;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = ValkeyStore::from_url("redis://127.0.0.1:6380/0")?;
/// let value = json!({"name": "Alice"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, Some(std::time::Duration::from_secs(60))).await?;
/// assert!(store.get(Some("users"), "alice").await?.is_some());
/// store.close().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ValkeyStore {
    pub(crate) inner: Store<ValkeyBackend>,
}

kv_core::delegate_key_value!(ValkeyStore, inner);

impl ValkeyStore {
    /// A builder: URL, fred config, or a user's client/pool; pool size, timeouts.
    pub fn builder() -> ValkeyStoreBuilder {
        ValkeyStoreBuilder::default()
    }

    /// A store for a fred URL: `redis://[user[:password]@]host[:port][/db]`, `valkey://…`,
    /// `rediss://…` (feature `tls`) or `redis-cluster://host:port?node=host:port…`.
    /// No I/O happens until the first operation.
    ///
    /// ```
    /// let store = kv_store_valkey::ValkeyStore::from_url("redis://localhost:6380/15")?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<ValkeyStore> {
        ValkeyStore::builder().url(url).build()
    }

    /// A store on the user's connected fred client, which the store never closes.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use kv_store_valkey::fred::prelude::*;
    /// let client = Builder::from_config(Config::from_url("redis://127.0.0.1:6380")?).build()?;
    /// client.init().await?;
    /// let store = kv_store_valkey::ValkeyStore::from_client(client.clone());
    /// # Ok(()) }
    /// ```
    pub fn from_client(client: Client) -> ValkeyStore {
        match ValkeyStore::builder().client(client).build() {
            Ok(store) => store,
            Err(_) => unreachable!("building on a user client cannot fail"),
        }
    }

    /// A store on the user's connected fred pool, which the store never closes.
    pub fn from_pool(pool: Pool) -> ValkeyStore {
        match ValkeyStore::builder().pool(pool).build() {
            Ok(store) => store,
            Err(_) => unreachable!("building on a user pool cannot fail"),
        }
    }

    /// The wire-format stability label (stable, like py-key-value's `ValkeyStore`).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }
}
