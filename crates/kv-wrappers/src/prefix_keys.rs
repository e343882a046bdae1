//! PrefixKeys: every key becomes `"{prefix}__{key}"`.

use std::time::Duration;

use kv_core::{
    async_trait, effective_limit, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl,
};

/// Every key becomes `"{prefix}__{key}"`; the collection is unchanged.
///
/// `keys(c)` lists inner keys starting with `"{prefix}__"`, prefix stripped; `collections()` is
/// forwarded; `destroy_collection(c)` deletes the prefixed keys of `c` (via `keys` +
/// `delete_many`), `destroy()` does that in every inner collection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::sync::Arc;
/// use kv_core::{KeyValue, Object};
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::PrefixKeys;
///
/// let inner = Arc::new(MemoryStore::new());
/// let store = PrefixKeys::new(Arc::clone(&inner), "app");
/// store.put(Some("c"), "k", Object::new(), None).await?;
/// assert!(inner.get(Some("c"), "app__k").await?.is_some());
/// assert_eq!(store.keys(Some("c"), None).await?, vec!["k".to_string()]);
/// # Ok(()) }
/// ```
pub struct PrefixKeys<S: ?Sized> {
    prefix: String,
    inner: S,
}

impl<S> PrefixKeys<S> {
    /// Wraps `inner`, prefixing keys with `"{prefix}__"`.
    pub fn new(inner: S, prefix: impl Into<String>) -> Self {
        PrefixKeys {
            prefix: format!("{}__", prefix.into()),
            inner,
        }
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(prefix: impl Into<String>) -> impl FnOnce(S) -> Self {
        let prefix = prefix.into();
        move |inner| Self::new(inner, prefix)
    }
}

impl<S: KeyValue + ?Sized> PrefixKeys<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn key(&self, key: &str) -> String {
        let mut s = String::with_capacity(self.prefix.len() + key.len());
        s.push_str(&self.prefix);
        s.push_str(key);
        s
    }

    fn keys_of(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| self.key(k)).collect()
    }

    async fn delete_prefixed(&self, collection: &str) -> Result<bool> {
        let mut any = false;
        loop {
            let keys: Vec<String> = self
                .inner
                .keys(Some(collection), None)
                .await?
                .into_iter()
                .filter(|k| k.starts_with(&self.prefix))
                .collect();
            if keys.is_empty() {
                return Ok(any);
            }
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let deleted = self.inner.delete_many(Some(collection), &refs).await?;
            any |= deleted > 0;
            if deleted == 0 {
                return Ok(any);
            }
        }
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for PrefixKeys<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.inner.get(c, &self.key(k)).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let keys = self.keys_of(k);
        self.inner.get_many(c, &refs(&keys)).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.inner.ttl(c, &self.key(k)).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let keys = self.keys_of(k);
        self.inner.ttl_many(c, &refs(&keys)).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.inner.put(c, &self.key(k), v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let e = e.into_iter().map(|(k, v)| (self.key(&k), v)).collect();
        self.inner.put_many(c, e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.inner.delete(c, &self.key(k)).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        let keys = self.keys_of(k);
        self.inner.delete_many(c, &refs(&keys)).await
    }
    fn capabilities(&self) -> Capabilities {
        let inner = self.inner.capabilities();
        Capabilities {
            destroy_collection: inner.keys,
            destroy: inner.keys && inner.collections,
            ..inner
        }
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        let limit = effective_limit(l);
        let keys = self.inner.keys(c, None).await?;
        Ok(keys
            .into_iter()
            .filter_map(|k| k.strip_prefix(&self.prefix).map(str::to_owned))
            .take(limit)
            .collect())
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.collections(l).await
    }
    async fn destroy(&self) -> Result<bool> {
        if !self.capabilities().destroy {
            return Err(Error::unsupported("destroy"));
        }
        let mut any = false;
        for c in self.inner.collections(None).await? {
            any |= self.delete_prefixed(&c).await?;
        }
        Ok(any)
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        if !self.inner.capabilities().keys {
            return Err(Error::unsupported("destroy_collection"));
        }
        self.delete_prefixed(c).await
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
        self.inner.put_if_absent(c, &self.key(k), v, t).await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
