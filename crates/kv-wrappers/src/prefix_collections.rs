//! PrefixCollections: every collection becomes `"{prefix}__{collection}"`.

use std::time::Duration;

use kv_core::{
    async_trait, effective_limit, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl,
};

use crate::names::{or_default, DEFAULT_COLLECTION};

/// Every operation uses collection `"{prefix}__{c}"`, where `c` is the given collection or the
/// wrapper's `default_collection` (default `"default_collection"`) for `None`/`""`.
///
/// `collections()` lists the inner collections starting with `"{prefix}__"`, prefix stripped;
/// `destroy()` destroys each of them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::sync::Arc;
/// use kv_core::{KeyValue, Object};
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::PrefixCollections;
///
/// let inner = Arc::new(MemoryStore::new());
/// let store = PrefixCollections::new(Arc::clone(&inner), "tenant1");
/// store.put(None, "k", Object::new(), None).await?;
/// assert!(inner.get(Some("tenant1__default_collection"), "k").await?.is_some());
/// assert_eq!(store.collections(None).await?, vec!["default_collection".to_string()]);
/// # Ok(()) }
/// ```
pub struct PrefixCollections<S: ?Sized> {
    prefix: String,
    default_collection: String,
    inner: S,
}

impl<S> PrefixCollections<S> {
    /// Wraps `inner`, prefixing collections with `"{prefix}__"`.
    pub fn new(inner: S, prefix: impl Into<String>) -> Self {
        PrefixCollections {
            prefix: format!("{}__", prefix.into()),
            default_collection: DEFAULT_COLLECTION.to_owned(),
            inner,
        }
    }

    /// The collection used for `None` and `""` (before prefixing).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = name.into();
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(prefix: impl Into<String>) -> impl FnOnce(S) -> Self {
        let prefix = prefix.into();
        move |inner| Self::new(inner, prefix)
    }
}

impl<S: KeyValue + ?Sized> PrefixCollections<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn collection(&self, c: Option<&str>) -> String {
        let c = or_default(c, &self.default_collection);
        let mut s = String::with_capacity(self.prefix.len() + c.len());
        s.push_str(&self.prefix);
        s.push_str(c);
        s
    }

    async fn own_collections(&self) -> Result<Vec<String>> {
        Ok(self
            .inner
            .collections(None)
            .await?
            .into_iter()
            .filter(|c| c.starts_with(&self.prefix))
            .collect())
    }
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for PrefixCollections<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.inner.get(Some(&self.collection(c)), k).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.inner.get_many(Some(&self.collection(c)), k).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.inner.ttl(Some(&self.collection(c)), k).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.inner.ttl_many(Some(&self.collection(c)), k).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.inner.put(Some(&self.collection(c)), k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        self.inner.put_many(Some(&self.collection(c)), e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.inner.delete(Some(&self.collection(c)), k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.inner.delete_many(Some(&self.collection(c)), k).await
    }
    fn capabilities(&self) -> Capabilities {
        let inner = self.inner.capabilities();
        Capabilities {
            destroy: inner.collections && inner.destroy_collection,
            ..inner
        }
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.keys(Some(&self.collection(c)), l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        let limit = effective_limit(l);
        Ok(self
            .own_collections()
            .await?
            .into_iter()
            .map(|c| c[self.prefix.len()..].to_owned())
            .take(limit)
            .collect())
    }
    async fn destroy(&self) -> Result<bool> {
        if !self.capabilities().destroy {
            return Err(Error::unsupported("destroy"));
        }
        let mut any = false;
        for c in self.own_collections().await? {
            any |= self.inner.destroy_collection(&c).await?;
        }
        Ok(any)
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        self.inner
            .destroy_collection(&self.collection(Some(c)))
            .await
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
        self.inner
            .put_if_absent(Some(&self.collection(c)), k, v, t)
            .await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
