//! The shared conformance suite on DiskStore and MultiDiskStore, both with `max_size = 100 KiB`
//! (conformance.md §4), each test on a fresh temporary directory.

mod common;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;

use kv_core::conformance::{RawAccess, SuiteConfig};
use kv_core::{async_trait, compound_key, KeyValue, Result};
use kv_store_disk::{directory_name, DiskStore, MultiDiskStore};
use tempfile::TempDir;

const MAX_SIZE: u64 = 100 * 1024;

thread_local! {
    /// The directory of the store the running test created. A test's factory, body and raw
    /// accessor all run on the test's own thread (the `block_on` future), so a thread-local
    /// links the raw accessor to that test's store.
    static CURRENT_DIR: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

fn current_dir() -> PathBuf {
    CURRENT_DIR.with(|d| d.borrow().clone().expect("no store created on this thread"))
}

/// A store that keeps its temporary directory alive.
struct Held<S> {
    store: S,
    _dir: TempDir,
}

macro_rules! held {
    ($ty:ty) => {
        kv_core::delegate_key_value!(Held<$ty>, store);
    };
}
held!(DiskStore);
held!(MultiDiskStore);

fn temp_dir() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("kv-disk-conf-")
        .tempdir()
        .expect("temp dir");
    CURRENT_DIR.with(|d| *d.borrow_mut() = Some(dir.path().to_path_buf()));
    dir
}

struct DiskRaw;

#[async_trait]
impl RawAccess for DiskRaw {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        common::write_raw_row(&current_dir(), &compound_key(collection, key), bytes);
        Ok(())
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        Ok(common::row_exists(
            &current_dir(),
            &compound_key(collection, key),
        ))
    }
}

struct MultiDiskRaw;

#[async_trait]
impl RawAccess for MultiDiskRaw {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let dir = current_dir().join(directory_name(collection)?);
        common::write_raw_row(&dir, key, bytes);
        Ok(())
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let dir = current_dir().join(directory_name(collection)?);
        Ok(common::row_exists(&dir, key))
    }
}

kv_core::conformance_tests!(
    disk,
    || async {
        let dir = temp_dir();
        let store = DiskStore::builder(dir.path()).max_size(MAX_SIZE).build();
        Some(Arc::new(Held { store, _dir: dir }) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new().bounded().raw(Arc::new(DiskRaw))
);

kv_core::conformance_tests!(
    multi_disk,
    || async {
        let dir = temp_dir();
        let store = MultiDiskStore::builder(dir.path())
            .max_size(MAX_SIZE)
            .build();
        Some(Arc::new(Held { store, _dir: dir }) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new().bounded().raw(Arc::new(MultiDiskRaw))
);
