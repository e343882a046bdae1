//! [`RocksDBStore`] and its builder.

use std::path::PathBuf;
use std::sync::Arc;

use kv_core::{Seed, Stability, Store};
use rust_rocksdb::DB;

use crate::backend::{RocksDBBackend, Source};

/// A persistent store in a RocksDB directory, in the layout py-key-value's `RocksDBStore`
/// (rocksdict) uses, so Python and Rust can read each other's directories (one process at a
/// time: RocksDB locks the directory).
///
/// Built from a path (the store opens the database lazily on first use, creating the
/// directory unless `auto_create(false)`, and closes it on [`close`](kv_core::KeyValue::close)),
/// or from a database you opened (never closed by the store). Writes go through the WAL and
/// are acknowledged once handed to the OS (safe against a process crash); with
/// [`sync_writes(true)`](RocksDBStoreBuilder::sync_writes) each write is also fsynced (safe
/// against power loss).
///
/// ```
/// use kv_core::KeyValue;
/// use kv_store_rocksdb::RocksDBStore;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// # let dir = std::env::temp_dir().join(format!("kv-rocksdb-store-doc-{}", std::process::id()));
/// let store = RocksDBStore::builder(&dir).default_collection("app").build();
/// let value = serde_json::json!({"n": 1}).as_object().unwrap().clone();
/// store.put(None, "k", value.clone(), None).await?;
/// assert_eq!(store.get(Some("app"), "k").await?, Some(value));
/// store.close().await?;
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(()) }
/// ```
pub struct RocksDBStore {
    inner: Store<RocksDBBackend>,
}

kv_core::delegate_key_value!(RocksDBStore, inner);

impl std::fmt::Debug for RocksDBStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksDBStore")
            .field("inner", &self.inner)
            .finish()
    }
}

impl RocksDBStore {
    /// A store on the directory `path` with default settings (created if missing).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::builder(path).build()
    }

    /// A builder for a store on the directory `path`.
    pub fn builder(path: impl Into<PathBuf>) -> RocksDBStoreBuilder {
        RocksDBStoreBuilder::new(
            Source::Path {
                path: path.into(),
                auto_create: true,
            },
            None,
        )
    }

    /// A store on a database you opened (with [`rocksdict_options`](crate::rocksdict_options)
    /// or [`open_rocksdict_db`](crate::open_rocksdict_db)); the store never closes it.
    ///
    /// ```
    /// use kv_core::KeyValue;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("kv-rocksdb-from-db-doc-{}", std::process::id()));
    /// let db = kv_store_rocksdb::open_rocksdict_db(&dir)?;
    /// let store = kv_store_rocksdb::RocksDBStore::from_db(db.clone());
    /// store.put(None, "k", Default::default(), None).await?;
    /// store.close().await?;
    /// assert!(db.get(b"\x02default_collection::k").unwrap().is_some()); // still open
    /// # drop(db); std::fs::remove_dir_all(&dir).ok();
    /// # Ok(()) }
    /// ```
    pub fn from_db(db: Arc<DB>) -> Self {
        Self::builder_from_db(db).build()
    }

    /// A builder for a store on a database you opened.
    pub fn builder_from_db(db: Arc<DB>) -> RocksDBStoreBuilder {
        RocksDBStoreBuilder::new(Source::Handle, Some(db))
    }

    /// The open database: `None` before a path-constructed store's first operation (or
    /// [`setup`](kv_core::KeyValue::setup)) and after `close()`.
    pub fn db(&self) -> Option<Arc<DB>> {
        self.inner.backend().db()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }

    /// `Unstable`, like py-key-value's RocksDBStore.
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }
}

/// Configures a [`RocksDBStore`].
///
/// ```
/// let store = kv_store_rocksdb::RocksDBStore::builder("/tmp/kv-rocksdb-builder-doc")
///     .auto_create(false)
///     .sync_writes(true)
///     .build();
/// # drop(store);
/// ```
#[derive(Debug)]
pub struct RocksDBStoreBuilder {
    source: Source,
    db: Option<Arc<DB>>,
    default_collection: Option<String>,
    sync_writes: bool,
    seed: Seed,
}

impl RocksDBStoreBuilder {
    fn new(source: Source, db: Option<Arc<DB>>) -> Self {
        RocksDBStoreBuilder {
            source,
            db,
            default_collection: None,
            sync_writes: false,
            seed: Seed::new(),
        }
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Whether a missing directory is created (default `true`); when `false`, the first
    /// operation fails with `Setup` naming the directory. Ignored for a user's database.
    pub fn auto_create(mut self, auto_create: bool) -> Self {
        if let Source::Path { auto_create: a, .. } = &mut self.source {
            *a = auto_create;
        }
        self
    }

    /// fsync the WAL on every write (default `false`, like rocksdict and py-key-value).
    pub fn sync_writes(mut self, sync: bool) -> Self {
        self.sync_writes = sync;
        self
    }

    /// Seed data, written by ordinary puts after the first successful setup.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Builds the store; no I/O happens until the first operation.
    pub fn build(self) -> RocksDBStore {
        let backend = RocksDBBackend::new(self.source, self.db, self.sync_writes);
        let mut inner = Store::new(backend).with_seed(self.seed);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        RocksDBStore { inner }
    }
}
