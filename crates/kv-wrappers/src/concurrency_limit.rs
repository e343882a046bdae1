//! ConcurrencyLimit: at most `max_in_flight` operations at a time.

use std::time::Duration;

use kv_core::{Error, ErrorKind, Result};
use tokio::sync::Semaphore;

use crate::intercept::{BoxFuture, Call, Intercepted, Interceptor, Outcome};

/// The interceptor of [`ConcurrencyLimit`]: a semaphore and an optional acquire deadline.
#[derive(Debug)]
pub struct ConcurrencyPolicy {
    semaphore: Semaphore,
    max_in_flight: usize,
    acquire_timeout: Option<Duration>,
}

/// Every operation holds a permit of a `tokio::sync::Semaphore` with `max_in_flight` permits;
/// waiting longer than `acquire_timeout` for one is a [`Timeout`](ErrorKind::Timeout) error.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::time::Duration;
/// use kv_core::KeyValue;
/// use kv_wrappers::ConcurrencyLimit;
///
/// let store = ConcurrencyLimit::new(kv_store_memory::MemoryStore::new(), 16)
///     .with_acquire_timeout(Duration::from_millis(50));
/// assert_eq!(store.available_permits(), 16);
/// store.get(None, "k").await?;
/// # Ok(()) }
/// ```
pub type ConcurrencyLimit<S> = Intercepted<ConcurrencyPolicy, S>;

impl<S> Intercepted<ConcurrencyPolicy, S> {
    /// Wraps `inner` allowing `max_in_flight` concurrent operations (at least 1), waiting forever.
    pub fn new(inner: S, max_in_flight: usize) -> Self {
        let max_in_flight = max_in_flight.max(1);
        Intercepted::with_interceptor(
            inner,
            ConcurrencyPolicy {
                semaphore: Semaphore::new(max_in_flight),
                max_in_flight,
                acquire_timeout: None,
            },
        )
    }

    /// Fails with `Timeout` when no permit is free within `timeout`.
    pub fn with_acquire_timeout(mut self, timeout: Duration) -> Self {
        self.layer.acquire_timeout = Some(timeout);
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(
        max_in_flight: usize,
        acquire_timeout: Option<Duration>,
    ) -> impl FnOnce(S) -> Self {
        move |inner| {
            let w = Self::new(inner, max_in_flight);
            match acquire_timeout {
                Some(t) => w.with_acquire_timeout(t),
                None => w,
            }
        }
    }
}

impl<S: ?Sized> Intercepted<ConcurrencyPolicy, S> {
    /// Permits free right now.
    pub fn available_permits(&self) -> usize {
        self.layer.semaphore.available_permits()
    }

    /// The configured maximum.
    pub fn max_in_flight(&self) -> usize {
        self.layer.max_in_flight
    }
}

impl Interceptor for ConcurrencyPolicy {
    fn intercept<'a, T: Outcome + Send + 'a>(
        &'a self,
        call: Call<'a>,
        inner: BoxFuture<'a, Result<T>>,
    ) -> BoxFuture<'a, Result<T>> {
        Box::pin(async move {
            let acquire = self.semaphore.acquire();
            let permit = match self.acquire_timeout {
                None => acquire.await,
                Some(t) => match tokio::time::timeout(t, acquire).await {
                    Ok(p) => p,
                    Err(_) => {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!("no concurrency permit free within {t:?}"),
                        )
                        .with_operation(call.operation.name()))
                    }
                },
            };
            let _permit = permit.map_err(|_| Error::setup("concurrency limiter closed"))?;
            inner.await
        })
    }
}
