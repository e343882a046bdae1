//! [`DiskStore`]: every collection in one diskcache directory, rows keyed `collection::key`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use kv_core::codec::envelope;
use kv_core::{
    async_trait, compound_key, Backend, Capabilities, Entry, Error, Name, Result, Seed, Stability,
    Store, Timestamp,
};

use crate::cache::{Cache, CacheOptions};

/// The capabilities of both disk stores: `cull` and atomic `put_if_absent`.
pub(crate) const DISK_CAPABILITIES: Capabilities = Capabilities {
    cull: true,
    put_if_absent: true,
    ..Capabilities::NONE
};

/// The raw backend of [`DiskStore`].
#[derive(Debug)]
pub struct DiskBackend {
    directory: PathBuf,
    options: CacheOptions,
    cache: OnceLock<Arc<Cache>>,
}

impl DiskBackend {
    fn cache(&self) -> Result<&Arc<Cache>> {
        self.cache
            .get()
            .ok_or_else(|| Error::setup("the disk cache is not open"))
    }

    /// The cache directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }
}

/// `(row key, envelope text)` of an entry: key `C::K` from the stored names, envelope
/// `DOC(K,C)` with the given names.
fn row_parts(collection: &Name<'_>, key: &Name<'_>, entry: &Entry) -> (String, String) {
    (
        compound_key(collection.as_str(), key.as_str()),
        envelope::encode(entry, Some((key.given, collection.given))),
    )
}

#[async_trait]
impl Backend for DiskBackend {
    fn name(&self) -> &'static str {
        "disk"
    }

    fn stability(&self) -> Stability {
        Stability::Stable
    }

    fn capabilities(&self) -> Capabilities {
        // One cache holds every collection, so it can list them (`collection::key` rows).
        Capabilities {
            keys: true,
            collections: true,
            ..DISK_CAPABILITIES
        }
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        _now: Timestamp,
    ) -> Result<Vec<String>> {
        let prefix = compound_key(collection.as_str(), "");
        let rows = self
            .cache()?
            .run(move |cache, conn| cache.keys_with_prefix(conn, &prefix, limit))
            .await?;
        let strip = compound_key(collection.as_str(), "").len();
        Ok(rows.into_iter().map(|k| k[strip..].to_owned()).collect())
    }

    async fn collections(&self, limit: usize) -> Result<Vec<String>> {
        self.cache()?
            .run(move |cache, conn| cache.collection_prefixes(conn, limit))
            .await
    }

    async fn setup(&self) -> Result<()> {
        if self.cache.get().is_some() {
            return Ok(());
        }
        let directory = self.directory.clone();
        let options = self.options;
        let cache = tokio::task::spawn_blocking(move || Cache::open(&directory, options))
            .await
            .map_err(|e| Error::setup(format!("disk setup task failed: {e}")))??;
        let _ = self.cache.set(Arc::new(cache));
        Ok(())
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let row_key = compound_key(collection.as_str(), key.as_str());
        self.cache()?
            .run(move |cache, conn| cache.get(conn, &row_key))
            .await
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let row_keys: Vec<String> = keys
            .iter()
            .map(|k| compound_key(collection.as_str(), k.as_str()))
            .collect();
        self.cache()?
            .run(move |cache, conn| cache.get_many(conn, &row_keys))
            .await
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let (row_key, doc) = row_parts(collection, key, &entry);
        self.cache()?
            .run(move |cache, conn| {
                let row = cache.prepare(row_key, doc, &entry)?;
                cache.put_many(conn, vec![row])
            })
            .await
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        let parts: Vec<(String, String, Entry)> = entries
            .into_iter()
            .map(|(key, entry)| {
                let (k, d) = row_parts(collection, &key, &entry);
                (k, d, entry)
            })
            .collect();
        self.cache()?
            .run(move |cache, conn| {
                let mut rows = Vec::with_capacity(parts.len());
                for (key, doc, entry) in parts {
                    rows.push(cache.prepare(key, doc, &entry)?);
                }
                cache.put_many(conn, rows)
            })
            .await
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let row_key = vec![compound_key(collection.as_str(), key.as_str())];
        self.cache()?
            .run(move |cache, conn| cache.delete_many(conn, &row_key, now))
            .await
            .map(|n| n > 0)
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        let row_keys: Vec<String> = keys
            .iter()
            .map(|k| compound_key(collection.as_str(), k.as_str()))
            .collect();
        self.cache()?
            .run(move |cache, conn| cache.delete_many(conn, &row_keys, now))
            .await
    }

    async fn cull(&self, _now: Timestamp) -> Result<()> {
        self.cache()?
            .run(|cache, conn| cache.expire_all(conn).map(|_| ()))
            .await
    }

    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        now: Timestamp,
    ) -> Result<bool> {
        let (row_key, doc) = row_parts(collection, key, &entry);
        self.cache()?
            .run(move |cache, conn| {
                let row = cache.prepare(row_key, doc, &entry)?;
                cache.put_if_absent(conn, row, now)
            })
            .await
    }

    async fn close(&self) -> Result<()> {
        if let Some(cache) = self.cache.get() {
            cache.close();
        }
        Ok(())
    }
}

