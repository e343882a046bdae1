//! DefaultValue: missing entries read as a default value.

use std::time::Duration;

use kv_core::{async_trait, Capabilities, KeyValue, Object, Result, ValueWithTtl};

/// `get`/`get_many` return a fresh copy of `default_value` for missing entries; `ttl`/`ttl_many`
/// return `(default_value, default_ttl)`. Writes, deletes and capabilities pass through; the
/// default is never written (`keys()` lists only stored keys).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use kv_core::KeyValue;
/// use kv_wrappers::DefaultValue;
/// use serde_json::json;
///
/// let default = json!({"theme": "light"}).as_object().unwrap().clone();
/// let store = DefaultValue::new(kv_store_memory::MemoryStore::new(), default.clone());
/// assert_eq!(store.get(Some("settings"), "alice").await?, Some(default));
/// # Ok(()) }
/// ```
pub struct DefaultValue<S: ?Sized> {
    default_value: Object,
    default_ttl: Option<Duration>,
    inner: S,
}

impl<S> DefaultValue<S> {
    /// Wraps `inner` with `default_value` and no default TTL.
    pub fn new(inner: S, default_value: Object) -> Self {
        DefaultValue {
            default_value,
            default_ttl: None,
            inner,
        }
    }

    /// The TTL reported by `ttl()` for defaults.
    pub fn default_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.default_ttl = ttl;
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(default_value: Object) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner, default_value)
    }
}

impl<S: ?Sized> DefaultValue<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn default_with_ttl(&self) -> ValueWithTtl {
        (self.default_value.clone(), self.default_ttl)
    }
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for DefaultValue<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        Ok(Some(
            self.inner
                .get(c, k)
                .await?
                .unwrap_or_else(|| self.default_value.clone()),
        ))
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let values = self.inner.get_many(c, k).await?;
        Ok(values
            .into_iter()
            .map(|v| Some(v.unwrap_or_else(|| self.default_value.clone())))
            .collect())
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        Ok(Some(
            self.inner
                .ttl(c, k)
                .await?
                .unwrap_or_else(|| self.default_with_ttl()),
        ))
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let values = self.inner.ttl_many(c, k).await?;
        Ok(values
            .into_iter()
            .map(|v| Some(v.unwrap_or_else(|| self.default_with_ttl())))
            .collect())
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.inner.put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
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
        self.inner.put_if_absent(c, k, v, t).await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
