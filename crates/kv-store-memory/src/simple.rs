//! [`SimpleStore`]: one FIFO-bounded map for all collections (a test store).

use std::collections::BTreeSet;

use kv_core::{async_trait, Backend, Capabilities, Entry, Name, Result, Store, Timestamp};
use lru::LruCache;
use parking_lot::Mutex;

type Slot = (String, String);

/// The raw backend of [`SimpleStore`].
#[derive(Debug)]
pub struct SimpleBackend {
    // Used in insertion order only (`peek`, never `get`), so `pop_lru` pops the oldest insert.
    map: Mutex<LruCache<Slot, Entry>>,
    max_entries: Option<usize>,
}

impl SimpleBackend {
    fn slot(collection: &Name<'_>, key: &Name<'_>) -> Slot {
        (collection.as_str().to_owned(), key.as_str().to_owned())
    }

    fn insert(&self, map: &mut LruCache<Slot, Entry>, slot: Slot, entry: Entry) {
        if let Some(existing) = map.peek_mut(&slot) {
            *existing = entry;
            return;
        }
        if let Some(max) = self.max_entries.filter(|m| *m > 0) {
            while map.len() >= max {
                map.pop_lru();
            }
        }
        map.put(slot, entry);
    }
}

#[async_trait]
impl Backend for SimpleBackend {
    fn name(&self) -> &'static str {
        "simple"
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::NONE;
        caps.keys = true;
        caps.collections = true;
        caps.destroy = true;
        caps
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        Ok(self.map.lock().peek(&Self::slot(collection, key)).cloned())
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let slot = Self::slot(collection, key);
        self.insert(&mut self.map.lock(), slot, entry);
        Ok(())
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let removed = self.map.lock().pop(&Self::slot(collection, key));
        Ok(removed.is_some_and(|e| e.is_live(now)))
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let map = self.map.lock();
        Ok(map
            .iter()
            .filter(|((c, _), e)| c == collection.as_str() && e.is_live(now))
            .map(|((_, k), _)| k.clone())
            .take(limit)
            .collect())
    }

    async fn collections(&self, limit: usize) -> Result<Vec<String>> {
        let map = self.map.lock();
        let names: BTreeSet<&String> = map.iter().map(|((c, _), _)| c).collect();
        Ok(names.into_iter().take(limit).cloned().collect())
    }

    async fn destroy(&self) -> Result<bool> {
        let mut map = self.map.lock();
        let any = !map.is_empty();
        map.clear();
        Ok(any)
    }
}

/// A simple store for tests: one map for every collection, bounded by `max_entries` (inserting a
/// new key into a full store evicts the oldest insert; overwriting never evicts). Offers `keys`,
/// `collections` and `destroy`. Unstable.
///
/// ```
/// use kv_core::KeyValue;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = kv_store_memory::SimpleStore::with_max_entries(2);
/// for key in ["a", "b", "c"] {
///     store.put(None, key, kv_core::Object::new(), None).await?;
/// }
/// assert_eq!(store.get(None, "a").await?, None); // the oldest was evicted
/// # Ok(()) }
/// ```
pub struct SimpleStore {
    inner: Store<SimpleBackend>,
}

kv_core::delegate_key_value!(SimpleStore, inner);

impl SimpleStore {
    /// An unbounded simple store.
    pub fn new() -> Self {
        Self::build(None)
    }

    /// A simple store holding at most `max_entries` entries (0 = unbounded).
    pub fn with_max_entries(max_entries: usize) -> Self {
        Self::build(Some(max_entries))
    }

    fn build(max_entries: Option<usize>) -> Self {
        SimpleStore {
            inner: Store::new(SimpleBackend {
                map: Mutex::new(LruCache::unbounded()),
                max_entries,
            }),
        }
    }
}

impl Default for SimpleStore {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SimpleStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimpleStore")
            .field("max_entries", &self.inner.backend().max_entries)
            .finish()
    }
}
