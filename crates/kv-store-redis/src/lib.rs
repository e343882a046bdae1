#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-redis
//!
//! [`RedisStore`]: the [kv](kv_core) key-value API on Redis, over a bb8 pool of redis-rs
//! multiplexed connections, byte-compatible with Python's py-key-value `RedisStore`: a Python
//! service and a Rust service can share one Redis database.
//!
//! - Layout: key `collection::key`, value the JSON envelope
//!   `{"collection", "created_at", "expires_at", "key", "value", "version": 1}`.
//! - TTL: native `PX` milliseconds, `max(1, ceil(expires_at − now))`; the envelope's
//!   `expires_at` stays authoritative on every read.
//! - One round trip per batch: `MGET`, `MSET` (or one pipeline of `SET … PX`), `DEL`.
//! - Errors: connection loss is `Connection` and timeouts are `Timeout` (both retryable); the
//!   same store works again once the server is back (broken connections are retired).
//!
//! ```no_run
//! use kv_core::{KeyValue, KeyValueExt};
//! use kv_store_redis::RedisStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = RedisStore::from_url("redis://127.0.0.1:6379/0")?;
//! let mut value = kv_core::Object::new();
//! value.insert("name".into(), "Alice".into());
//! store.put(Some("users"), "alice", value, None).await?;
//! let keys = store.keys(Some("users"), None).await?;
//! # Ok(()) }
//! ```

mod backend;
mod config;
mod error;
mod layout;
mod pool;
mod store;

pub use backend::RedisBackend;
pub use bb8;
pub use bb8_redis;
pub use config::{
    RedisStoreBuilder, DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_POOL_SIZE,
};
pub use redis;
pub use store::RedisStore;
