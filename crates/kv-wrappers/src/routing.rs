//! Routing and CollectionRouting: each call goes to the store chosen for its collection.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use kv_core::{
    async_trait, effective_limit, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl,
};

type Route = Arc<dyn Fn(Option<&str>) -> Option<Arc<dyn KeyValue>> + Send + Sync>;

/// Picks a store per call from the **raw** collection argument (`None` included) with a `route`
/// function; `None` from `route` means `default_store`. The collection is passed through
/// unchanged.
///
/// `keys(c)`, `destroy_collection(c)` and `put_if_absent` go to the routed store;
/// `collections()` is the sorted union over the default store and `stores` (the stores `route`
/// can return, deduplicated by `Arc::ptr_eq`); `destroy()`/`cull()` run on each distinct store.
/// A capability is offered when every distinct store offers it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::sync::Arc;
/// use kv_core::{KeyValue, Object};
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::Routing;
///
/// let sessions: Arc<dyn KeyValue> = Arc::new(MemoryStore::new());
/// let default: Arc<dyn KeyValue> = Arc::new(MemoryStore::new());
/// let s = Arc::clone(&sessions);
/// let store = Routing::new(
///     move |c| (c == Some("sessions")).then(|| Arc::clone(&s)),
///     Arc::clone(&default),
///     vec![Arc::clone(&sessions)],
/// );
/// store.put(Some("sessions"), "abc", Object::new(), None).await?;
/// assert!(sessions.get(Some("sessions"), "abc").await?.is_some());
/// assert!(default.get(Some("sessions"), "abc").await?.is_none());
/// # Ok(()) }
/// ```
pub struct Routing {
    route: Route,
    default_store: Arc<dyn KeyValue>,
    distinct: Vec<Arc<dyn KeyValue>>,
}

impl Routing {
    /// Routes with `route`, answering from `default_store` where it returns `None`.
    pub fn new(
        route: impl Fn(Option<&str>) -> Option<Arc<dyn KeyValue>> + Send + Sync + 'static,
        default_store: Arc<dyn KeyValue>,
        stores: Vec<Arc<dyn KeyValue>>,
    ) -> Self {
        let mut distinct: Vec<Arc<dyn KeyValue>> = vec![Arc::clone(&default_store)];
        for s in stores {
            if !distinct.iter().any(|d| Arc::ptr_eq(d, &s)) {
                distinct.push(s);
            }
        }
        Routing {
            route: Arc::new(route),
            default_store,
            distinct,
        }
    }

    /// The store a call on `collection` goes to.
    pub fn store_for(&self, collection: Option<&str>) -> Arc<dyn KeyValue> {
        (self.route)(collection).unwrap_or_else(|| Arc::clone(&self.default_store))
    }

    /// The distinct stores (default first).
    pub fn stores(&self) -> &[Arc<dyn KeyValue>] {
        &self.distinct
    }
}

#[async_trait]
impl KeyValue for Routing {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        self.store_for(c).get(c, k).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        self.store_for(c).get_many(c, k).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        self.store_for(c).ttl(c, k).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        self.store_for(c).ttl_many(c, k).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.store_for(c).put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        self.store_for(c).put_many(c, e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.store_for(c).delete(c, k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.store_for(c).delete_many(c, k).await
    }
    fn capabilities(&self) -> Capabilities {
        self.distinct.iter().fold(Capabilities::ALL, |acc, s| {
            acc.intersection(s.capabilities())
        })
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        if !self.capabilities().keys {
            return Err(Error::unsupported("keys"));
        }
        self.store_for(c).keys(c, l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        if !self.capabilities().collections {
            return Err(Error::unsupported("collections"));
        }
        let mut all = BTreeSet::new();
        for s in &self.distinct {
            all.extend(s.collections(None).await?);
        }
        Ok(all.into_iter().take(effective_limit(l)).collect())
    }
    async fn destroy(&self) -> Result<bool> {
        if !self.capabilities().destroy {
            return Err(Error::unsupported("destroy"));
        }
        let mut any = false;
        for s in &self.distinct {
            any |= s.destroy().await?;
        }
        Ok(any)
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        if !self.capabilities().destroy_collection {
            return Err(Error::unsupported("destroy_collection"));
        }
        self.store_for(Some(c)).destroy_collection(c).await
    }
    async fn cull(&self) -> Result<()> {
        if !self.capabilities().cull {
            return Err(Error::unsupported("cull"));
        }
        for s in &self.distinct {
            s.cull().await?;
        }
        Ok(())
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        if !self.capabilities().put_if_absent {
            return Err(Error::unsupported("put_if_absent"));
        }
        self.store_for(c).put_if_absent(c, k, v, t).await
    }
    async fn setup(&self) -> Result<()> {
        for s in &self.distinct {
            s.setup().await?;
        }
        Ok(())
    }
    async fn close(&self) -> Result<()> {
        let mut first_err = None;
        for s in &self.distinct {
            if let Err(e) = s.close().await {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

/// [`Routing`] by exact collection name: `map[c]`, and `default_store` for unmapped names,
/// `None` and `""`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::{collections::HashMap, sync::Arc};
/// use kv_core::{KeyValue, Object};
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::CollectionRouting;
///
/// let users: Arc<dyn KeyValue> = Arc::new(MemoryStore::new());
/// let map = HashMap::from([("users".to_string(), Arc::clone(&users))]);
/// let store = CollectionRouting::new(map, Arc::new(MemoryStore::new()));
/// store.put(Some("users"), "alice", Object::new(), None).await?;
/// assert!(users.get(Some("users"), "alice").await?.is_some());
/// # Ok(()) }
/// ```
pub struct CollectionRouting {
    inner: Routing,
}

impl CollectionRouting {
    /// Routes collection `c` to `map[c]`, everything else to `default_store`.
    pub fn new(map: HashMap<String, Arc<dyn KeyValue>>, default_store: Arc<dyn KeyValue>) -> Self {
        let stores: Vec<Arc<dyn KeyValue>> = map.values().cloned().collect();
        let route = move |c: Option<&str>| c.and_then(|c| map.get(c)).cloned();
        CollectionRouting {
            inner: Routing::new(route, default_store, stores),
        }
    }

    /// The underlying [`Routing`].
    pub fn routing(&self) -> &Routing {
        &self.inner
    }
}

kv_core::delegate_key_value!(CollectionRouting, inner);
