#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-elasticsearch
//!
//! [`ElasticsearchStore`]: the [kv](kv_core) key-value API on Elasticsearch or OpenSearch over
//! the official `elasticsearch` client (rustls), byte-compatible with Python's py-key-value
//! `ElasticsearchStore` and `OpenSearchStore`: a Python service and a Rust service can share
//! one cluster.
//!
//! - Layout: one index per collection, `lowercase(prefix + "-" + collection)`, created with the
//!   spec's mapping; document id = key; `_source` =
//!   `{"version": 1, "key", "collection", "value": {"flattened": …}, "created_at", "expires_at"}`.
//! - [`Dialect::Elasticsearch`] writes `value.flattened` (mapping type `flattened`);
//!   [`Dialect::OpenSearch`] writes `value.flat` (`flat_object`), py-key-value's
//!   `OpenSearchStore` layout. **The `flattened` dialect needs a real Elasticsearch**
//!   (Docker: `docker-compose.yml`); OpenSearch and the osmem stand-in reject that mapping
//!   type, so against them use the OpenSearch dialect.
//! - No native TTL: `expires_at` decides; expired documents are never returned and `cull()`
//!   deletes them by query.
//! - Batches: `_mget` and `_bulk`. Writes pass `refresh=true` per [`RefreshPolicy`].
//! - Errors: transport failures are `Connection`, deadlines `Timeout` (both retryable); the
//!   same store works again once the server is back.
//!
//! ```no_run
//! use kv_core::{KeyValue, KeyValueExt};
//! use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = ElasticsearchStore::builder()
//!     .url("http://127.0.0.1:9200")
//!     .index_prefix("kv_store")
//!     .dialect(Dialect::OpenSearch)
//!     .v1_sanitization()
//!     .build()?;
//! let mut value = kv_core::Object::new();
//! value.insert("name".into(), "Alice".into());
//! store.put(Some("users"), "alice", value, None).await?;
//! let keys = store.keys(Some("users"), None).await?;
//! # Ok(()) }
//! ```

mod backend;
mod config;
mod dialect;
mod document;
mod error;
mod http;
mod names;
mod store;

pub use backend::ElasticsearchBackend;
pub use config::{ElasticsearchStoreBuilder, DEFAULT_REQUEST_TIMEOUT};
pub use dialect::{Dialect, RefreshPolicy};
pub use elasticsearch;
pub use store::ElasticsearchStore;
