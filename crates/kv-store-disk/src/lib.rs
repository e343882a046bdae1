#![deny(missing_docs)]
//! # kv-store-disk
//!
//! Local persistent stores for [kv](https://docs.rs/kv-core), in the exact
//! [python-diskcache](https://pypi.org/project/diskcache/) 5.6.3 layout that py-key-value's
//! disk stores use, so Rust and Python processes can share one directory:
//!
//! - [`DiskStore`]: one cache directory (`cache.db` + `.val` files) for all collections,
//!   rows keyed `collection::key`.
//! - [`MultiDiskStore`]: one cache directory per collection under a base directory.
//!
//! SQLite (bundled) runs in WAL mode with `synchronous = NORMAL` and a 60 s busy timeout, like
//! diskcache; all database and file work runs off the async executor
//! ([`kv_core::blocking::run`]). Values are never
//! pickled: rows written by Python with other value kinds read as `Deserialization` errors.
//!
//! ```
//! use kv_core::KeyValue;
//! use kv_store_disk::DiskStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("kv-disk-lib-doc-{}", std::process::id()));
//! let store = DiskStore::new(&dir);
//! let value = serde_json::json!({"hello": "world"}).as_object().unwrap().clone();
//! store.put(None, "greeting", value.clone(), Some(std::time::Duration::from_secs(60))).await?;
//! assert_eq!(store.get(None, "greeting").await?, Some(value));
//! # store.close().await?; std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```

mod cache;
mod disk;
mod error;
mod multi_disk;
mod naming;
mod rows;
mod settings;

pub use cache::DB_NAME;
pub use disk::{DiskBackend, DiskStore, DiskStoreBuilder};
pub use multi_disk::{MultiDiskBackend, MultiDiskStore, MultiDiskStoreBuilder};
pub use naming::{directory_name, sanitize_filename};
pub use rows::{MODE_RAW, MODE_TEXT};
pub use settings::EvictionPolicy;
