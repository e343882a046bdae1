//! Statistics: per-collection hit/miss/count counters with reset and snapshots.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use kv_core::{async_trait, Capabilities, KeyValue, Object, Result, ValueWithTtl};
use parking_lot::Mutex;

use crate::names::{or_default, DEFAULT_COLLECTION};

/// Counters of a read-like operation (`get`, `ttl`, `delete`): `count = hit + miss`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HitMissStatistics {
    /// Keys asked for.
    pub count: u64,
    /// Keys found (deleted, for `delete`).
    pub hit: u64,
    /// Keys not found.
    pub miss: u64,
}

impl HitMissStatistics {
    fn add(&mut self, hits: u64, misses: u64) {
        self.hit += hits;
        self.miss += misses;
        self.count += hits + misses;
    }
}

/// Counters of writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutStatistics {
    /// Entries written.
    pub count: u64,
}

/// The counters of one collection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CollectionStatistics {
    /// `get` and `get_many`.
    pub get: HitMissStatistics,
    /// `ttl` and `ttl_many`.
    pub ttl: HitMissStatistics,
    /// `put`, `put_many` and writing `put_if_absent`.
    pub put: PutStatistics,
    /// `delete` and `delete_many` (hit = deleted).
    pub delete: HitMissStatistics,
}

/// A consistent copy of every counter, by collection label (`"default_collection"` for `None`/`""`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatisticsSnapshot {
    /// Counters per collection label.
    pub collections: BTreeMap<String, CollectionStatistics>,
}

impl StatisticsSnapshot {
    /// The counters of one collection (zero if it was never used).
    pub fn collection(&self, name: &str) -> CollectionStatistics {
        self.collections.get(name).copied().unwrap_or_default()
    }
}

/// Counts hits, misses and writes per collection and operation. Counters change only on success;
/// the collection is delegated unchanged (py-key-value substitutes `"default_collection"`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use kv_core::{KeyValue, Object};
/// use kv_wrappers::Statistics;
///
/// let store = Statistics::new(kv_store_memory::MemoryStore::new());
/// store.put(Some("c"), "k", Object::new(), None).await?;
/// store.get(Some("c"), "k").await?;
/// store.get(Some("c"), "missing").await?;
/// let stats = store.statistics().collection("c");
/// assert_eq!((stats.get.hit, stats.get.miss, stats.put.count), (1, 1, 1));
/// store.reset();
/// assert!(store.statistics().collections.is_empty());
/// # Ok(()) }
/// ```
pub struct Statistics<S: ?Sized> {
    counters: Mutex<HashMap<String, CollectionStatistics>>,
    inner: S,
}

impl<S> Statistics<S> {
    /// Wraps `inner` with zeroed counters.
    pub fn new(inner: S) -> Self {
        Statistics {
            counters: Mutex::new(HashMap::new()),
            inner,
        }
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer() -> impl FnOnce(S) -> Self {
        Self::new
    }
}

impl<S: ?Sized> Statistics<S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// A consistent snapshot of all counters.
    pub fn statistics(&self) -> StatisticsSnapshot {
        let counters = self.counters.lock();
        StatisticsSnapshot {
            collections: counters.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        }
    }

    /// Atomically zeroes every counter.
    pub fn reset(&self) {
        self.counters.lock().clear();
    }

    /// Returns the snapshot and zeroes the counters in one step.
    pub fn take(&self) -> StatisticsSnapshot {
        let taken = std::mem::take(&mut *self.counters.lock());
        StatisticsSnapshot {
            collections: taken.into_iter().collect(),
        }
    }

    fn update(&self, collection: Option<&str>, f: impl FnOnce(&mut CollectionStatistics)) {
        let label = or_default(collection, DEFAULT_COLLECTION);
        let mut counters = self.counters.lock();
        match counters.get_mut(label) {
            Some(stats) => f(stats),
            None => f(counters.entry(label.to_owned()).or_default()),
        }
    }
}

fn hits<T>(values: &[Option<T>]) -> (u64, u64) {
    let hits = values.iter().filter(|v| v.is_some()).count() as u64;
    (hits, values.len() as u64 - hits)
}

#[async_trait]
impl<S: KeyValue + ?Sized> KeyValue for Statistics<S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        let v = self.inner.get(c, k).await?;
        let hit = u64::from(v.is_some());
        self.update(c, |s| s.get.add(hit, 1 - hit));
        Ok(v)
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let v = self.inner.get_many(c, k).await?;
        let (h, m) = hits(&v);
        self.update(c, |s| s.get.add(h, m));
        Ok(v)
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        let v = self.inner.ttl(c, k).await?;
        let hit = u64::from(v.is_some());
        self.update(c, |s| s.ttl.add(hit, 1 - hit));
        Ok(v)
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let v = self.inner.ttl_many(c, k).await?;
        let (h, m) = hits(&v);
        self.update(c, |s| s.ttl.add(h, m));
        Ok(v)
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        self.inner.put(c, k, v, t).await?;
        self.update(c, |s| s.put.count += 1);
        Ok(())
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let n = e.len() as u64;
        self.inner.put_many(c, e, t).await?;
        self.update(c, |s| s.put.count += n);
        Ok(())
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        let deleted = self.inner.delete(c, k).await?;
        let hit = u64::from(deleted);
        self.update(c, |s| s.delete.add(hit, 1 - hit));
        Ok(deleted)
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        let deleted = self.inner.delete_many(c, k).await?;
        let hit = deleted as u64;
        let miss = (k.len() as u64).saturating_sub(hit);
        self.update(c, |s| s.delete.add(hit, miss));
        Ok(deleted)
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
        let wrote = self.inner.put_if_absent(c, k, v, t).await?;
        if wrote {
            self.update(c, |s| s.put.count += 1);
        }
        Ok(wrote)
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
