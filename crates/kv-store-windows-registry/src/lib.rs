#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-windows-registry
//!
//! `WindowsRegistryStore`: the [kv] key-value API in the Windows registry, byte-compatible
//! with py-key-value's `WindowsRegistryStore`.
//!
//! - Layout: hive `HKEY_CURRENT_USER` (or `HKEY_LOCAL_MACHINE`), key
//!   `Software\py-key-value\<collection>` (the path is configurable), value name = key, type
//!   `REG_SZ`, data = the JSON envelope. Optional `WindowsRegistryV1Collection` strategy.
//! - Registry limits (key name 255 characters, value name 16 383) are `InvalidKey`.
//! - Every registry call runs on a blocking thread.
//!
//! **Windows only.** On every other platform this crate compiles to an empty shell with no
//! items, so a workspace or a facade can depend on it unconditionally.
//!
//! ```ignore
//! use kv_core::KeyValue;
//! use kv_store_windows_registry::WindowsRegistryStore;
//!
//! let store = WindowsRegistryStore::builder().build()?;
//! store.put(Some("users"), "alice", value, None).await?;
//! ```
//!
//! [kv]: https://crates.io/crates/kv-core

#[cfg(windows)]
mod backend;
#[cfg(windows)]
mod store;

#[cfg(windows)]
pub use backend::{Hive, WindowsRegistryBackend, DEFAULT_REGISTRY_PATH};
#[cfg(windows)]
pub use store::{WindowsRegistryStore, WindowsRegistryStoreBuilder};
