#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-memcached
//!
//! [`MemcachedStore`]: the [kv](kv_core) key-value API on memcached, over a bb8 pool of
//! async-memcached connections, byte-compatible with Python's py-key-value `MemcachedStore`:
//! a Python service and a Rust service can share one memcached.
//!
//! - Layout: key `collection::key` (or, with [`KeyStrategy::v1`], `H_` + SHA-256 for compound
//!   keys over 240 characters), value the JSON envelope, flags 0.
//! - TTL: exptime `max(1, ceil(remaining))` seconds; over 30 days the absolute Unix time
//!   (memcached's rule), so long TTLs work. The envelope's `expires_at` stays authoritative.
//! - One round trip per batch: `get k1 k2 …` for `get_many`, a pipeline of `set`s for `put_many`;
//!   `delete_many` is two (a read to count the live entries, then a pipeline of deletes).
//! - Keys memcached cannot store (over 250 bytes, whitespace, control characters) are
//!   `InvalidKey` before anything is sent.
//! - Errors: connection loss is `Connection`, deadlines are `Timeout` (both retryable); broken
//!   connections are discarded and the same store works again once the server is back.
//! - `destroy()` (`flush_all`) only with [`exclusive_server`](MemcachedStoreBuilder::exclusive_server).
//!
//! ```no_run
//! use kv_core::KeyValue;
//! use kv_store_memcached::MemcachedStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = MemcachedStore::builder().address("127.0.0.1:11211").v1_keys(true).build()?;
//! let mut value = kv_core::Object::new();
//! value.insert("name".into(), "Alice".into());
//! let forty_days = std::time::Duration::from_secs(40 * 86_400);
//! store.put(Some("users"), "alice", value, Some(forty_days)).await?;
//! assert!(store.get(Some("users"), "alice").await?.is_some());
//! # Ok(()) }
//! ```

mod backend;
mod config;
mod error;
mod layout;
mod pool;
mod store;

pub use async_memcached;
pub use backend::MemcachedBackend;
pub use config::{
    MemcachedStoreBuilder, DEFAULT_ADDRESS, DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_POOL_SIZE,
};
pub use layout::{exptime, KeyStrategy, MAX_ABSOLUTE_EXPTIME, MAX_KEY_BYTES, MAX_RELATIVE_EXPTIME};
pub use store::MemcachedStore;
