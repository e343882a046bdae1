#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-vault
//!
//! [`VaultStore`]: the [kv](kv_core) key-value API on the KV version 2 secrets engine of
//! HashiCorp Vault (or OpenBao), through [vaultrs], byte-compatible with Python's py-key-value
//! `VaultStore`: a Python service and a Rust service can share one mount.
//!
//! - Layout: secret `<mount>/collection::key` (a `/` nests paths as in py-key-value), data
//!   `{"value": "<JSON envelope>"}`; mount default `secret`.
//! - No native TTL: `expires_at` in the envelope decides, on every read.
//! - Authentication: a token or AppRole (re-login when the token expires). Credentials are
//!   [`Secret`]s: never in `Debug`, errors or logs.
//! - `delete` removes every version and the metadata; `keys` lists the collection (a 404 on
//!   the list is an empty collection); `put_if_absent` uses KV v2 check-and-set;
//!   `destroy_collection` deletes what the listing shows.
//! - Errors: unreachable server is `Connection`, a missed deadline `Timeout` (both retryable),
//!   503/5xx transient `Backend`, 403 `Setup`; the same store works again once the server is back.
//! - TLS: rustls with the ring provider (installed as the process default if the application
//!   has not installed one).
//!
//! ```no_run
//! use kv_core::{KeyValue, KeyValueExt};
//! use kv_store_vault::{Auth, VaultStore};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = VaultStore::builder()
//!     .address("http://127.0.0.1:8200")
//!     .auth(Auth::token("root"))
//!     .mount("secret")
//!     .build()?;
//! let mut value = kv_core::Object::new();
//! value.insert("name".into(), "Alice".into());
//! store.put(Some("users"), "alice", value, None).await?;
//! let keys = store.keys(Some("users"), None).await?;
//! # Ok(()) }
//! ```

mod auth;
mod backend;
mod client;
mod config;
mod error;
mod layout;
mod store;
mod tls;

pub use auth::{Auth, Secret};
pub use backend::VaultBackend;
pub use config::{
    VaultStoreBuilder, DEFAULT_ADDRESS, DEFAULT_CONCURRENCY, DEFAULT_MOUNT, DEFAULT_TIMEOUT,
};
pub use layout::MAX_PATH_BYTES;
pub use store::VaultStore;
pub use vaultrs;