/// A store keeping every collection in one python-diskcache directory (SQLite `cache.db` plus
/// `.val` files for values of 32 KiB and more), byte-compatible with py-key-value's `DiskStore`:
/// Python reads what this store writes and the other way round, even concurrently.
///
/// Rows are keyed `collection::key`; the value is the canonical envelope; TTLs set diskcache's
/// `expire_time`. With `max_size` the cache evicts the least recently stored entries like
/// diskcache. SQLite runs in WAL mode with `synchronous = NORMAL`; all file and database work
/// happens on tokio's blocking pool. Optional operations: `cull` and `put_if_absent`.
///
/// ```
/// use kv_core::KeyValue;
/// use kv_store_disk::DiskStore;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// # let tmp = std::env::temp_dir().join(format!("kv-disk-doc-{}", std::process::id()));
/// let store = DiskStore::builder(&tmp).max_size(64 * 1024 * 1024).build();
/// let value = serde_json::json!({"name": "Alice"}).as_object().unwrap().clone();
/// store.put(Some("users"), "alice", value.clone(), None).await?;
/// assert_eq!(store.get(Some("users"), "alice").await?, Some(value));
/// store.close().await?;
/// # std::fs::remove_dir_all(&tmp).ok();
/// # Ok(()) }
/// ```
pub struct DiskStore {
    inner: Store<DiskBackend>,
}

kv_core::delegate_key_value!(DiskStore, inner);

impl std::fmt::Debug for DiskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskStore")
            .field("inner", &self.inner)
            .finish()
    }
}

impl DiskStore {
    /// A store on `directory` with the defaults (no size limit, directory created if missing).
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        Self::builder(directory).build()
    }

    /// A builder for a store on `directory`.
    pub fn builder(directory: impl Into<PathBuf>) -> DiskStoreBuilder {
        DiskStoreBuilder {
            directory: directory.into(),
            options: CacheOptions::default(),
            default_collection: None,
            seed: Seed::new(),
        }
    }

    /// The cache directory.
    pub fn directory(&self) -> &Path {
        self.inner.backend().directory()
    }

    /// The wrapped [`Store`].
    pub fn store(&self) -> &Store<DiskBackend> {
        &self.inner
    }
}

/// Builds a [`DiskStore`]; construction does no I/O (the cache opens on first use or `setup()`).
#[derive(Debug, Clone)]
pub struct DiskStoreBuilder {
    directory: PathBuf,
    options: CacheOptions,
    default_collection: Option<String>,
    seed: Seed,
}

impl DiskStoreBuilder {
    /// Caps the cache at `bytes` (diskcache `size_limit`, eviction `least-recently-stored`);
    /// `0` means unlimited (eviction `none`, `size_limit` 1 GiB as diskcache's default).
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.options.max_size = (bytes > 0).then_some(bytes);
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Seed data, written (without TTL) after the cache first opens in this process.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Whether a missing directory is created (default `true`); when `false` operations fail
    /// with `Setup` naming the directory.
    pub fn auto_create(mut self, auto_create: bool) -> Self {
        self.options.auto_create = auto_create;
        self
    }

    /// The SQLite page size, in bytes, of the cache file when this store creates it (default 2048; a
    /// power of two from 512 to 65536, anything else fails `setup` with `Setup`). A file that
    /// already exists keeps its page size, so a cache Python created stays at SQLite's 4096.
    /// Smaller pages make each put's commit write less (it writes every page it changes); values
    /// larger than a page spill into overflow pages, so caches of mostly multi-kilobyte values
    /// may read faster with 4096 or more.
    pub fn page_size(mut self, bytes: u32) -> Self {
        self.options.page_size = bytes;
        self
    }

    /// Builds the store.
    pub fn build(self) -> DiskStore {
        let backend = DiskBackend {
            directory: self.directory,
            options: self.options,
            cache: OnceLock::new(),
        };
        let mut inner = Store::new(backend).with_seed(self.seed);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        DiskStore { inner }
    }
}
