//! Retry: exponential backoff with jitter for retryable errors.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kv_core::{async_trait, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl};

/// When and how long to retry.
///
/// After failed attempt `i` (0-based), if `i < max_retries` and the error is retryable, the
/// wrapper sleeps [`delay(i)`](RetryPolicy::delay) = `min(initial_delay × base^i, max_delay)`,
/// reduced by a random fraction up to `jitter` (default 0.1: sleeps fall in `[0.9 d, d]`).
///
/// ```
/// use std::time::Duration;
/// use kv_wrappers::RetryPolicy;
/// let p = RetryPolicy::default().initial_delay(Duration::from_secs(1)).max_delay(Duration::from_secs(10));
/// assert_eq!(p.delay(0), Duration::from_secs(1));
/// assert_eq!(p.delay(3), Duration::from_secs(8));
/// assert_eq!(p.delay(4), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3).
    pub max_retries: u32,
    /// Delay after the first failure (default 100 ms).
    pub initial_delay: Duration,
    /// Upper bound of any delay (default 10 s).
    pub max_delay: Duration,
    /// Growth factor per attempt (default 2.0).
    pub exponential_base: f64,
    /// Fraction of each delay that is randomised away, in `[0, 1]` (default 0.1; 0 = none).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
            exponential_base: 2.0,
            jitter: 0.1,
        }
    }
}

impl RetryPolicy {
    /// Sets `max_retries`.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    /// Sets `initial_delay`.
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }
    /// Sets `max_delay`.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }
    /// Sets `exponential_base`.
    pub fn exponential_base(mut self, base: f64) -> Self {
        self.exponential_base = base;
        self
    }
    /// Sets `jitter` (clamped to `[0, 1]`).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// The delay after failed attempt `attempt` (0-based), before jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = self
            .exponential_base
            .powi(attempt.min(i32::MAX as u32) as i32);
        let secs = self.initial_delay.as_secs_f64() * factor;
        let max = self.max_delay.as_secs_f64();
        if !secs.is_finite() || secs >= max {
            self.max_delay
        } else {
            Duration::from_secs_f64(secs.max(0.0))
        }
    }

    /// [`delay`](Self::delay) with jitter applied.
    pub fn jittered_delay(&self, attempt: u32) -> Duration {
        let d = self.delay(attempt);
        if self.jitter <= 0.0 {
            return d;
        }
        d.mul_f64(1.0 - self.jitter * random_unit())
    }
}

/// A uniform number in `[0, 1)` from a per-process splitmix64 sequence (jitter needs no crypto).
fn random_unit() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut s = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    if s == 0 {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        STATE.store(seed, Ordering::Relaxed);
        s = seed;
    }
    let mut z = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// What the retry hook receives before each sleep.
#[derive(Debug)]
pub struct RetryEvent<'a> {
    /// The operation being retried.
    pub operation: &'static str,
    /// The failed attempt (0-based).
    pub attempt: u32,
    /// How long the wrapper sleeps before the next attempt.
    pub delay: Duration,
    /// The error of the failed attempt.
    pub error: &'a Error,
}

type RetryIf = Arc<dyn Fn(&Error) -> bool + Send + Sync>;
type OnRetry = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// Attempts every operation (capabilities included) up to `max_retries + 1` times, retrying only
/// errors accepted by `retry_if` (default [`Error::is_retryable`]); each retry emits a WARN
/// `tracing` event (target `kv::retry`) and calls the optional hook.
///
/// A retried `put_if_absent` whose first attempt wrote but reported a timeout returns `false`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::time::Duration;
/// use kv_core::KeyValue;
/// use kv_wrappers::{Retry, RetryPolicy};
///
/// let policy = RetryPolicy::default().max_retries(2).initial_delay(Duration::from_millis(10));
/// let store = Retry::new(kv_store_memory::MemoryStore::new(), policy)
///     .on_retry(|e| eprintln!("retrying {} after {:?}: {}", e.operation, e.delay, e.error));
/// store.get(None, "k").await?;
/// # Ok(()) }
/// ```
pub struct Retry<S: ?Sized> {
    policy: RetryPolicy,
    retry_if: RetryIf,
    on_retry: Option<OnRetry>,
    inner: S,
}

impl<S> Retry<S> {
    /// Wraps `inner` with `policy`, retrying [`retryable`](Error::is_retryable) errors.
    pub fn new(inner: S, policy: RetryPolicy) -> Self {
        Retry {
            policy,
            retry_if: Arc::new(Error::is_retryable),
            on_retry: None,
            inner,
        }
    }

    /// Replaces the retry predicate.
    pub fn retry_if(mut self, predicate: impl Fn(&Error) -> bool + Send + Sync + 'static) -> Self {
        self.retry_if = Arc::new(predicate);
        self
    }

    /// Calls `hook` before each retry sleep.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(policy: RetryPolicy) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner, policy)
    }
}

impl<S: ?Sized> Retry<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    async fn run<T, F, Fut>(&self, operation: &'static str, mut attempt_fn: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 0u32;
        loop {
            match attempt_fn().await {
                Ok(v) => return Ok(v),
                Err(error) => {
                    if attempt >= self.policy.max_retries || !(self.retry_if)(&error) {
                        return Err(error);
                    }
                    let delay = self.policy.jittered_delay(attempt);
                    tracing::warn!(
                        target: "kv::retry",
                        operation,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error.kind = error.kind().name(),
                        "retrying after error: {error}"
                    );
                    if let Some(hook) = &self.on_retry {
                        hook(&RetryEvent {
                            operation,
                            attempt,
                            delay,
                            error: &error,
                        });
                    }
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for Retry<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.run("get", || self.inner.get(c, k)).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.run("get_many", || self.inner.get_many(c, k)).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.run("ttl", || self.inner.ttl(c, k)).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.run("ttl_many", || self.inner.ttl_many(c, k)).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.run("put", || self.inner.put(c, k, v.clone(), t)).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        self.run("put_many", || self.inner.put_many(c, e.clone(), t))
            .await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.run("delete", || self.inner.delete(c, k)).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.run("delete_many", || self.inner.delete_many(c, k))
            .await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.run("keys", || self.inner.keys(c, l)).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.run("collections", || self.inner.collections(l)).await
    }
    async fn destroy(&self) -> Result<bool> {
        self.run("destroy", || self.inner.destroy()).await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        self.run("destroy_collection", || self.inner.destroy_collection(c))
            .await
    }
    async fn cull(&self) -> Result<()> {
        self.run("cull", || self.inner.cull()).await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        self.run("put_if_absent", || {
            self.inner.put_if_absent(c, k, v.clone(), t)
        })
        .await
    }
    async fn setup(&self) -> Result<()> {
        self.run("setup", || self.inner.setup()).await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
