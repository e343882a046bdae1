#![deny(missing_docs)]
//! # kv
//!
//! One async key-value API over many backends, byte-compatible with Python's py-key-value.
//! This facade re-exports the core API, opens any compiled-in store from a URL, and offers a
//! [`blocking`] API for programs without an async runtime.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv::Result<()> {
//! let store = kv::open("memory://")?;
//! let value = serde_json::json!({"hello": "world"}).as_object().cloned().unwrap_or_default();
//! store.put(Some("greetings"), "en", value.clone(), None).await?;
//! assert_eq!(store.get(Some("greetings"), "en").await?, Some(value));
//! # Ok(()) }
//! ```
//!
//! Backends are cargo features (default: `memory`); [`open`] names the feature to enable when a
//! URL's scheme is compiled out. See [`SCHEMES`] for every scheme.

pub mod blocking;
mod open;

pub use kv_core::{
    async_trait, codec, effective_limit, sanitize, typed, Backend, Capabilities, Entry, Error,
    ErrorKind, KeyValue, KeyValueExt, Name, Object, Result, Seed, Shape, Stability, Store,
    Timestamp, TypedStore, ValueWithTtl, DEFAULT_COLLECTION,
};
pub use open::{open, Scheme, SCHEMES};

#[cfg(feature = "memory")]
pub use kv_store_memory as memory;

#[cfg(feature = "disk")]
pub use kv_store_disk as disk;

#[cfg(feature = "redis")]
pub use kv_store_redis as redis;

#[cfg(feature = "valkey")]
pub use kv_store_valkey as valkey;

#[cfg(feature = "dynamodb")]
pub use kv_store_dynamodb as dynamodb;
#[cfg(feature = "elasticsearch")]
pub use kv_store_elasticsearch as elasticsearch;
#[cfg(feature = "keyring")]
pub use kv_store_keyring as keyring;
#[cfg(feature = "memcached")]
pub use kv_store_memcached as memcached;
#[cfg(feature = "mongodb")]
pub use kv_store_mongodb as mongodb;
#[cfg(feature = "rocksdb")]
pub use kv_store_rocksdb as rocksdb;
#[cfg(feature = "vault")]
pub use kv_store_vault as vault;
#[cfg(all(feature = "windows-registry", windows))]
pub use kv_store_windows_registry as windows_registry;
