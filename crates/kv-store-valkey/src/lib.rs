#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-valkey
//!
//! [`ValkeyStore`]: the [kv](kv_core) key-value API on Valkey (or Redis) through
//! [fred](https://docs.rs/fred), standalone or **cluster**, byte-compatible with Python's
//! py-key-value `ValkeyStore` and `RedisStore` (the layouts are identical).
//!
//! - Layout: key `collection::key`, value the JSON envelope.
//! - TTL: native `PX` milliseconds, `max(1, ceil(expires_at − now))`.
//! - Batches: `MGET`, `MSET` (or a pipeline of `SET … PX`), `DEL`; on a cluster split by hash
//!   slot into one command per slot, sent in one pipeline, results in the caller's order.
//! - `keys()`/`destroy()` scan every primary of a cluster.
//!
//! ```no_run
//! use kv_core::KeyValue;
//! use kv_store_valkey::ValkeyStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = ValkeyStore::from_url("redis://127.0.0.1:6380/0")?;
//! let mut value = kv_core::Object::new();
//! value.insert("name".into(), "Alice".into());
//! store.put(Some("users"), "alice", value, None).await?;
//! # Ok(()) }
//! ```

mod backend;
mod client;
mod config;
mod error;
mod layout;
mod store;

pub use backend::ValkeyBackend;
pub use config::{
    ValkeyStoreBuilder, DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_POOL_SIZE,
};
pub use fred;
pub use store::ValkeyStore;
