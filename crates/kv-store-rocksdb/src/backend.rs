//! [`RocksDBBackend`]: the raw entry operations on a rocksdict-layout database, each run on
//! blocking context ([`kv_core::blocking::run`]) with a shared `Arc<DB>`.

use std::path::PathBuf;
use std::sync::Arc;

use kv_core::{async_trait, Backend, Capabilities, Entry, Error, Name, Result, Timestamp};
use parking_lot::RwLock;
use rust_rocksdb::{FlushOptions, WriteBatch, WriteOptions, DB};

use crate::error;
use crate::layout::{self, key_bytes, value_bytes};
use crate::open;
use crate::scan;

/// What RocksDBStore offers beyond the core operations: prefix-iteration based `keys`,
/// `collections`, `destroy_collection` and `cull`.
pub(crate) const ROCKSDB_CAPABILITIES: Capabilities = Capabilities {
    keys: true,
    collections: true,
    destroy_collection: true,
    cull: true,
    ..Capabilities::NONE
};

/// Where the database comes from.
#[derive(Debug)]
pub(crate) enum Source {
    /// Opened (and closed) by the store.
    Path { path: PathBuf, auto_create: bool },
    /// The user's handle: never flushed or closed by the store.
    Handle,
}

/// The raw backend of [`RocksDBStore`](crate::RocksDBStore).
pub struct RocksDBBackend {
    source: Source,
    db: RwLock<Option<Arc<DB>>>,
    sync_writes: bool,
    /// Writes share it, read-then-delete operations (delete, cull, destroy_collection) hold it
    /// exclusively: a delete counts a key once, and cull never removes a just-written entry.
    write_lock: Arc<RwLock<()>>,
}

impl std::fmt::Debug for RocksDBBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksDBBackend")
            .field("source", &self.source)
            .field("open", &self.db.read().is_some())
            .field("sync_writes", &self.sync_writes)
            .finish()
    }
}

impl RocksDBBackend {
    pub(crate) fn new(source: Source, db: Option<Arc<DB>>, sync_writes: bool) -> Self {
        RocksDBBackend {
            source,
            db: RwLock::new(db),
            sync_writes,
            write_lock: Arc::new(RwLock::new(())),
        }
    }

    /// The open database handle (`None` before setup of a path-constructed store and after `close()`).
    pub fn db(&self) -> Option<Arc<DB>> {
        self.db.read().clone()
    }

    /// Runs `f` with the database through [`kv_core::blocking::run`] (in place on a
    /// multi-thread runtime, on the blocking pool otherwise).
    async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&DB) -> Result<T> + Send + 'static,
    {
        let db = self
            .db()
            .ok_or_else(|| Error::setup("the RocksDB database is not open"))?;
        kv_core::blocking::run("rocksdb", move || f(&db)).await
    }

    fn write_options(sync: bool) -> WriteOptions {
        let mut options = WriteOptions::default();
        options.set_sync(sync);
        options
    }
}

/// Whether stored bytes hold an entry live at `now` (undecodable data counts as live, so a
/// delete of corrupted data reports `true`).
fn is_live(bytes: &[u8], now: Timestamp) -> bool {
    layout::decode_value(bytes).map_or(true, |e| e.is_live(now))
}

