//! Timeout: every operation under a deadline.

use std::time::Duration;

use kv_core::{Error, ErrorKind, Result};

use crate::intercept::{BoxFuture, Call, Intercepted, Interceptor, Outcome};

/// The interceptor of [`Timeout`]: the deadline.
#[derive(Debug, Clone, Copy)]
pub struct TimeoutPolicy {
    timeout: Duration,
}

/// Runs every operation (capabilities, `setup` and `close` included) under
/// `tokio::time::timeout`; expiry is a retryable [`Timeout`](ErrorKind::Timeout) error. The
/// inner operation may have partly completed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::time::Duration;
/// use kv_core::KeyValue;
/// use kv_wrappers::Timeout;
///
/// let store = Timeout::new(kv_store_memory::MemoryStore::new(), Duration::from_secs(5));
/// assert_eq!(store.get(None, "k").await?, None);
/// # Ok(()) }
/// ```
pub type Timeout<S> = Intercepted<TimeoutPolicy, S>;

/// py-key-value's default timeout: 5 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

impl<S> Intercepted<TimeoutPolicy, S> {
    /// Wraps `inner`, failing operations that take longer than `timeout`.
    pub fn new(inner: S, timeout: Duration) -> Self {
        Intercepted::with_interceptor(inner, TimeoutPolicy { timeout })
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(timeout: Duration) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner, timeout)
    }
}

impl<S: ?Sized> Intercepted<TimeoutPolicy, S> {
    /// The configured deadline.
    pub fn timeout(&self) -> Duration {
        self.layer.timeout
    }
}

impl Interceptor for TimeoutPolicy {
    fn intercept<'a, T: Outcome + Send + 'a>(
        &'a self,
        call: Call<'a>,
        inner: BoxFuture<'a, Result<T>>,
    ) -> BoxFuture<'a, Result<T>> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, inner).await {
                Ok(result) => result,
                Err(_) => {
                    let mut err = Error::new(
                        ErrorKind::Timeout,
                        format!("operation did not finish within {:?}", self.timeout),
                    )
                    .with_operation(call.operation.name());
                    if let Some(c) = call.collection {
                        err = err.with_collection(c);
                    }
                    Err(err)
                }
            }
        })
    }
}
