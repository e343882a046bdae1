//! ReadOnly: reads pass, writes fail (or are silently dropped).

use std::time::Duration;

use kv_core::{
    async_trait, Capabilities, Error, ErrorKind, KeyValue, Object, Result, ValueWithTtl,
};

/// Reads, `keys` and `collections` pass through; every write (`put`, `put_many`, `delete`,
/// `delete_many`, `put_if_absent`, `destroy`, `destroy_collection`, `cull`) is a
/// [`ReadOnly`](ErrorKind::ReadOnly) error, or with `raise_on_write = false` does nothing and
/// returns `()` / `false` / `0`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use kv_core::{ErrorKind, KeyValue, Object};
/// use kv_wrappers::ReadOnly;
///
/// let store = ReadOnly::new(kv_store_memory::MemoryStore::new());
/// let err = store.put(None, "k", Object::new(), None).await.unwrap_err();
/// assert_eq!(err.kind(), &ErrorKind::ReadOnly);
/// # }
/// ```
pub struct ReadOnly<S: ?Sized> {
    raise_on_write: bool,
    inner: S,
}

impl<S> ReadOnly<S> {
    /// Wraps `inner`; writes raise.
    pub fn new(inner: S) -> Self {
        ReadOnly {
            raise_on_write: true,
            inner,
        }
    }

    /// With `false`, writes are silently ignored instead of raising.
    pub fn raise_on_write(mut self, raise: bool) -> Self {
        self.raise_on_write = raise;
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(raise_on_write: bool) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner).raise_on_write(raise_on_write)
    }
}

impl<S: ?Sized> ReadOnly<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn refuse(&self, op: &'static str, collection: Option<&str>, key: &str) -> Result<()> {
        if !self.raise_on_write {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::ReadOnly,
            format!("{op} is not allowed on a read-only store"),
        )
        .with_operation(op)
        .with_collection(crate::names::or_default(collection, "default"))
        .with_key(key))
    }
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for ReadOnly<S> {
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
    async fn put(&self, c: Option<&str>, k: &str, _: Object, _: Option<Duration>) -> Result<()> {
        self.refuse("put", c, k)
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        _: Option<Duration>,
    ) -> Result<()> {
        self.refuse("put_many", c, &format!("{} keys", e.len()))
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.refuse("delete", c, k).map(|_| false)
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.refuse("delete_many", c, &format!("{} keys", k.len()))
            .map(|_| 0)
    }
    fn capabilities(&self) -> Capabilities {
        // Write capabilities the inner store has are offered and answer `ReadOnly`; those it
        // lacks stay `Unsupported`.
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.keys(c, l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.collections(l).await
    }
    async fn destroy(&self) -> Result<bool> {
        if !self.inner.capabilities().destroy {
            return Err(Error::unsupported("destroy"));
        }
        self.refuse("destroy", None, "*").map(|_| false)
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        if !self.inner.capabilities().destroy_collection {
            return Err(Error::unsupported("destroy_collection"));
        }
        self.refuse("destroy_collection", Some(c), "*")
            .map(|_| false)
    }
    async fn cull(&self) -> Result<()> {
        if !self.inner.capabilities().cull {
            return Err(Error::unsupported("cull"));
        }
        self.refuse("cull", None, "*")
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        _: Object,
        _: Option<Duration>,
    ) -> Result<bool> {
        if !self.inner.capabilities().put_if_absent {
            return Err(Error::unsupported("put_if_absent"));
        }
        self.refuse("put_if_absent", c, k).map(|_| false)
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
