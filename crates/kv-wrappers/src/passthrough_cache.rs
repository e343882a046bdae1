//! PassthroughCache: read-through cache in front of a primary store, with single-flight misses.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use kv_core::{async_trait, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl};
use parking_lot::Mutex;
use tokio::sync::OnceCell;

use crate::names::{clone_error, normalized};

type FlightId = (Option<String>, String);
type Flight = Arc<OnceCell<Result<Option<ValueWithTtl>>>>;

/// A read-through cache: reads try `cache` first, misses read the primary (`ttl`) and fill the
/// cache with the primary's remaining time capped at `maximum_ttl` (entries without expiry get
/// `missing_ttl`). A cached `{}` is a hit. Writes and deletes invalidate the cache first, then go
/// to the primary.
///
/// With `single_flight` (default on), concurrent misses for one `(collection, key)` share one
/// primary read and one cache fill; followers receive the leader's result (errors included). A
/// read that starts after a write's invalidation never joins a flight that started before it.
///
/// Cache errors propagate (wrap the cache in [`Fallback`](crate::Fallback) to degrade).
/// `keys`/`collections` come from the primary; `destroy`/`destroy_collection`/`cull` run on the
/// cache, then the primary.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::{sync::Arc, time::Duration};
/// use kv_core::{KeyValue, Object};
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::PassthroughCache;
///
/// let primary = Arc::new(MemoryStore::new());
/// let cache = Arc::new(MemoryStore::new());
/// primary.put(None, "k", Object::new(), None).await?;
/// let store = PassthroughCache::new(Arc::clone(&primary), Arc::clone(&cache))
///     .maximum_ttl(Duration::from_secs(60));
/// assert!(store.get(None, "k").await?.is_some());
/// assert!(cache.get(None, "k").await?.is_some()); // filled, expires within 60 s
/// # Ok(()) }
/// ```
pub struct PassthroughCache<P, C> {
    primary: P,
    cache: C,
    maximum_ttl: Duration,
    missing_ttl: Duration,
    single_flight: bool,
    flights: Mutex<HashMap<FlightId, Flight>>,
}

