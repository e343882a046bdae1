#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-core
//!
//! The contract of **kv**: one async key-value API over many backends, byte-compatible with
//! Python's py-key-value.
//!
//! - [`KeyValue`]: the object-safe trait every store and wrapper implements (use it as
//!   `Arc<dyn KeyValue>`), with optional operations announced by [`Capabilities`].
//! - [`KeyValueExt`]: typed get/put and raise-on-missing conveniences.
//! - [`Backend`] + [`Store`]: implement a few raw entry operations, get a full store.
//! - [`codec`]: canonical JSON and the envelope, identical to py-key-value's bytes.
//! - [`sanitize`]: py-key-value's key/collection sanitization strategies.
//! - [`typed`]: the serde adapter ([`TypedStore`]).
//! - `conformance` (feature): the shared test suite every store runs with one macro line.
//!
//! ```
//! use kv_core::{KeyValue, Object};
//! # async fn demo(store: &dyn KeyValue) -> kv_core::Result<()> {
//! let mut value = Object::new();
//! value.insert("name".into(), "Alice".into());
//! store.put(Some("users"), "alice", value, None).await?;
//! let alice = store.get(Some("users"), "alice").await?;
//! # Ok(()) }
//! ```

mod backend;
#[cfg(feature = "blocking")]
pub mod blocking;
mod capabilities;
pub mod codec;
mod delegate;
mod entry;
mod error;
mod ext;
mod key_value;
pub mod sanitize;
mod store;
mod time;
pub mod typed;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use async_trait::async_trait;
pub use backend::{Backend, Name};
pub use capabilities::{effective_limit, Capabilities, MAX_LIST_LIMIT};
pub use codec::canonical::to_canonical_json;
pub use entry::Entry;
pub use error::{BoxError, Error, ErrorKind, Result};
pub use ext::KeyValueExt;
pub use key_value::{KeyValue, ValueWithTtl};
pub use store::{Seed, Store, DEFAULT_COLLECTION};
pub use time::Timestamp;
pub use typed::{Shape, TypedStore};

/// A stored value: a JSON object.
pub type Object = serde_json::Map<String, serde_json::Value>;

/// Whether a store's wire format and API follow semver (py-key-value's `stable_api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    /// Wire format and API follow semver.
    Stable,
    /// May change in a minor release.
    Unstable,
}

/// The compound `collection::key` name used by Redis, Valkey, Memcached, Disk, RocksDB, Vault and Keyring.
///
/// ```
/// assert_eq!(kv_core::compound_key("users", "alice"), "users::alice");
/// ```
pub fn compound_key(collection: &str, key: &str) -> String {
    let mut s = String::with_capacity(collection.len() + key.len() + 2);
    s.push_str(collection);
    s.push_str("::");
    s.push_str(key);
    s
}

/// Splits a compound `collection::key` at the first `::`.
///
/// ```
/// assert_eq!(kv_core::split_compound_key("a::b::c"), Some(("a", "b::c")));
/// ```
pub fn split_compound_key(compound: &str) -> Option<(&str, &str)> {
    compound.split_once("::")
}
