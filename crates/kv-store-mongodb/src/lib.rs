#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-mongodb
//!
//! [`MongoDBStore`]: the [kv](kv_core) key-value API on MongoDB with the official `mongodb`
//! driver (rustls TLS), byte-compatible with Python's py-key-value `MongoDBStore`: a Python
//! service and a Rust service can share one database.
//!
//! - Layout: one MongoDB collection per kv collection in database `kv-store-adapter`; entry
//!   `(C, K)` is the document `{key, collection, version: 1, value: {object: …}, created_at,
//!   expires_at}` with native BSON values and dates (milliseconds; `expires_at` rounded up).
//! - Setup: a missing collection is created with an index on `key` and a TTL index on
//!   `expires_at` (`expireAfterSeconds: 0`), unless `auto_create` is off.
//! - TTL: the server's TTL monitor removes expired documents eventually; reads check
//!   `expires_at` themselves, so an expired entry is never returned.
//! - Batches: `find` with `$in`, one `update` command of upserts, `deleteMany` with `$in`.
//! - Names: collection names MongoDB refuses are `InvalidKey` errors; with
//!   [`v1_collection_names`](MongoDBStoreBuilder::v1_collection_names) every name works.
//! - Errors: an unreachable server is `Connection` and deadlines are `Timeout` (both
//!   retryable); the same store works again once the server is back.
//!
//! ```no_run
//! use kv_core::{KeyValue, KeyValueExt};
//! use kv_store_mongodb::MongoDBStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = MongoDBStore::from_url("mongodb://127.0.0.1:27017")?;
//! let mut value = kv_core::Object::new();
//! value.insert("name".into(), "Alice".into());
//! store.put(Some("users"), "alice", value, None).await?;
//! let keys = store.keys(Some("users"), None).await?;
//! # Ok(()) }
//! ```

mod backend;
mod config;
mod document;
mod error;
mod indexes;
mod names;
mod store;

pub use backend::MongoDBBackend;
pub use config::{
    MongoDBStoreBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DB_NAME, DEFAULT_OPERATION_TIMEOUT,
    DEFAULT_SERVER_SELECTION_TIMEOUT, DEFAULT_URL,
};
pub use mongodb;
pub use names::{mongodb_v1_collection, MongoDBCollectionNames, MAX_NAMESPACE_BYTES};
pub use store::MongoDBStore;
