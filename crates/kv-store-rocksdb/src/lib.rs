#![deny(missing_docs)]
//! # kv-store-rocksdb
//!
//! [`RocksDBStore`]: a persistent [kv](https://docs.rs/kv-core) store in a RocksDB directory,
//! byte-compatible with py-key-value's `RocksDBStore` (which uses
//! [rocksdict](https://pypi.org/project/rocksdict/)), so a directory written by Python opens in
//! Rust and the other way round:
//!
//! - the database is opened with a comparator registered as `"rocksdict"` (RocksDB refuses a
//!   rocksdict directory under any other name) and `rocksdict-config.json` is written next to it;
//! - keys are `0x02` + UTF-8(`collection::key`), values `0x01` + the envelope JSON
//!   (see [`layout`]); values with other rocksdict type tags (pickles, numbers) read as
//!   `Deserialization` errors, never unpickled.
//!
//! All RocksDB work runs off the async executor ([`kv_core::blocking::run`]: in place after
//! `block_in_place` on a multi-thread runtime, on the blocking pool otherwise); `put_many`/`delete_many` use one
//! `WriteBatch`, `get_many` one `MultiGet`. Beyond the core operations the store offers `keys`,
//! `collections`, `destroy_collection` and `cull` (expired entries stay on disk until deleted or
//! culled: RocksDB has no native TTL here).
//!
//! ```
//! use kv_core::KeyValue;
//! use kv_store_rocksdb::RocksDBStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("kv-rocksdb-lib-doc-{}", std::process::id()));
//! let store = RocksDBStore::new(&dir);
//! let value = serde_json::json!({"hello": "world"}).as_object().unwrap().clone();
//! store.put(Some("greetings"), "en", value.clone(), Some(std::time::Duration::from_secs(60))).await?;
//! assert_eq!(store.get(Some("greetings"), "en").await?, Some(value));
//! store.close().await?;
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```

mod backend;
mod error;
pub mod layout;
mod open;
mod scan;
mod store;

pub use backend::RocksDBBackend;
pub use open::{open_rocksdict_db, rocksdict_options, SST_FORMAT_VERSION};
pub use store::{RocksDBStore, RocksDBStoreBuilder};

/// The `rust-rocksdb` crate this store is built on (open databases for
/// [`RocksDBStore::from_db`] with this exact version).
pub use rust_rocksdb;
