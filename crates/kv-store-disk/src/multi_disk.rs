//! [`MultiDiskStore`]: one diskcache directory per collection under a base directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kv_core::codec::envelope;
use kv_core::{
    async_trait, Backend, Capabilities, Entry, Error, Name, Result, Seed, Stability, Store,
    Timestamp,
};
use parking_lot::RwLock;

use crate::cache::{Cache, CacheOptions};
use crate::disk::DISK_CAPABILITIES;
use crate::naming::DirectoryNames;

/// The raw backend of [`MultiDiskStore`]; collection names arrive already mapped to directory
/// names (the stored name is [`directory_name`](crate::directory_name)).
#[derive(Debug)]
pub struct MultiDiskBackend {
    base: PathBuf,
    options: CacheOptions,
    caches: RwLock<HashMap<String, Arc<Cache>>>,
}

impl MultiDiskBackend {
    /// The base directory.
    pub fn base_directory(&self) -> &Path {
        &self.base
    }

    async fn cache(&self, collection: &Name<'_>) -> Result<Arc<Cache>> {
        if let Some(cache) = self.caches.read().get(collection.as_str()) {
            return Ok(Arc::clone(cache));
        }
        self.open(collection.as_str()).await
    }

    async fn open(&self, dir_name: &str) -> Result<Arc<Cache>> {
        // `dir_name` passed DirectoryNames: one normal path component, never `.`/`..`/empty.
        let dir = self.base.join(dir_name);
        let options = self.options;
        let cache = tokio::task::spawn_blocking(move || Cache::open(&dir, options))
            .await
            .map_err(|e| Error::setup(format!("disk setup task failed: {e}")))??;
        let mut caches = self.caches.write();
        let cache = caches
            .entry(dir_name.to_owned())
            .or_insert_with(|| Arc::new(cache));
        Ok(Arc::clone(cache))
    }
}

fn doc(collection: &Name<'_>, key: &Name<'_>, entry: &Entry) -> String {
    envelope::encode(entry, Some((key.given, collection.given)))
}

#[async_trait]
impl Backend for MultiDiskBackend {
    fn name(&self) -> &'static str {
        "multi-disk"
    }

    fn stability(&self) -> Stability {
        Stability::Stable
    }

    fn capabilities(&self) -> Capabilities {
        DISK_CAPABILITIES
    }

    async fn setup(&self) -> Result<()> {
        let base = self.base.clone();
        let auto_create = self.options.auto_create;
        tokio::task::spawn_blocking(move || match std::fs::metadata(&base) {
            Ok(meta) if meta.is_dir() => Ok(()),
            Ok(_) => Err(Error::setup(format!(
                "'{}' exists and is not a directory",
                base.display()
            ))),
            Err(_) if auto_create => crate::cache::create_private_dir(&base).map_err(|e| {
                Error::setup(format!("cannot create '{}': {e}", base.display())).with_source(e)
            }),
            Err(_) => Err(Error::setup(format!(
                "Directory '{}' does not exist (auto_create is off)",
                base.display()
            ))),
        })
        .await
        .map_err(|e| Error::setup(format!("disk setup task failed: {e}")))?
    }

    fn has_collection_setup(&self) -> bool {
        true
    }

    async fn setup_collection(&self, collection: &Name<'_>) -> Result<()> {
        self.cache(collection).await.map(|_| ())
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let row_key = key.as_str().to_owned();
        self.cache(collection)
            .await?
            .run(move |cache, conn| cache.get(conn, &row_key))
            .await
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let row_keys: Vec<String> = keys.iter().map(|k| k.as_str().to_owned()).collect();
        self.cache(collection)
            .await?
            .run(move |cache, conn| cache.get_many(conn, &row_keys))
            .await
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let row_key = key.as_str().to_owned();
        let doc = doc(collection, key, &entry);
        self.cache(collection)
            .await?
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
                (
                    key.as_str().to_owned(),
                    doc(collection, &key, &entry),
                    entry,
                )
            })
            .collect();
        self.cache(collection)
            .await?
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
        let row_key = vec![key.as_str().to_owned()];
        self.cache(collection)
            .await?
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
        let row_keys: Vec<String> = keys.iter().map(|k| k.as_str().to_owned()).collect();
        self.cache(collection)
            .await?
            .run(move |cache, conn| cache.delete_many(conn, &row_keys, now))
            .await
    }

    /// Culls the caches this store has opened (collections used in this process).
    async fn cull(&self, _now: Timestamp) -> Result<()> {
        let caches: Vec<Arc<Cache>> = self.caches.read().values().cloned().collect();
        for cache in caches {
            cache
                .run(|cache, conn| cache.expire_all(conn).map(|_| ()))
                .await?;
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
        let row_key = key.as_str().to_owned();
        let doc = doc(collection, key, &entry);
        self.cache(collection)
            .await?
            .run(move |cache, conn| {
                let row = cache.prepare(row_key, doc, &entry)?;
                cache.put_if_absent(conn, row, now)
            })
            .await
    }

    async fn close(&self) -> Result<()> {
        for cache in self.caches.read().values() {
            cache.close();
        }
        Ok(())
    }
}

