//! [`MongoDBStore`]: the public store type.

use kv_core::{Result, Stability, Store};
use mongodb::Client;

use crate::backend::MongoDBBackend;
use crate::config::MongoDBStoreBuilder;

/// A key-value store on MongoDB, byte-compatible with py-key-value's `MongoDBStore`.
///
/// Collection `C` is the MongoDB collection `C` (or its V1-sanitized name) of database
/// `kv-store-adapter`; entry `(C, K)` is the document
/// `{key: K, collection: C, version: 1, value: {object: <value>}, created_at: Date, expires_at: Date}`
/// (`expires_at` only with a TTL), found through an index on `key`; a TTL index on
/// `expires_at` lets the server remove expired documents, and reads never return them.
/// A write replaces the whole document, so overwriting a TTL entry without a TTL removes its
/// expiry. `get_many` is one `find` with `$in`, `put_many` one `update` command of upserts,
/// `delete_many` one `find` and one `deleteMany`. Optional operations: `keys`,
/// `destroy_collection` (drops the collection; it is re-created on next use).
/// Stability: [`Stability::Unstable`].
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_mongodb::MongoDBStore;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = MongoDBStore::from_url("mongodb://127.0.0.1:27017")?;
/// let value = json!({"name": "Alice"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, Some(std::time::Duration::from_secs(60))).await?;
/// assert!(store.get(Some("users"), "alice").await?.is_some());
/// store.close().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MongoDBStore {
    pub(crate) inner: Store<MongoDBBackend>,
}

kv_core::delegate_key_value!(MongoDBStore, inner);

impl MongoDBStore {
    /// A builder: URL or client, database, collection naming, `auto_create`, timeouts.
    pub fn builder() -> MongoDBStoreBuilder {
        MongoDBStoreBuilder::default()
    }

    /// A store for `url` with the default database and timeouts. No I/O happens until the
    /// first operation.
    ///
    /// ```
    /// let store = kv_store_mongodb::MongoDBStore::from_url("mongodb://localhost:27017")?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<MongoDBStore> {
        MongoDBStore::builder().url(url).build()
    }

    /// A store on the user's client, which the store never shuts down.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = mongodb::Client::with_uri_str("mongodb://127.0.0.1:27017").await?;
    /// let store = kv_store_mongodb::MongoDBStore::from_client(client.clone());
    /// # Ok(()) }
    /// ```
    pub fn from_client(client: Client) -> MongoDBStore {
        let builder = MongoDBStore::builder().client(client);
        match builder.build() {
            Ok(store) => store,
            Err(_) => unreachable!("building on a user client cannot fail"),
        }
    }

    /// The wire-format stability label (unstable, like py-key-value's `MongoDBStore`).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }

    /// The database holding the store's collections.
    pub fn db_name(&self) -> &str {
        self.inner.backend().db_name()
    }
}
