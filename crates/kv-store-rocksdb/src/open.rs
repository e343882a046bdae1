//! Opening a directory the way rocksdict does: `create_if_missing`, the `rocksdict` comparator
//! and `rocksdict-config.json`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kv_core::{Error, Result};
use rust_rocksdb::{BlockBasedOptions, Options, DB};

use crate::error;
use crate::layout::{self, COMPARATOR_NAME, CONFIG_FILE, CONFIG_JSON};

/// RocksDB options compatible with rocksdict (and so with py-key-value's `RocksDBStore`):
/// `create_if_missing`, the comparator registered as `"rocksdict"`, and SST
/// `format_version = 6` (RocksDB 11 defaults to 7, which rocksdict's RocksDB 9.8 cannot read).
///
/// Use them to open a database yourself and hand it to
/// [`RocksDBStore::from_db`](crate::RocksDBStore::from_db); add any tuning you like, but keep the
/// comparator.
///
/// ```
/// let mut options = kv_store_rocksdb::rocksdict_options();
/// options.increase_parallelism(2);
/// ```
pub fn rocksdict_options() -> Options {
    let mut options = Options::default();
    options.create_if_missing(true);
    options.set_comparator(COMPARATOR_NAME, Box::new(layout::compare));
    let mut table = BlockBasedOptions::default();
    table.set_format_version(SST_FORMAT_VERSION);
    options.set_block_based_table_factory(&table);
    options
}

/// The newest block-based table format rocksdict 0.3.29 (RocksDB 9.8.4) reads.
pub const SST_FORMAT_VERSION: i32 = 6;

/// Opens (creating if missing) a rocksdict-compatible database at `path` with
/// [`rocksdict_options`], writing `rocksdict-config.json` if absent, as rocksdict does.
///
/// This is blocking I/O: call it from a blocking context (or `spawn_blocking`).
///
/// ```
/// # fn main() -> kv_core::Result<()> {
/// # let dir = std::env::temp_dir().join(format!("kv-rocksdb-open-doc-{}", std::process::id()));
/// let db = kv_store_rocksdb::open_rocksdict_db(&dir)?;
/// assert!(dir.join("rocksdict-config.json").exists());
/// # drop(db); std::fs::remove_dir_all(&dir).ok();
/// # Ok(()) }
/// ```
pub fn open_rocksdict_db(path: impl AsRef<Path>) -> Result<Arc<DB>> {
    open_db(path.as_ref(), &rocksdict_options(), true)
}

/// Opens the database at `path`; with `auto_create` a missing directory is created, without
/// it a missing directory is a `Setup` error naming it.
pub(crate) fn open_db(path: &Path, options: &Options, auto_create: bool) -> Result<Arc<DB>> {
    if !path.exists() {
        if !auto_create {
            return Err(Error::setup(format!(
                "Directory '{}' does not exist. Either create the directory manually or set auto_create=true.",
                path.display()
            )));
        }
        create_private_dir(path).map_err(|e| {
            error::setup(format!("cannot create directory '{}'", path.display()), e)
        })?;
    }
    let db = open_retrying_lock(path, options)?;
    write_config(path)?;
    Ok(Arc::new(db))
}

/// Creates `dir` (and missing parents) readable by the owner only: the database holds data the
/// other users of the machine have no business reading (RocksDB creates its files 0644).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// A store dropped without `close()` releases its `LOCK` on a blocking thread a moment later;
/// a lock conflict is retried for up to a second before it is reported.
fn open_retrying_lock(path: &Path, options: &Options) -> Result<DB> {
    let mut attempts = 0;
    loop {
        match DB::open(options, path) {
            Ok(db) => return Ok(db),
            Err(e) if attempts < 20 && e.as_ref().contains("lock") => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => {
                return Err(error::setup(
                    format!("cannot open RocksDB at '{}'", path.display()),
                    e,
                ))
            }
        }
    }
}

/// Writes `rocksdict-config.json` unless it exists (rocksdict reads it to pick its mode).
fn write_config(path: &Path) -> Result<()> {
    let file = path.join(CONFIG_FILE);
    if file.exists() {
        return Ok(());
    }
    std::fs::write(&file, CONFIG_JSON)
        .map_err(|e| error::setup(format!("cannot write '{}'", file.display()), e))
}
