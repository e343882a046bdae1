#![deny(missing_docs)]
//! # kv-store-memory
//!
//! In-memory stores for [kv](https://docs.rs/kv-core):
//!
//! - [`MemoryStore`]: collections in process memory, optionally bounded per collection (LRU),
//!   every optional operation (keys, collections, destroy, cull, atomic `put_if_absent`).
//! - [`SimpleStore`]: one FIFO-bounded map, for tests.
//! - [`NullStore`]: keeps nothing.
//!
//! ```
//! use kv_core::KeyValue;
//! use kv_store_memory::MemoryStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = MemoryStore::new();
//! let value = serde_json::json!({"hello": "world"}).as_object().unwrap().clone();
//! store.put(None, "greeting", value.clone(), None).await?;
//! assert_eq!(store.get(None, "greeting").await?, Some(value));
//! # Ok(()) }
//! ```

mod memory;
mod null;
mod simple;
mod slot;
mod table;

pub use memory::{MemoryBackend, MemoryStore, MemoryStoreBuilder};
pub use null::{NullBackend, NullStore};
pub use simple::{SimpleBackend, SimpleStore};
