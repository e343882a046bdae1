//! [`MemoryStore`]: collections of entries in process memory, each optionally a bounded LRU.

use std::num::NonZeroUsize;

use hashbrown::HashMap;
use kv_core::{
    async_trait, Backend, Capabilities, Entry, Name, Result, Seed, Stability, Store, Timestamp,
};
use parking_lot::RwLock;

use crate::table::Table;

/// The raw backend of [`MemoryStore`].
#[derive(Debug)]
pub struct MemoryBackend {
    collections: RwLock<HashMap<String, Table>>,
    max_entries_per_collection: Option<NonZeroUsize>,
    compact: bool,
}

impl MemoryBackend {
    fn new(max_entries_per_collection: Option<usize>, compact: bool) -> Self {
        MemoryBackend {
            collections: RwLock::new(HashMap::new()),
            max_entries_per_collection: max_entries_per_collection.and_then(NonZeroUsize::new),
            compact,
        }
    }

    /// Runs `f` on an existing collection (reads never create one).
    fn with_existing<T>(&self, collection: &str, f: impl FnOnce(&Table) -> T) -> Option<T> {
        self.collections.read().get(collection).map(f)
    }

    /// Runs `f` on a collection, creating it first if needed (writes).
    fn with_created<T>(&self, collection: &str, f: impl FnOnce(&Table) -> T) -> T {
        if let Some(table) = self.collections.read().get(collection) {
            return f(table);
        }
        let mut map = self.collections.write();
        let table = map
            .entry(collection.to_owned())
            .or_insert_with(|| Table::new(self.max_entries_per_collection, self.compact));
        f(table)
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
        Ok(self
            .with_existing(collection.as_str(), |t| t.get(key.as_str()))
            .transpose()?
            .flatten())
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        Ok(self
            .with_existing(collection.as_str(), |t| {
                t.get_many(keys.iter().map(Name::as_str))
            })
            .transpose()?
            .unwrap_or_else(|| vec![None; keys.len()]))
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        self.with_created(collection.as_str(), |t| {
            t.insert_many(std::iter::once((key.as_str(), entry)))
        });
        Ok(())
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        self.with_created(collection.as_str(), |t| {
            t.insert_many(entries.into_iter().map(|(k, e)| (k.stored, e)))
        });
        Ok(())
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let removed = self.with_existing(collection.as_str(), |t| {
            t.remove_many(std::iter::once(key.as_str()), now)
        });
        Ok(removed.unwrap_or(0) == 1)
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        let removed = self.with_existing(collection.as_str(), |t| {
            t.remove_many(keys.iter().map(Name::as_str), now)
        });
        Ok(removed.unwrap_or(0))
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        Ok(self
            .with_existing(collection.as_str(), |t| t.live_keys(limit, now))
            .unwrap_or_default())
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
        Ok(self
            .collections
            .write()
            .remove(collection.as_str())
            .is_some())
    }

    async fn cull(&self, now: Timestamp) -> Result<()> {
        for table in self.collections.read().values() {
            table.remove_expired(now);
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
        Ok(self.with_created(collection.as_str(), |t| {
            t.insert_if_absent(key.as_str(), entry, now)
        }))
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
            .field("compact", &self.inner.backend().compact)
            .finish()
    }
}

/// Builds a [`MemoryStore`].
#[derive(Debug, Default)]
pub struct MemoryStoreBuilder {
    max_entries_per_collection: Option<usize>,
    default_collection: Option<String>,
    seed: Seed,
    compact: bool,
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

    /// Keeps each value as its compact JSON text instead of a decoded object: about a quarter of
    /// the memory for small values (a decoded object is a tree of allocations; a 100-byte value
    /// takes about 1 KB decoded, about 230 bytes compact), at the price of parsing on every
    /// read (a few hundred nanoseconds). Off by default.
    ///
    /// ```
    /// use kv_core::KeyValue;
    /// use kv_store_memory::MemoryStore;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
    /// let store = MemoryStore::builder().compact(true).build();
    /// let value = serde_json::json!({"name": "Alice"}).as_object().unwrap().clone();
    /// store.put(Some("users"), "alice", value.clone(), None).await?;
    /// assert_eq!(store.get(Some("users"), "alice").await?, Some(value));
    /// # Ok(()) }
    /// ```
    pub fn compact(mut self, on: bool) -> Self {
        self.compact = on;
        self
    }

    /// Entries written once, on first use: `collection -> key -> value`.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// The store.
    pub fn build(self) -> MemoryStore {
        let mut inner = Store::new(MemoryBackend::new(
            self.max_entries_per_collection,
            self.compact,
        ))
        .with_seed(self.seed);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        MemoryStore { inner }
    }
}
