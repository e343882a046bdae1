//! Metrics: counters and latency histograms through the `metrics` facade.

use std::time::Instant;

use kv_core::Result;

use crate::intercept::{BoxFuture, Call, Intercepted, Interceptor, Outcome};
use crate::names::{or_default, DEFAULT_COLLECTION};

/// The interceptor of [`Metrics`].
#[derive(Debug, Clone)]
pub struct MetricsPolicy {
    collection_label: bool,
}

/// Exports, through the [`metrics`] facade (install any recorder, e.g. Prometheus):
///
/// - `kv_operations_total{operation, collection, outcome}` (counter; `outcome` = `ok`/`error`),
/// - `kv_operation_duration_seconds{operation}` (histogram),
/// - `kv_hits_total` / `kv_misses_total{operation, collection}` for reads.
///
/// The `collection` label can be turned off for stores with unbounded collection names
/// ([`collection_label(false)`](Intercepted::collection_label) → `"*"`). This is a separate
/// wrapper; [`Statistics`](crate::Statistics) keeps in-process counters with snapshots.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use kv_core::KeyValue;
/// use kv_wrappers::Metrics;
///
/// let store = Metrics::new(kv_store_memory::MemoryStore::new());
/// store.get(Some("users"), "alice").await?; // kv_operations_total{operation="get",...} += 1
/// # Ok(()) }
/// ```
pub type Metrics<S> = Intercepted<MetricsPolicy, S>;

impl<S> Intercepted<MetricsPolicy, S> {
    /// Wraps `inner`, labelling by collection.
    pub fn new(inner: S) -> Self {
        Intercepted::with_interceptor(
            inner,
            MetricsPolicy {
                collection_label: true,
            },
        )
    }

    /// Whether the `collection` label carries the collection name (default `true`).
    pub fn collection_label(mut self, enabled: bool) -> Self {
        self.layer.collection_label = enabled;
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer() -> impl FnOnce(S) -> Self {
        Self::new
    }
}

impl Interceptor for MetricsPolicy {
    fn intercept<'a, T: Outcome + Send + 'a>(
        &'a self,
        call: Call<'a>,
        inner: BoxFuture<'a, Result<T>>,
    ) -> BoxFuture<'a, Result<T>> {
        Box::pin(async move {
            let start = Instant::now();
            let result = inner.await;
            let op = call.operation.name();
            let collection = if self.collection_label {
                or_default(call.collection, DEFAULT_COLLECTION).to_owned()
            } else {
                "*".to_owned()
            };
            let outcome = if result.is_ok() { "ok" } else { "error" };
            metrics::histogram!("kv_operation_duration_seconds", "operation" => op)
                .record(start.elapsed().as_secs_f64());
            metrics::counter!("kv_operations_total", "operation" => op, "collection" => collection.clone(), "outcome" => outcome)
                .increment(1);
            if let Ok(v) = &result {
                let s = v.summary();
                if let (Some(h), Some(m)) = (s.hits, s.misses) {
                    metrics::counter!("kv_hits_total", "operation" => op, "collection" => collection.clone())
                        .increment(h as u64);
                    metrics::counter!("kv_misses_total", "operation" => op, "collection" => collection)
                        .increment(m as u64);
                }
            }
            result
        })
    }
}