/// A store keeping each collection in its own python-diskcache directory under a base directory,
/// byte-compatible with py-key-value's `MultiDiskStore`.
///
/// The directory of collection `C` is `base/<sanitize_filename(C)>` (pathvalidate's
/// `sanitize_filename`, see [`sanitize_filename`](crate::sanitize_filename)); inside it rows are
/// keyed by the bare key and hold the envelope with `key` and `collection`. A collection whose
/// directory name would be empty, `.` or `..` is rejected with `InvalidKey`, so no collection can
/// address the base directory or anything outside it.
///
/// **Collisions.** Like py-key-value, collections that sanitize to the same name (`"a:b"` and
/// `"ab"`), and on case-insensitive file systems names that differ only in case (`"Users"` and
/// `"users"`), share one directory and therefore one set of keys. This store keeps that mapping
/// unchanged so both languages open the same directories; use distinct, file-system-safe,
/// lower-case collection names when isolation matters.
///
/// `max_size` applies to each collection's cache separately.
///
/// ```
/// use kv_core::KeyValue;
/// use kv_store_disk::MultiDiskStore;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// # let tmp = std::env::temp_dir().join(format!("kv-multi-disk-doc-{}", std::process::id()));
/// let store = MultiDiskStore::new(&tmp);
/// let value = serde_json::json!({"name": "Alice"}).as_object().unwrap().clone();
/// store.put(Some("my coll/x:y"), "alice", value.clone(), None).await?;
/// assert!(tmp.join("my collxy").join("cache.db").exists());
/// assert_eq!(store.get(Some("my coll/x:y"), "alice").await?, Some(value));
/// store.close().await?;
/// # std::fs::remove_dir_all(&tmp).ok();
/// # Ok(()) }
/// ```
pub struct MultiDiskStore {
    inner: Store<MultiDiskBackend>,
}

kv_core::delegate_key_value!(MultiDiskStore, inner);

impl std::fmt::Debug for MultiDiskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiDiskStore")
            .field("inner", &self.inner)
            .finish()
    }
}

impl MultiDiskStore {
    /// A store under `base_directory` with the defaults (no size limit, directories created).
    pub fn new(base_directory: impl Into<PathBuf>) -> Self {
        Self::builder(base_directory).build()
    }

    /// A builder for a store under `base_directory`.
    pub fn builder(base_directory: impl Into<PathBuf>) -> MultiDiskStoreBuilder {
        MultiDiskStoreBuilder {
            base: base_directory.into(),
            options: CacheOptions::default(),
            default_collection: None,
            seed: Seed::new(),
        }
    }

    /// The base directory.
    pub fn base_directory(&self) -> &Path {
        self.inner.backend().base_directory()
    }

    /// The directory that holds `collection` (`None` = the default collection).
    pub fn collection_directory(&self, collection: Option<&str>) -> Result<PathBuf> {
        let name = match collection {
            None | Some("") => self.inner.default_collection(),
            Some(c) => c,
        };
        Ok(self.base_directory().join(crate::directory_name(name)?))
    }

    /// The wrapped [`Store`].
    pub fn store(&self) -> &Store<MultiDiskBackend> {
        &self.inner
    }
}

/// Builds a [`MultiDiskStore`]; construction does no I/O.
#[derive(Debug, Clone)]
pub struct MultiDiskStoreBuilder {
    base: PathBuf,
    options: CacheOptions,
    default_collection: Option<String>,
    seed: Seed,
}

impl MultiDiskStoreBuilder {
    /// Caps each collection's cache at `bytes` (`0`: unlimited).
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.options.max_size = (bytes > 0).then_some(bytes);
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Seed data, written (without TTL) after the store first sets up in this process.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Whether missing directories are created (default `true`).
    pub fn auto_create(mut self, auto_create: bool) -> Self {
        self.options.auto_create = auto_create;
        self
    }

    /// The SQLite page size, in bytes, of each collection's cache file when this store creates it (default 2048; a
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
    pub fn build(self) -> MultiDiskStore {
        let backend = MultiDiskBackend {
            base: self.base,
            options: self.options,
            caches: RwLock::new(HashMap::new()),
        };
        let mut inner = Store::new(backend)
            .with_collection_strategy(DirectoryNames)
            .with_seed(self.seed);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        MultiDiskStore { inner }
    }
}
