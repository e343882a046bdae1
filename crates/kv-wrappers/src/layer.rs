//! Composition: `store.with(layer)` so a stack reads outside-in in one expression.

/// Something that wraps a store: every wrapper's `layer(...)` constructor returns one, and any
/// `FnOnce(S) -> W` closure is one too.
pub trait Layer<S> {
    /// The wrapped store.
    type Output;
    /// Wraps `inner`.
    fn layer(self, inner: S) -> Self::Output;
}

impl<S, W, F: FnOnce(S) -> W> Layer<S> for F {
    type Output = W;
    fn layer(self, inner: S) -> W {
        self(inner)
    }
}

/// `store.with(layer)`: wraps any store (or already wrapped store).
///
/// Layers apply inside-out: the last `with` is the outermost wrapper, the first to see a call.
///
/// ```
/// use std::time::Duration;
/// use kv_wrappers::{KeyValueLayerExt, Retry, RetryPolicy, Statistics, Timeout};
/// use kv_store_memory::MemoryStore;
///
/// let store = MemoryStore::new()
///     .with(Timeout::layer(Duration::from_secs(2)))
///     .with(Retry::layer(RetryPolicy::default()))
///     .with(Statistics::layer());
/// // = Statistics::new(Retry::new(Timeout::new(MemoryStore::new(), 2 s), policy))
/// # let _ = store.statistics();
/// ```
pub trait KeyValueLayerExt: Sized {
    /// Wraps `self` with `layer`.
    fn with<L: Layer<Self>>(self, layer: L) -> L::Output {
        layer.layer(self)
    }
}

impl<T: kv_core::KeyValue> KeyValueLayerExt for T {}