impl<P, C> PassthroughCache<P, C> {
    /// Caches `primary` in `cache` (maximum and missing TTL 1800 s, single-flight on).
    pub fn new(primary: P, cache: C) -> Self {
        PassthroughCache {
            primary,
            cache,
            maximum_ttl: Duration::from_secs(1800),
            missing_ttl: Duration::from_secs(1800),
            single_flight: true,
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// The longest time a value stays in the cache.
    pub fn maximum_ttl(mut self, ttl: Duration) -> Self {
        self.maximum_ttl = ttl;
        self
    }

    /// The cache TTL of values that never expire in the primary.
    pub fn missing_ttl(mut self, ttl: Duration) -> Self {
        self.missing_ttl = ttl;
        self
    }

    /// Whether concurrent misses for one key share one primary read (default `true`).
    pub fn single_flight(mut self, enabled: bool) -> Self {
        self.single_flight = enabled;
        self
    }

    /// The primary store.
    pub fn primary(&self) -> &P {
        &self.primary
    }

    /// The cache store.
    pub fn cache(&self) -> &C {
        &self.cache
    }

    /// The cache TTL for a primary entry with `remaining` time; `None` = do not cache (expiring now).
    fn cache_ttl(&self, remaining: Option<Duration>) -> Option<Duration> {
        match remaining {
            None => Some(self.missing_ttl.min(self.maximum_ttl)),
            Some(r) if r.is_zero() => None,
            Some(r) => Some(r.min(self.maximum_ttl)),
        }
    }

    fn forget_flights(&self, c: Option<&str>, keys: &[&str]) {
        if !self.single_flight {
            return;
        }
        let mut flights = self.flights.lock();
        if flights.is_empty() {
            return;
        }
        let c = normalized(c).map(str::to_owned);
        for k in keys {
            flights.remove(&(c.clone(), (*k).to_owned()));
        }
    }
}

impl<P: KeyValue, C: KeyValue> PassthroughCache<P, C> {
    async fn fill(&self, c: Option<&str>, k: &str, value: &ValueWithTtl) -> Result<()> {
        if let Some(ttl) = self.cache_ttl(value.1) {
            self.cache.put(c, k, value.0.clone(), Some(ttl)).await?;
        }
        Ok(())
    }

    async fn load(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        let found = self.primary.ttl(c, k).await?;
        if let Some(v) = &found {
            self.fill(c, k, v).await?;
        }
        Ok(found)
    }

    async fn miss(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        if !self.single_flight {
            return self.load(c, k).await;
        }
        let id: FlightId = (normalized(c).map(str::to_owned), k.to_owned());
        let flight = Arc::clone(self.flights.lock().entry(id.clone()).or_default());
        let result = flight.get_or_init(|| self.load(c, k)).await;
        let out = match result {
            Ok(v) => Ok(v.clone()),
            Err(e) => Err(clone_error(e)),
        };
        let mut flights = self.flights.lock();
        if flights.get(&id).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
            flights.remove(&id);
        }
        out
    }

    /// Answers the misses of a batch with one `primary.ttl_many`, filling the cache.
    async fn fill_batch(
        &self,
        c: Option<&str>,
        keys: &[&str],
        results: &mut [Option<ValueWithTtl>],
    ) -> Result<()> {
        let missing: Vec<usize> = (0..keys.len()).filter(|&i| results[i].is_none()).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut unique: Vec<&str> = Vec::new();
        for &i in &missing {
            if !unique.contains(&keys[i]) {
                unique.push(keys[i]);
            }
        }
        let found = self.primary.ttl_many(c, &unique).await?;
        for (k, v) in unique.iter().zip(&found) {
            if let Some(v) = v {
                self.fill(c, k, v).await?;
            }
        }
        for &i in &missing {
            if let Some(pos) = unique.iter().position(|k| *k == keys[i]) {
                results[i] = found[pos].clone();
            }
        }
        Ok(())
    }
}

#[async_trait]
impl<P: KeyValue, C: KeyValue> KeyValue for PassthroughCache<P, C> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        if let Some(v) = self.cache.get(c, k).await? {
            return Ok(Some(v));
        }
        Ok(self.miss(c, k).await?.map(|(v, _)| v))
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let cached = self.cache.get_many(c, k).await?;
        if cached.iter().all(Option::is_some) {
            return Ok(cached);
        }
        let mut results: Vec<Option<ValueWithTtl>> =
            cached.into_iter().map(|v| v.map(|v| (v, None))).collect();
        self.fill_batch(c, k, &mut results).await?;
        Ok(results.into_iter().map(|v| v.map(|(v, _)| v)).collect())
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        if let Some(v) = self.cache.ttl(c, k).await? {
            return Ok(Some(v));
        }
        self.miss(c, k).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let mut results = self.cache.ttl_many(c, k).await?;
        self.fill_batch(c, k, &mut results).await?;
        Ok(results)
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.forget_flights(c, &[k]);
        self.cache.delete(c, k).await?;
        self.primary.put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let keys: Vec<&str> = e.iter().map(|(k, _)| k.as_str()).collect();
        self.forget_flights(c, &keys);
        self.cache.delete_many(c, &keys).await?;
        drop(keys);
        self.primary.put_many(c, e, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.forget_flights(c, &[k]);
        self.cache.delete(c, k).await?;
        self.primary.delete(c, k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.forget_flights(c, k);
        self.cache.delete_many(c, k).await?;
        self.primary.delete_many(c, k).await
    }
    fn capabilities(&self) -> Capabilities {
        let p = self.primary.capabilities();
        let c = self.cache.capabilities();
        Capabilities {
            keys: p.keys,
            collections: p.collections,
            destroy: p.destroy && c.destroy,
            destroy_collection: p.destroy_collection && c.destroy_collection,
            cull: p.cull && c.cull,
            put_if_absent: p.put_if_absent,
        }
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.primary.keys(c, l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.primary.collections(l).await
    }
    async fn destroy(&self) -> Result<bool> {
        if !self.capabilities().destroy {
            return Err(Error::unsupported("destroy"));
        }
        self.flights.lock().clear();
        self.cache.destroy().await?;
        self.primary.destroy().await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        if !self.capabilities().destroy_collection {
            return Err(Error::unsupported("destroy_collection"));
        }
        self.flights.lock().clear();
        self.cache.destroy_collection(c).await?;
        self.primary.destroy_collection(c).await
    }
    async fn cull(&self) -> Result<()> {
        if !self.capabilities().cull {
            return Err(Error::unsupported("cull"));
        }
        self.cache.cull().await?;
        self.primary.cull().await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        self.forget_flights(c, &[k]);
        self.cache.delete(c, k).await?;
        self.primary.put_if_absent(c, k, v, t).await
    }
    async fn setup(&self) -> Result<()> {
        self.primary.setup().await?;
        self.cache.setup().await
    }
    async fn close(&self) -> Result<()> {
        let cache = self.cache.close().await;
        let primary = self.primary.close().await;
        cache.and(primary)
    }
}
