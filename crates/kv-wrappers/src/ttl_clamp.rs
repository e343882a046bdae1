//! TtlClamp: write TTLs clamped into `[min_ttl, max_ttl]`.

use std::time::Duration;

use kv_core::{
    async_trait, Capabilities, Error, ErrorKind, KeyValue, Object, Result, ValueWithTtl,
};

/// Clamps the TTL of `put`, `put_many` and `put_if_absent` into `[min_ttl, max_ttl]`; a missing
/// TTL becomes `missing_ttl` (which may stay `None`); a zero TTL is
/// [`InvalidTtl`](ErrorKind::InvalidTtl). Reads are untouched.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::time::Duration;
/// use kv_core::{KeyValue, Object};
/// use kv_wrappers::TtlClamp;
///
/// let store = TtlClamp::new(kv_store_memory::MemoryStore::new(),
///     Duration::from_secs(50), Duration::from_secs(100))?;
/// store.put(None, "k", Object::new(), Some(Duration::from_secs(5))).await?;
/// let (_, ttl) = store.ttl(None, "k").await?.unwrap();
/// assert!(ttl.unwrap() > Duration::from_secs(49));
/// # Ok(()) }
/// ```
pub struct TtlClamp<S: ?Sized> {
    min_ttl: Duration,
    max_ttl: Duration,
    missing_ttl: Option<Duration>,
    inner: S,
}

impl<S> TtlClamp<S> {
    /// Wraps `inner`; `min_ttl > max_ttl` is a [`Setup`](ErrorKind::Setup) error.
    pub fn new(inner: S, min_ttl: Duration, max_ttl: Duration) -> Result<Self> {
        if min_ttl > max_ttl {
            return Err(Error::setup(format!(
                "min_ttl {min_ttl:?} is greater than max_ttl {max_ttl:?}"
            )));
        }
        Ok(TtlClamp {
            min_ttl,
            max_ttl,
            missing_ttl: None,
            inner,
        })
    }

    /// The TTL written for entries put without one (default: none, they never expire).
    pub fn missing_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.missing_ttl = ttl;
        self
    }
}

impl<S: ?Sized> TtlClamp<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The TTL this wrapper writes for a requested `ttl`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let s = |n| Duration::from_secs(n);
    /// let w = kv_wrappers::TtlClamp::new((), s(10), s(100)).unwrap().missing_ttl(Some(s(50)));
    /// assert_eq!(w.clamp(Some(s(5))).unwrap(), Some(s(10)));
    /// assert_eq!(w.clamp(Some(s(1000))).unwrap(), Some(s(100)));
    /// assert_eq!(w.clamp(None).unwrap(), Some(s(50)));
    /// assert!(w.clamp(Some(Duration::ZERO)).is_err());
    /// ```
    pub fn clamp(&self, ttl: Option<Duration>) -> Result<Option<Duration>> {
        match ttl {
            None => Ok(self.missing_ttl),
            Some(t) if t.is_zero() => {
                Err(Error::new(ErrorKind::InvalidTtl, "ttl must be positive"))
            }
            Some(t) => Ok(Some(t.clamp(self.min_ttl, self.max_ttl))),
        }
    }
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for TtlClamp<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.inner.get(c, k).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.inner.get_many(c, k).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.inner.ttl(c, k).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.inner.ttl_many(c, k).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        let t = self
            .clamp(t)
            .map_err(|e| e.with_operation("put").with_key(k))?;
        self.inner.put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let t = self.clamp(t).map_err(|e| e.with_operation("put_many"))?;
        self.inner.put_many(c, e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.inner.delete(c, k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.inner.delete_many(c, k).await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.keys(c, l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.collections(l).await
    }
    async fn destroy(&self) -> Result<bool> {
        self.inner.destroy().await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        self.inner.destroy_collection(c).await
    }
    async fn cull(&self) -> Result<()> {
        self.inner.cull().await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        let t = self
            .clamp(t)
            .map_err(|e| e.with_operation("put_if_absent").with_key(k))?;
        self.inner.put_if_absent(c, k, v, t).await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
