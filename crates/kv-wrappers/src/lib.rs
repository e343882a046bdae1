#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-wrappers
//!
//! Wrappers for [kv](kv_core) stores: each wrapper is a [`KeyValue`](kv_core::KeyValue) holding
//! another `KeyValue` (`S: KeyValue + ?Sized`: a concrete store or an `Arc<dyn KeyValue>`), so
//! wrappers stack. All 17 wrappers of py-key-value (payloads byte-compatible with its
//! `CompressionWrapper` and `FernetEncryptionWrapper`) plus [`Tracing`], [`ConcurrencyLimit`] and
//! (feature `metrics`) `Metrics`.
//!
//! Every wrapper forwards the optional operations (`keys`, `collections`, `destroy`,
//! `destroy_collection`, `cull`, `put_if_absent`) with the same key/collection transformation it
//! applies to the core operations, and reports [`capabilities`](kv_core::KeyValue::capabilities)
//! accordingly.
//!
//! Compose with constructors (`Retry::new(Timeout::new(store, d), policy)`) or, reading
//! inside-out, with [`KeyValueLayerExt::with`] and each wrapper's `layer(...)`:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! use std::time::Duration;
//! use kv_core::KeyValue;
//! use kv_wrappers::{KeyValueLayerExt, Retry, RetryPolicy, Statistics, Timeout};
//!
//! let store = kv_store_memory::MemoryStore::new()
//!     .with(Timeout::layer(Duration::from_secs(2)))
//!     .with(Retry::layer(RetryPolicy::default()))
//!     .with(Statistics::layer());
//! store.get(Some("users"), "alice").await?;
//! assert_eq!(store.statistics().collection("users").get.miss, 1);
//! # Ok(()) }
//! ```

#[cfg(any(feature = "compression", feature = "encryption"))]
mod compact;
#[cfg(feature = "compression")]
mod compression;
mod concurrency_limit;
mod default_value;
#[cfg(feature = "encryption")]
pub mod encryption;
mod fallback;
mod intercept;
mod layer;
mod limit_size;
mod logging;
#[cfg(feature = "metrics")]
mod metered;
mod names;
mod passthrough_cache;
mod prefix_collections;
mod prefix_keys;
mod read_only;
mod retry;
mod routing;
mod single_collection;
mod statistics;
mod timeout;
mod trace;
mod ttl_clamp;
mod value_codec;

#[cfg(feature = "compression")]
pub use compression::{Compression, CompressionCodec, DEFAULT_MIN_SIZE_TO_COMPRESS};
pub use concurrency_limit::{ConcurrencyLimit, ConcurrencyPolicy};
pub use default_value::DefaultValue;
#[cfg(feature = "encryption")]
pub use encryption::{Encryption, EncryptionCodec, EncryptionScheme, Fernet, FernetKey};
pub use fallback::Fallback;
pub use intercept::{
    BoxFuture, Call, CallKeys, Intercepted, Interceptor, Operation, Outcome, OutcomeSummary,
};
pub use layer::{KeyValueLayerExt, Layer};
pub use limit_size::LimitSize;
pub use logging::Logging;
#[cfg(feature = "metrics")]
pub use metered::{Metrics, MetricsPolicy};
pub use names::DEFAULT_COLLECTION;
pub use passthrough_cache::PassthroughCache;
pub use prefix_collections::PrefixCollections;
pub use prefix_keys::PrefixKeys;
pub use read_only::ReadOnly;
pub use retry::{Retry, RetryEvent, RetryPolicy};
pub use routing::{CollectionRouting, Routing};
pub use single_collection::SingleCollection;
pub use statistics::{
    CollectionStatistics, HitMissStatistics, PutStatistics, Statistics, StatisticsSnapshot,
};
pub use timeout::{Timeout, TimeoutPolicy, DEFAULT_TIMEOUT};
pub use trace::{Tracing, TracingPolicy};
pub use ttl_clamp::TtlClamp;
pub use value_codec::{ValueCodec, ValueCodecStore};
