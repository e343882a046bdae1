//! [`MemoryStore`]: collections of entries in process memory, each optionally a bounded LRU.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Arc;

use kv_core::{async_trait, Backend, Capabilities, Entry, Name, Result, Seed, Stability, Store, Timestamp};
use lru::LruCache;
use parking_lot::{Mutex, RwLock};

type Collection = Arc<Mutex<LruCache<String, Entry>>>;

/// The raw backend of [`MemoryStore`].
#[derive(Debug)]
pub struct MemoryBackend {
    collections: RwLock<HashMap<String, Collection>>,
    max_entries_per_collection: Option<NonZeroUsize>,
}

impl MemoryBackend {
    fn new(max_entries_per_collection: Option<usize>) -> Self {
        MemoryBackend {
            collections: RwLock::new(HashMap::new()),
            max_entries_per_collection: max_entries_per_collection.and_then(NonZeroUsize::new),
        }
    }

    fn existing(&self, collection: &str) -> Option<Collection> {
        self.collections.read().get(collection).cloned()
    }

    fn create(&self, collection: &str) -> Collection {
        if let Some(c) = self.existing(collection) {
            return c;
        }
        let mut map = self.collections.write();
        let cache = map.entry(collection.to_owned()).or_insert_with(|| {
            // Bounded collections evict explicitly (expired first, then LRU): see `insert`.
            Arc::new(Mutex::new(LruCache::unbounded()))
        });
        Arc::clone(cache)
    }

    /// Inserts, evicting expired entries and then the least recently used one when a new key
    /// would exceed the bound. Overwriting an existing key never evicts.
    fn insert(&self, cache: &mut LruCache<String, Entry>, key: &str, entry: Entry, now: Timestamp) {
        if let Some(slot) = cache.get_mut(key) {
            *slot = entry;
            return;
        }
        if let Some(max) = self.max_entries_per_collection {
            if cache.len() >= max.get() {
                let expired: Vec<String> = cache
                    .iter()
                    .filter(|(_, e)| e.is_expired(now))
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in expired {
                    cache.pop(&k);
                }
                while cache.len() >= max.get() {
                    cache.pop_lru();
                }
            }
        }
        cache.put(key.to_owned(), entry);
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn stability(&self) -> Stability {
        Stability::Stable
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let Some(cache) = self.existing(collection.as_str()) else {
            return Ok(None);
        };
        let mut cache = cache.lock();
        Ok(cache.get(key.as_str()).cloned())
    }

    async fn get_entries(&self, collection: &Name<'_>, keys: &[Name<'_>]) -> Result<Vec<Option<Entry>>> {
        let Some(cache) = self.existing(collection.as_str()) else {
            return Ok(vec![None; keys.len()]);
        };
        let mut cache = cache.lock();
        Ok(keys.iter().map(|k| cache.get(k.as_str()).cloned()).collect())
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let cache = self.create(collection.as_str());
        let now = Timestamp::now();
        self.insert(&mut cache.lock(), key.as_str(), entry, now);
        Ok(())
    }

