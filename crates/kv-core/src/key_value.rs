//! The object-safe core trait every store and wrapper implements.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::{Error, Result};
use crate::Object;

/// A value with the time it has left: `None` means it never expires.
pub type ValueWithTtl = (Object, Option<Duration>);

/// One async key-value API over every backend: JSON objects in collections, a TTL per entry.
///
/// `collection: None` (or `Some("")`) addresses the store's default collection. Optional
/// operations return [`Unsupported`](crate::ErrorKind::Unsupported) unless
/// [`capabilities`](KeyValue::capabilities) announces them. The trait is object safe: frameworks
/// take an `Arc<dyn KeyValue>` and let their users pick the backend.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::{sync::Arc, time::Duration};
/// use kv_core::KeyValue;
/// use serde_json::json;
///
/// let store: Arc<dyn KeyValue> = Arc::new(kv_store_memory::MemoryStore::new());
/// let value = json!({"name": "Alice"}).as_object().unwrap().clone();
/// store.put(Some("users"), "alice", value.clone(), Some(Duration::from_secs(60))).await?;
/// assert_eq!(store.get(Some("users"), "alice").await?, Some(value));
/// let (_, remaining) = store.ttl(Some("users"), "alice").await?.unwrap();
/// assert!(remaining.unwrap() <= Duration::from_secs(60));
/// assert!(store.delete(Some("users"), "alice").await?);
/// # Ok(()) }
/// ```
#[async_trait]
pub trait KeyValue: Send + Sync {
    /// The live value of `key`, or `None` when it is missing or expired.
    async fn get(&self, collection: Option<&str>, key: &str) -> Result<Option<Object>>;

    /// One slot per key, in order; duplicates allowed.
    async fn get_many(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Option<Object>>>;

    /// The live value with its remaining time (`None` = never expires).
    async fn ttl(&self, collection: Option<&str>, key: &str) -> Result<Option<ValueWithTtl>>;

    /// [`ttl`](KeyValue::ttl) for many keys, in order.
    async fn ttl_many(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Option<ValueWithTtl>>>;

    /// Creates or fully replaces an entry. A zero TTL is [`InvalidTtl`](crate::ErrorKind::InvalidTtl).
    async fn put(
        &self,
        collection: Option<&str>,
        key: &str,
        value: Object,
        ttl: Option<Duration>,
    ) -> Result<()>;

    /// Writes many entries sharing one creation and expiry instant; for duplicate keys the last wins.
    async fn put_many(
        &self,
        collection: Option<&str>,
        entries: Vec<(String, Object)>,
        ttl: Option<Duration>,
    ) -> Result<()>;

    /// Removes an entry; `true` iff a live entry was removed.
    async fn delete(&self, collection: Option<&str>, key: &str) -> Result<bool>;

    /// Removes many entries; returns how many live entries were removed (a repeated key counts once).
    async fn delete_many(&self, collection: Option<&str>, keys: &[&str]) -> Result<usize>;

    /// The optional operations this store offers.
    fn capabilities(&self) -> Capabilities {
        Capabilities::NONE
    }

    /// Keys of live entries in a collection, at most [`effective_limit`](crate::effective_limit) of them.
    async fn keys(&self, collection: Option<&str>, limit: Option<usize>) -> Result<Vec<String>> {
        let _ = (collection, limit);
        Err(Error::unsupported("keys"))
    }

    /// Names of existing collections.
    async fn collections(&self, limit: Option<usize>) -> Result<Vec<String>> {
        let _ = limit;
        Err(Error::unsupported("collections"))
    }

    /// Removes every entry this store owns; `true` if anything was removed.
    async fn destroy(&self) -> Result<bool> {
        Err(Error::unsupported("destroy"))
    }

    /// Removes every entry of one collection; `true` if it existed.
    async fn destroy_collection(&self, collection: &str) -> Result<bool> {
        let _ = collection;
        Err(Error::unsupported("destroy_collection"))
    }

    /// Removes expired entries from the backend; never changes what reads return.
    async fn cull(&self) -> Result<()> {
        Err(Error::unsupported("cull"))
    }

    /// Writes only if no live entry exists; `true` iff it wrote. Atomic.
    async fn put_if_absent(
        &self,
        collection: Option<&str>,
        key: &str,
        value: Object,
        ttl: Option<Duration>,
    ) -> Result<bool> {
        let _ = (collection, key, value, ttl);
        Err(Error::unsupported("put_if_absent"))
    }

    /// Runs the store's setup now instead of on first use.
    async fn setup(&self) -> Result<()> {
        Ok(())
    }

    /// Releases what the store created; later operations fail with [`Setup`](crate::ErrorKind::Setup).
    async fn close(&self) -> Result<()> {
        Ok(())
    }
}

macro_rules! forward_key_value {
    ($($target:tt)*) => {
        #[async_trait]
        impl<T: KeyValue + ?Sized> KeyValue for $($target)* {
            async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
                (**self).get(c, k).await
            }
            async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
                (**self).get_many(c, k).await
            }
            async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
                (**self).ttl(c, k).await
            }
            async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
                (**self).ttl_many(c, k).await
            }
            async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
                (**self).put(c, k, v, t).await
            }
            async fn put_many(&self, c: Option<&str>, e: Vec<(String, Object)>, t: Option<Duration>) -> Result<()> {
                (**self).put_many(c, e, t).await
            }
            async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
                (**self).delete(c, k).await
            }
            async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
                (**self).delete_many(c, k).await
            }
            fn capabilities(&self) -> Capabilities {
                (**self).capabilities()
            }
            async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
                (**self).keys(c, l).await
            }
            async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
                (**self).collections(l).await
            }
            async fn destroy(&self) -> Result<bool> {
                (**self).destroy().await
            }
            async fn destroy_collection(&self, c: &str) -> Result<bool> {
                (**self).destroy_collection(c).await
            }
            async fn cull(&self) -> Result<()> {
                (**self).cull().await
            }
            async fn put_if_absent(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<bool> {
                (**self).put_if_absent(c, k, v, t).await
            }
            async fn setup(&self) -> Result<()> {
                (**self).setup().await
            }
            async fn close(&self) -> Result<()> {
                (**self).close().await
            }
        }
    };
}

forward_key_value!(Arc<T>);
forward_key_value!(Box<T>);
forward_key_value!(&T);
