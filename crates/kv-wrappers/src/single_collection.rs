//! SingleCollection: every collection folded into one, with `"{collection}__{key}"` keys.

use std::collections::BTreeSet;
use std::time::Duration;

use kv_core::{
    async_trait, effective_limit, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl,
};

use crate::names::{or_default, DEFAULT_COLLECTION};

/// Every operation goes to `single_collection` with key `"{c}{separator}{key}"` (`c` = the given
/// collection, or `default_collection` for `None`/`""`; separator `"__"` by default).
///
/// `keys(c)` strips `"{c}{separator}"`; `collections()` lists the distinct parts before the
/// first separator; `destroy()` destroys the single inner collection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::sync::Arc;
/// use kv_core::{KeyValue, Object};
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::SingleCollection;
///
/// let inner = Arc::new(MemoryStore::new());
/// let store = SingleCollection::new(Arc::clone(&inner), "all");
/// store.put(Some("users"), "alice", Object::new(), None).await?;
/// assert!(inner.get(Some("all"), "users__alice").await?.is_some());
/// assert_eq!(store.collections(None).await?, vec!["users".to_string()]);
/// # Ok(()) }
/// ```
pub struct SingleCollection<S: ?Sized> {
    single_collection: String,
    default_collection: String,
    separator: String,
    inner: S,
}

impl<S> SingleCollection<S> {
    /// Wraps `inner`, storing everything in `single_collection`.
    pub fn new(inner: S, single_collection: impl Into<String>) -> Self {
        SingleCollection {
            single_collection: single_collection.into(),
            default_collection: DEFAULT_COLLECTION.to_owned(),
            separator: "__".to_owned(),
            inner,
        }
    }

    /// The collection name used in keys for `None` and `""`.
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = name.into();
        self
    }

    /// The separator between collection and key (default `"__"`).
    pub fn separator(mut self, separator: impl Into<String>) -> Self {
        self.separator = separator.into();
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(single_collection: impl Into<String>) -> impl FnOnce(S) -> Self {
        let single = single_collection.into();
        move |inner| Self::new(inner, single)
    }
}

impl<S: KeyValue + ?Sized> SingleCollection<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn target(&self) -> Option<&str> {
        Some(&self.single_collection)
    }

    fn prefix(&self, c: Option<&str>) -> String {
        let c = or_default(c, &self.default_collection);
        let mut s = String::with_capacity(c.len() + self.separator.len() + 16);
        s.push_str(c);
        s.push_str(&self.separator);
        s
    }

    fn key(&self, c: Option<&str>, key: &str) -> String {
        let mut s = self.prefix(c);
        s.push_str(key);
        s
    }

    fn keys_of(&self, c: Option<&str>, keys: &[&str]) -> Vec<String> {
        let prefix = self.prefix(c);
        keys.iter().map(|k| format!("{prefix}{k}")).collect()
    }

    async fn inner_keys(&self) -> Result<Vec<String>> {
        self.inner.keys(self.target(), None).await
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for SingleCollection<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.inner.get(self.target(), &self.key(c, k)).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let keys = self.keys_of(c, k);
        self.inner.get_many(self.target(), &refs(&keys)).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.inner.ttl(self.target(), &self.key(c, k)).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let keys = self.keys_of(c, k);
        self.inner.ttl_many(self.target(), &refs(&keys)).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.inner.put(self.target(), &self.key(c, k), v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let prefix = self.prefix(c);
        let e = e
            .into_iter()
            .map(|(k, v)| (format!("{prefix}{k}"), v))
            .collect();
        self.inner.put_many(self.target(), e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.inner.delete(self.target(), &self.key(c, k)).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        let keys = self.keys_of(c, k);
        self.inner.delete_many(self.target(), &refs(&keys)).await
    }
    fn capabilities(&self) -> Capabilities {
        let inner = self.inner.capabilities();
        Capabilities {
            keys: inner.keys,
            collections: inner.keys,
            destroy: inner.destroy_collection,
            destroy_collection: inner.keys,
            cull: inner.cull,
            put_if_absent: inner.put_if_absent,
        }
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        let prefix = self.prefix(c);
        Ok(self
            .inner_keys()
            .await?
            .into_iter()
            .filter_map(|k| k.strip_prefix(&prefix).map(str::to_owned))
            .take(effective_limit(l))
            .collect())
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        if !self.inner.capabilities().keys {
            return Err(Error::unsupported("collections"));
        }
        let names: BTreeSet<String> = self
            .inner_keys()
            .await?
            .into_iter()
            .filter_map(|k| k.split_once(&self.separator).map(|(c, _)| c.to_owned()))
            .collect();
        Ok(names.into_iter().take(effective_limit(l)).collect())
    }
    async fn destroy(&self) -> Result<bool> {
        self.inner.destroy_collection(&self.single_collection).await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        if !self.inner.capabilities().keys {
            return Err(Error::unsupported("destroy_collection"));
        }
        let prefix = self.prefix(Some(c));
        let mut any = false;
        loop {
            let keys: Vec<String> = self
                .inner_keys()
                .await?
                .into_iter()
                .filter(|k| k.starts_with(&prefix))
                .collect();
            if keys.is_empty() {
                return Ok(any);
            }
            let deleted = self.inner.delete_many(self.target(), &refs(&keys)).await?;
            any |= deleted > 0;
            if deleted == 0 {
                return Ok(any);
            }
        }
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
            .put_if_absent(self.target(), &self.key(c, k), v, t)
            .await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