    async fn put_entries(&self, collection: &Name<'_>, entries: Vec<(Name<'_>, Entry)>) -> Result<()> {
        let cache = self.create(collection.as_str());
        let now = Timestamp::now();
        let mut cache = cache.lock();
        for (key, entry) in entries {
            self.insert(&mut cache, key.as_str(), entry, now);
        }
        Ok(())
    }

    async fn delete_entry(&self, collection: &Name<'_>, key: &Name<'_>, now: Timestamp) -> Result<bool> {
        let Some(cache) = self.existing(collection.as_str()) else {
            return Ok(false);
        };
        let removed = cache.lock().pop(key.as_str());
        Ok(removed.is_some_and(|e| e.is_live(now)))
    }

    async fn delete_entries(&self, collection: &Name<'_>, keys: &[Name<'_>], now: Timestamp) -> Result<usize> {
        let Some(cache) = self.existing(collection.as_str()) else {
            return Ok(0);
        };
        let mut cache = cache.lock();
        Ok(keys
            .iter()
            .filter(|k| cache.pop(k.as_str()).is_some_and(|e| e.is_live(now)))
            .count())
    }

    async fn keys(&self, collection: &Name<'_>, limit: usize, now: Timestamp) -> Result<Vec<String>> {
        let Some(cache) = self.existing(collection.as_str()) else {
            return Ok(Vec::new());
        };
        let cache = cache.lock();
        Ok(cache
            .iter()
            .filter(|(_, e)| e.is_live(now))
            .map(|(k, _)| k.clone())
            .take(limit)
            .collect())
    }

    async fn collections(&self, limit: usize) -> Result<Vec<String>> {
        let mut names: Vec<String> = self.collections.read().keys().cloned().collect();
        names.sort_unstable();
        names.truncate(limit);
        Ok(names)
    }

    async fn destroy(&self) -> Result<bool> {
        let removed = std::mem::take(&mut *self.collections.write());
        Ok(!removed.is_empty())
    }

    async fn destroy_collection(&self, collection: &Name<'_>) -> Result<bool> {
        Ok(self.collections.write().remove(collection.as_str()).is_some())
    }

    async fn cull(&self, now: Timestamp) -> Result<()> {
        let caches: Vec<Collection> = self.collections.read().values().cloned().collect();
        for cache in caches {
            let mut cache = cache.lock();
            let expired: Vec<String> = cache
                .iter()
                .filter(|(_, e)| e.is_expired(now))
                .map(|(k, _)| k.clone())
                .collect();
            for k in expired {
                cache.pop(&k);
            }
        }
        Ok(())
    }

    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        now: Timestamp,
    ) -> Result<bool> {
        let cache = self.create(collection.as_str());
        let mut cache = cache.lock();
        if cache.peek(key.as_str()).is_some_and(|e| e.is_live(now)) {
            return Ok(false);
        }
        self.insert(&mut cache, key.as_str(), entry, now);
        Ok(true)
    }
}

/// An in-memory store: one map per collection, optionally bounded (least recently used entries
/// are evicted, expired ones first). Offers every optional operation, including an atomic
/// `put_if_absent`. Stable.
///
/// ```
/// use std::time::Duration;
/// use kv_core::KeyValue;
/// use kv_store_memory::MemoryStore;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = MemoryStore::builder().max_entries_per_collection(10_000).build();
/// let value = serde_json::json!({"name": "Alice"}).as_object().unwrap().clone();
/// store.put(Some("users"), "alice", value.clone(), Some(Duration::from_secs(60))).await?;
/// assert_eq!(store.get(Some("users"), "alice").await?, Some(value));
/// assert_eq!(store.keys(Some("users"), None).await?, vec!["alice".to_string()]);
/// # Ok(()) }
/// ```
pub struct MemoryStore {
    inner: Store<MemoryBackend>,
}

kv_core::delegate_key_value!(MemoryStore, inner);

impl MemoryStore {
    /// An unbounded store with default collection `default_collection`.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Options: bound, default collection, seed data.
    pub fn builder() -> MemoryStoreBuilder {
        MemoryStoreBuilder::default()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("default_collection", &self.inner.default_collection())
            .field(
                "max_entries_per_collection",
                &self.inner.backend().max_entries_per_collection,
            )
            .finish()
    }
}

/// Builds a [`MemoryStore`].
#[derive(Debug, Default)]
pub struct MemoryStoreBuilder {
    max_entries_per_collection: Option<usize>,
    default_collection: Option<String>,
    seed: Seed,
}

impl MemoryStoreBuilder {
    /// Bounds each collection; inserting a new key into a full collection evicts (0 = unbounded).
    pub fn max_entries_per_collection(mut self, max: usize) -> Self {
        self.max_entries_per_collection = Some(max);
        self
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Entries written once, on first use: `collection -> key -> value`.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// The store.
    pub fn build(self) -> MemoryStore {
        let mut inner = Store::new(MemoryBackend::new(self.max_entries_per_collection)).with_seed(self.seed);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        MemoryStore { inner }
    }
}
