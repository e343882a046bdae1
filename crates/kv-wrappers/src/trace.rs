//! Tracing: one `tracing` span per operation.

use kv_core::Result;
use tracing::field::Empty;
use tracing::Instrument;

use crate::intercept::{BoxFuture, Call, CallKeys, Intercepted, Interceptor, Operation, Outcome};

/// The interceptor of [`Tracing`]: the backend label and whether keys are recorded.
#[derive(Debug, Clone)]
pub struct TracingPolicy {
    backend: &'static str,
    record_keys: bool,
}

/// One INFO `tracing` span per operation, named `kv.get`, `kv.put_many`, `kv.keys`, ...
///
/// Fields: `backend`, `operation`, `collection`, `key` (single-key operations) or `key_count` and
/// `keys` (the first 5, batches), and on completion `outcome` (`"ok"`/`"error"`), `hit`, `hits`,
/// `misses`, `deleted`, `ttl_ms`, `error.kind`. Values are never recorded; keys are not recorded
/// with [`record_keys(false)`](Intercepted::record_keys).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use kv_core::KeyValue;
/// use kv_wrappers::Tracing;
///
/// let store = Tracing::new(kv_store_memory::MemoryStore::new()).backend("memory");
/// store.get(Some("users"), "alice").await?; // span kv.get{backend="memory" ... hit=false}
/// # Ok(()) }
/// ```
pub type Tracing<S> = Intercepted<TracingPolicy, S>;

impl<S> Intercepted<TracingPolicy, S> {
    /// Wraps `inner`; the `backend` field is `"kv"` until set with [`backend`](Self::backend).
    pub fn new(inner: S) -> Self {
        Intercepted::with_interceptor(
            inner,
            TracingPolicy {
                backend: "kv",
                record_keys: true,
            },
        )
    }

    /// Sets the `backend` field of every span.
    pub fn backend(mut self, backend: &'static str) -> Self {
        self.layer.backend = backend;
        self
    }

    /// Whether keys are recorded (default `true`).
    pub fn record_keys(mut self, record: bool) -> Self {
        self.layer.record_keys = record;
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(backend: &'static str) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner).backend(backend)
    }
}

macro_rules! op_span {
    ($op:expr, $backend:expr, $($name:ident => $text:literal),* $(,)?) => {
        match $op {
            $(Operation::$name => tracing::info_span!(
                $text,
                backend = $backend,
                operation = Operation::$name.name(),
                collection = Empty,
                key = Empty,
                key_count = Empty,
                keys = Empty,
                outcome = Empty,
                hit = Empty,
                hits = Empty,
                misses = Empty,
                deleted = Empty,
                ttl_ms = Empty,
                "error.kind" = Empty,
            ),)*
        }
    };
}

fn span_for(op: Operation, backend: &'static str) -> tracing::Span {
    op_span!(op, backend,
        Get => "kv.get", GetMany => "kv.get_many", Ttl => "kv.ttl", TtlMany => "kv.ttl_many",
        Put => "kv.put", PutMany => "kv.put_many", Delete => "kv.delete",
        DeleteMany => "kv.delete_many", Keys => "kv.keys", Collections => "kv.collections",
        Destroy => "kv.destroy", DestroyCollection => "kv.destroy_collection", Cull => "kv.cull",
        PutIfAbsent => "kv.put_if_absent", Setup => "kv.setup", Close => "kv.close",
    )
}

impl Interceptor for TracingPolicy {
    fn intercept<'a, T: Outcome + Send + 'a>(
        &'a self,
        call: Call<'a>,
        inner: BoxFuture<'a, Result<T>>,
    ) -> BoxFuture<'a, Result<T>> {
        let span = span_for(call.operation, self.backend);
        if span.is_disabled() {
            return inner;
        }
        span.record(
            "collection",
            call.collection.unwrap_or("default_collection"),
        );
        match &call.keys {
            CallKeys::None => {}
            CallKeys::One(k) => {
                if self.record_keys {
                    span.record("key", *k);
                }
            }
            batch => {
                span.record("key_count", batch.count());
                if self.record_keys {
                    span.record("keys", tracing::field::debug(batch.first(5)));
                }
            }
        }
        let span2 = span.clone();
        Box::pin(
            async move {
                let result = inner.await;
                match &result {
                    Ok(v) => {
                        let s = v.summary();
                        span2.record("outcome", "ok");
                        if matches!(call.operation, Operation::Get | Operation::Ttl) {
                            span2.record("hit", s.hits == Some(1));
                        } else if let (Some(h), Some(m)) = (s.hits, s.misses) {
                            span2.record("hits", h);
                            span2.record("misses", m);
                        }
                        if let Some(d) = s.deleted {
                            span2.record("deleted", d);
                        }
                        if let Some(Some(ttl)) = s.ttl {
                            span2.record("ttl_ms", ttl.as_millis() as u64);
                        }
                    }
                    Err(e) => {
                        span2.record("outcome", "error");
                        span2.record("error.kind", e.kind().name());
                    }
                }
                result
            }
            .instrument(span),
        )
    }

    fn wants_keys(&self) -> bool {
        self.record_keys
    }
}