#[async_trait]
impl Backend for RocksDBBackend {
    fn name(&self) -> &'static str {
        "rocksdb"
    }

    fn capabilities(&self) -> Capabilities {
        ROCKSDB_CAPABILITIES
    }

    async fn setup(&self) -> Result<()> {
        if self.db.read().is_some() {
            return Ok(());
        }
        let Source::Path { path, auto_create } = &self.source else {
            return Err(Error::setup("the RocksDB handle was released"));
        };
        let (path, auto_create) = (path.clone(), *auto_create);
        let db = tokio::task::spawn_blocking(move || {
            open::open_db(&path, &open::rocksdict_options(), auto_create)
        })
        .await
        .map_err(error::join)??;
        *self.db.write() = Some(db);
        Ok(())
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let raw_key = key_bytes(collection.as_str(), key.as_str());
        self.run(
            move |db| match db.get_pinned(&raw_key).map_err(error::rocksdb)? {
                Some(bytes) => layout::decode_value(&bytes).map(Some),
                None => Ok(None),
            },
        )
        .await
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let raw_keys: Vec<Vec<u8>> = keys
            .iter()
            .map(|k| key_bytes(collection.as_str(), k.as_str()))
            .collect();
        let given: Vec<String> = keys.iter().map(|k| k.given.to_owned()).collect();
        self.run(move |db| {
            db.batched_multi_get_pinned(&raw_keys, false)
                .into_iter()
                .zip(given)
                .map(|(slot, key)| match slot.map_err(error::rocksdb)? {
                    Some(bytes) => layout::decode_value(&bytes)
                        .map(Some)
                        .map_err(|e| e.with_key(key)),
                    None => Ok(None),
                })
                .collect()
        })
        .await
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let raw_key = key_bytes(collection.as_str(), key.as_str());
        let value = value_bytes(&entry, key.given, collection.given);
        let (sync, lock) = (self.sync_writes, Arc::clone(&self.write_lock));
        self.run(move |db| {
            let _guard = lock.read();
            db.put_opt(raw_key, value, &Self::write_options(sync))
                .map_err(error::rocksdb)
        })
        .await
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        let mut batch = WriteBatch::default();
        for (key, entry) in &entries {
            batch.put(
                key_bytes(collection.as_str(), key.as_str()),
                value_bytes(entry, key.given, collection.given),
            );
        }
        let (sync, lock) = (self.sync_writes, Arc::clone(&self.write_lock));
        self.run(move |db| {
            let _guard = lock.read();
            db.write_opt(&batch, &Self::write_options(sync))
                .map_err(error::rocksdb)
        })
        .await
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let raw_key = key_bytes(collection.as_str(), key.as_str());
        let (sync, lock) = (self.sync_writes, Arc::clone(&self.write_lock));
        self.run(move |db| {
            let _guard = lock.write();
            let Some(bytes) = db.get_pinned(&raw_key).map_err(error::rocksdb)? else {
                return Ok(false);
            };
            let live = is_live(&bytes, now);
            drop(bytes);
            db.delete_opt(&raw_key, &Self::write_options(sync))
                .map_err(error::rocksdb)?;
            Ok(live)
        })
        .await
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        let raw_keys: Vec<Vec<u8>> = keys
            .iter()
            .map(|k| key_bytes(collection.as_str(), k.as_str()))
            .collect();
        let (sync, lock) = (self.sync_writes, Arc::clone(&self.write_lock));
        self.run(move |db| {
            let _guard = lock.write();
            let mut batch = WriteBatch::default();
            let mut count = 0;
            for (raw_key, slot) in raw_keys
                .iter()
                .zip(db.batched_multi_get_pinned(&raw_keys, false))
            {
                if let Some(bytes) = slot.map_err(error::rocksdb)? {
                    count += usize::from(is_live(&bytes, now));
                    batch.delete(raw_key);
                }
            }
            if !batch.is_empty() {
                db.write_opt(&batch, &Self::write_options(sync))
                    .map_err(error::rocksdb)?;
            }
            Ok(count)
        })
        .await
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let prefix = layout::collection_prefix(collection.as_str());
        self.run(move |db| scan::live_keys(db, &prefix, limit, now))
            .await
    }

    async fn collections(&self, limit: usize) -> Result<Vec<String>> {
        self.run(move |db| scan::collections(db, limit)).await
    }

    async fn destroy_collection(&self, collection: &Name<'_>) -> Result<bool> {
        let prefix = layout::collection_prefix(collection.as_str());
        let (sync, lock) = (self.sync_writes, Arc::clone(&self.write_lock));
        self.run(move |db| {
            let _guard = lock.write();
            scan::delete_prefix(db, &prefix, &Self::write_options(sync))
        })
        .await
    }

    async fn cull(&self, now: Timestamp) -> Result<()> {
        let (sync, lock) = (self.sync_writes, Arc::clone(&self.write_lock));
        self.run(move |db| {
            let _guard = lock.write();
            scan::delete_expired(db, now, &Self::write_options(sync))
        })
        .await
    }

    async fn close(&self) -> Result<()> {
        let Some(db) = self.db.write().take() else {
            return Ok(());
        };
        if matches!(self.source, Source::Handle) {
            // The user's handle: only our reference goes away.
            return Ok(());
        }
        // Flush the memtable like py-key-value does, then close the database off the executor.
        tokio::task::spawn_blocking(move || {
            let mut options = FlushOptions::default();
            options.set_wait(true);
            let flushed = db.flush_opt(&options).map_err(error::rocksdb);
            drop(db);
            flushed
        })
        .await
        .map_err(error::join)?
    }
}

impl Drop for RocksDBBackend {
    fn drop(&mut self) {
        // Closing RocksDB waits for background work: never do that on an async worker.
        if let Some(db) = self.db.get_mut().take() {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) if matches!(self.source, Source::Path { .. }) => {
                    drop(handle.spawn_blocking(move || drop(db)));
                }
                _ => drop(db),
            }
        }
    }
}
