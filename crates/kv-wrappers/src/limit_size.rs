//! LimitSize: reject or skip values outside a size range.

use std::time::Duration;

use kv_core::codec::canonical::canonical_len;
use kv_core::{
    async_trait, Capabilities, Error, ErrorKind, KeyValue, Object, Result, ValueWithTtl,
};

/// Measures each written value as its canonical JSON length (`{"test": "value"}` = 17 bytes).
/// `size > max_size` is [`EntryTooLarge`](ErrorKind::EntryTooLarge) (or, non-raising, the entry
/// is silently skipped); `size < min_size` is [`EntryTooSmall`](ErrorKind::EntryTooSmall) when
/// raising (default: skipped). Reads pass through.
///
/// `put_many` checks every entry first: when raising, the first offender fails the call before
/// anything is written; otherwise offenders are dropped and the rest written (if any remain).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use kv_core::{ErrorKind, KeyValue};
/// use kv_wrappers::LimitSize;
/// use serde_json::json;
///
/// let store = LimitSize::new(kv_store_memory::MemoryStore::new()).max_size(Some(16));
/// let value = json!({"test": "value"}).as_object().unwrap().clone(); // 17 bytes
/// let err = store.put(None, "k", value, None).await.unwrap_err();
/// assert_eq!(err.kind(), &ErrorKind::EntryTooLarge { size: 17, max: 16 });
/// # }
/// ```
pub struct LimitSize<S: ?Sized> {
    min_size: Option<usize>,
    max_size: Option<usize>,
    raise_on_too_small: bool,
    raise_on_too_large: bool,
    inner: S,
}

impl<S> LimitSize<S> {
    /// Wraps `inner` with no limits (set them with [`max_size`](Self::max_size) / [`min_size`](Self::min_size)).
    pub fn new(inner: S) -> Self {
        LimitSize {
            min_size: None,
            max_size: None,
            raise_on_too_small: false,
            raise_on_too_large: true,
            inner,
        }
    }

    /// The largest allowed size in bytes.
    pub fn max_size(mut self, max: Option<usize>) -> Self {
        self.max_size = max;
        self
    }

    /// The smallest allowed size in bytes.
    pub fn min_size(mut self, min: Option<usize>) -> Self {
        self.min_size = min;
        self
    }

    /// Whether too small values raise (default `false`: skipped).
    pub fn raise_on_too_small(mut self, raise: bool) -> Self {
        self.raise_on_too_small = raise;
        self
    }

    /// Whether too large values raise (default `true`).
    pub fn raise_on_too_large(mut self, raise: bool) -> Self {
        self.raise_on_too_large = raise;
        self
    }

    /// A layer limiting values to `max_size` bytes (raising).
    pub fn layer(max_size: usize) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner).max_size(Some(max_size))
    }
}

impl<S: ?Sized> LimitSize<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// `Ok(true)` to write, `Ok(false)` to skip, or the error.
    fn check(&self, op: &'static str, c: Option<&str>, key: &str, value: &Object) -> Result<bool> {
        if self.min_size.is_none() && self.max_size.is_none() {
            return Ok(true);
        }
        let size = canonical_len(value);
        let kind = match (self.min_size, self.max_size) {
            (Some(min), _) if size < min => {
                if !self.raise_on_too_small {
                    return Ok(false);
                }
                ErrorKind::EntryTooSmall { size, min }
            }
            (_, Some(max)) if size > max => {
                if !self.raise_on_too_large {
                    return Ok(false);
                }
                ErrorKind::EntryTooLarge { size, max }
            }
            _ => return Ok(true),
        };
        Err(Error::new(kind, "value size is outside the allowed range")
            .with_operation(op)
            .with_collection(crate::names::or_default(c, "default"))
            .with_key(key))
    }
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for LimitSize<S> {
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
        if self.check("put", c, k, &v)? {
            self.inner.put(c, k, v, t).await?;
        }
        Ok(())
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let mut keep = Vec::with_capacity(e.len());
        for (k, v) in e {
            if self.check("put_many", c, &k, &v)? {
                keep.push((k, v));
            }
        }
        if keep.is_empty() {
            return Ok(());
        }
        self.inner.put_many(c, keep, t).await
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
        if !self.check("put_if_absent", c, k, &v)? {
            return Ok(false);
        }
        self.inner.put_if_absent(c, k, v, t).await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
