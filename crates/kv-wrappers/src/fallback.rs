//! Fallback: reads (and optionally writes) go to a second store when the primary fails.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use kv_core::{async_trait, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl};

type FallbackOn = Arc<dyn Fn(&Error) -> bool + Send + Sync>;

/// Reads (`get`, `get_many`, `ttl`, `ttl_many`, `keys`, `collections`) call the primary; if it
/// fails with an error accepted by `fallback_on` (default: every error) the fallback store
/// answers. Writes and deletes go to the primary only, unless `write_to_fallback` is set, in which
/// case the same rule applies. There is no synchronisation between the two stores.
/// Capabilities are the primary's.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use kv_core::KeyValue;
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::Fallback;
///
/// let store = Fallback::new(MemoryStore::new(), MemoryStore::new())
///     .fallback_on(|e| e.is_retryable());
/// assert_eq!(store.get(None, "k").await?, None);
/// # Ok(()) }
/// ```
pub struct Fallback<P, F> {
    primary: P,
    fallback: F,
    fallback_on: FallbackOn,
    write_to_fallback: bool,
}

impl<P, F> Fallback<P, F> {
    /// Reads from `primary`, falling back to `fallback` on any error.
    pub fn new(primary: P, fallback: F) -> Self {
        Fallback {
            primary,
            fallback,
            fallback_on: Arc::new(|_| true),
            write_to_fallback: false,
        }
    }

    /// Falls back only for errors accepted by `predicate`.
    pub fn fallback_on(
        mut self,
        predicate: impl Fn(&Error) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.fallback_on = Arc::new(predicate);
        self
    }

    /// Whether failed writes are retried on the fallback store (default `false`).
    pub fn write_to_fallback(mut self, enabled: bool) -> Self {
        self.write_to_fallback = enabled;
        self
    }

    /// The primary store.
    pub fn primary(&self) -> &P {
        &self.primary
    }

    /// The fallback store.
    pub fn fallback(&self) -> &F {
        &self.fallback
    }

    async fn either<T, A, B, G>(&self, primary: A, fallback: G) -> Result<T>
    where
        A: Future<Output = Result<T>>,
        G: FnOnce() -> B,
        B: Future<Output = Result<T>>,
    {
        match primary.await {
            Ok(v) => Ok(v),
            Err(e) if (self.fallback_on)(&e) => {
                tracing::debug!(target: "kv::fallback", error = %e, "primary failed, using the fallback store");
                fallback().await
            }
            Err(e) => Err(e),
        }
    }

    async fn write<T, A, B, G>(&self, primary: A, fallback: G) -> Result<T>
    where
        A: Future<Output = Result<T>>,
        G: FnOnce() -> B,
        B: Future<Output = Result<T>>,
    {
        if self.write_to_fallback {
            self.either(primary, fallback).await
        } else {
            primary.await
        }
    }
}

#[async_trait]
impl<P: KeyValue, F: KeyValue> KeyValue for Fallback<P, F> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.either(self.primary.get(c, k), || self.fallback.get(c, k))
            .await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.either(self.primary.get_many(c, k), || self.fallback.get_many(c, k))
            .await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.either(self.primary.ttl(c, k), || self.fallback.ttl(c, k))
            .await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.either(self.primary.ttl_many(c, k), || self.fallback.ttl_many(c, k))
            .await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        if self.write_to_fallback {
            let copy = v.clone();
            self.either(self.primary.put(c, k, v, t), || {
                self.fallback.put(c, k, copy, t)
            })
            .await
        } else {
            self.primary.put(c, k, v, t).await
        }
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        if self.write_to_fallback {
            let copy = e.clone();
            self.either(self.primary.put_many(c, e, t), || {
                self.fallback.put_many(c, copy, t)
            })
            .await
        } else {
            self.primary.put_many(c, e, t).await
        }
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.write(self.primary.delete(c, k), || self.fallback.delete(c, k))
            .await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.write(self.primary.delete_many(c, k), || {
            self.fallback.delete_many(c, k)
        })
        .await
    }
    fn capabilities(&self) -> Capabilities {
        self.primary.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        if !self.primary.capabilities().keys {
            return Err(Error::unsupported("keys"));
        }
        self.either(self.primary.keys(c, l), || self.fallback.keys(c, l))
            .await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        if !self.primary.capabilities().collections {
            return Err(Error::unsupported("collections"));
        }
        self.either(self.primary.collections(l), || self.fallback.collections(l))
            .await
    }
    async fn destroy(&self) -> Result<bool> {
        if !self.primary.capabilities().destroy {
            return Err(Error::unsupported("destroy"));
        }
        self.write(self.primary.destroy(), || self.fallback.destroy())
            .await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        if !self.primary.capabilities().destroy_collection {
            return Err(Error::unsupported("destroy_collection"));
        }
        self.write(self.primary.destroy_collection(c), || {
            self.fallback.destroy_collection(c)
        })
        .await
    }
    async fn cull(&self) -> Result<()> {
        if !self.primary.capabilities().cull {
            return Err(Error::unsupported("cull"));
        }
        self.write(self.primary.cull(), || self.fallback.cull())
            .await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        if !self.primary.capabilities().put_if_absent {
            return Err(Error::unsupported("put_if_absent"));
        }
        if self.write_to_fallback {
            let copy = v.clone();
            self.either(self.primary.put_if_absent(c, k, v, t), || {
                self.fallback.put_if_absent(c, k, copy, t)
            })
            .await
        } else {
            self.primary.put_if_absent(c, k, v, t).await
        }
    }
    async fn setup(&self) -> Result<()> {
        self.primary.setup().await?;
        self.fallback.setup().await
    }
    async fn close(&self) -> Result<()> {
        let primary = self.primary.close().await;
        let fallback = self.fallback.close().await;
        primary.and(fallback)
    }
}
