//! The shared conformance suite on RocksDBStore, path-constructed (`rocksdb::`) and
//! handle-constructed (`rocksdb_handle::`), each test on a fresh temporary directory.

mod common;

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use kv_core::conformance::{RawAccess, SuiteConfig};
use kv_core::{async_trait, Error, KeyValue, Result};
use kv_store_rocksdb::layout::{key_bytes, TAG_BYTES};
use kv_store_rocksdb::rust_rocksdb::DB;
use kv_store_rocksdb::{open_rocksdict_db, RocksDBStore};
use tempfile::TempDir;

/// A store that keeps its directory (and, handle-constructed, the user's handle) alive.
/// Fields drop in order: the store first, then the handle, then the directory.
struct Held {
    store: RocksDBStore,
    _handle: Option<Arc<DB>>,
    _dir: TempDir,
}

kv_core::delegate_key_value!(Held, store);

thread_local! {
    /// The store the running test created. A test's factory, body and raw accessor all run on
    /// the test's own thread (the `block_on` future), so a thread-local links them.
    static CURRENT: RefCell<Weak<Held>> = const { RefCell::new(Weak::new()) };
}

fn hold(store: RocksDBStore, handle: Option<Arc<DB>>, dir: TempDir) -> Arc<dyn KeyValue> {
    let held = Arc::new(Held {
        store,
        _handle: handle,
        _dir: dir,
    });
    CURRENT.with(|c| *c.borrow_mut() = Arc::downgrade(&held));
    held
}

/// The running test's open database (opening a path-constructed store if needed).
async fn current_db() -> Result<Arc<DB>> {
    let held = CURRENT
        .with(|c| c.borrow().upgrade())
        .ok_or_else(|| Error::setup("no store created on this thread"))?;
    held.store.setup().await?;
    held.store
        .db()
        .ok_or_else(|| Error::setup("the store's database is not open"))
}

struct RocksRaw;

#[async_trait]
impl RawAccess for RocksRaw {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let mut value = vec![TAG_BYTES];
        value.extend_from_slice(bytes);
        current_db()
            .await?
            .put(key_bytes(collection, key), value)
            .map_err(|e| Error::backend(false, e.to_string()))
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        current_db()
            .await?
            .get(key_bytes(collection, key))
            .map(|v| v.is_some())
            .map_err(|e| Error::backend(false, e.to_string()))
    }
}

kv_core::conformance_tests!(
    rocksdb,
    || async {
        let dir = common::temp_dir("kv-rocksdb-conf-");
        let store = RocksDBStore::new(dir.path().join("db"));
        Some(hold(store, None, dir))
    },
    SuiteConfig::new().raw(Arc::new(RocksRaw))
);

kv_core::conformance_tests!(
    rocksdb_handle,
    || async {
        let dir = common::temp_dir("kv-rocksdb-conf-handle-");
        let db = open_rocksdict_db(dir.path()).expect("open the test database");
        let store = RocksDBStore::from_db(Arc::clone(&db));
        Some(hold(store, Some(db), dir))
    },
    SuiteConfig::new().raw(Arc::new(RocksRaw))
);
