//! One python-diskcache directory: `cache.db` plus value files, with a small connection pool.
//! All methods here block; the stores call them through [`Cache::run`] (on tokio's blocking pool).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kv_core::{Error, Result};
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};

use crate::error;
use crate::settings::{self, Settings};

/// The database file name inside a cache directory.
pub const DB_NAME: &str = "cache.db";

/// How long a connection waits for another writer (diskcache uses 60 s).
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Idle connections kept per cache.
const MAX_IDLE: usize = 8;

/// The page size of a database file this library creates (SQLite's default is 4096).
///
/// A put commits one WAL frame per page it changes (the row, its entries in the key and expiry
/// indexes, the `Settings` row diskcache's triggers update), so the page size is most of what a
/// commit writes; at 2048 bytes a put of the benchmark workload ran ~35 % faster than at 4096,
/// reads and batches unchanged (BENCHMARKS.md). A file's page size is fixed when it is created;
/// diskcache and SQLite read any page size, so Python opens these files as they are.
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 2048;

/// How a cache directory is opened.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CacheOptions {
    /// `max_size` in bytes (`None`/0: no eviction).
    pub(crate) max_size: Option<u64>,
    /// Create the directory when missing.
    pub(crate) auto_create: bool,
    /// The page size of a newly created database (an existing one keeps its own).
    pub(crate) page_size: u32,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            max_size: None,
            auto_create: true,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl CacheOptions {
    /// Checks what SQLite would otherwise ignore silently.
    fn validate(&self, dir: &Path) -> Result<()> {
        if !(512..=65536).contains(&self.page_size) || !self.page_size.is_power_of_two() {
            return Err(Error::setup(format!(
                "page_size {} for the cache in {} is not a power of two from 512 to 65536",
                self.page_size,
                dir.display()
            )));
        }
        Ok(())
    }
}

/// An open diskcache directory.
pub(crate) struct Cache {
    pub(crate) dir: PathBuf,
    db_path: PathBuf,
    pub(crate) settings: Settings,
    pub(crate) page_size: i64,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("dir", &self.dir)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// Opens (creating if allowed) the cache in `dir`, like `diskcache.Cache(dir, ...)`.
    pub(crate) fn open(dir: &Path, options: CacheOptions) -> Result<Cache> {
        options.validate(dir)?;
        ensure_directory(dir, options.auto_create)?;
        let db_path = dir.join(DB_NAME);
        let conn = open_connection(&db_path)
            .map_err(|e| error::setup(format!("cannot open {}: {e}", db_path.display()), e))?;
        let settings =
            settings::initialize(&conn, options.max_size, options.page_size).map_err(|e| {
                error::setup(
                    format!("cannot initialize the cache in {}: {e}", dir.display()),
                    e,
                )
            })?;
        settings::apply_pragmas(&conn, &settings).map_err(error::sqlite)?;
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(error::sqlite)?;
        Ok(Cache {
            dir: dir.to_path_buf(),
            db_path,
            settings,
            page_size,
            idle: Mutex::new(vec![conn]),
        })
    }

    /// Runs `f` with a pooled connection on the current thread.
    pub(crate) fn with_conn<R>(&self, f: impl FnOnce(&mut Connection) -> Result<R>) -> Result<R> {
        let pooled = self.idle.lock().pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = open_connection(&self.db_path).map_err(error::sqlite)?;
                settings::apply_pragmas(&conn, &self.settings).map_err(error::sqlite)?;
                conn
            }
        };
        let result = f(&mut conn);
        // A connection left inside a transaction (a panic or a failed ROLLBACK) is dropped.
        if conn.is_autocommit() {
            let mut idle = self.idle.lock();
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        result
    }

    /// Runs `f` with a pooled connection through [`kv_core::blocking::run`] (in place on a
    /// multi-thread runtime, on the blocking pool otherwise).
    pub(crate) async fn run<R, F>(self: &Arc<Self>, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Cache, &mut Connection) -> Result<R> + Send + 'static,
    {
        let cache = Arc::clone(self);
        kv_core::blocking::run("disk", move || cache.with_conn(|conn| f(&cache, conn))).await
    }

    /// Drops the idle connections (checkpointing the WAL when the last one closes).
    pub(crate) fn close(&self) {
        self.idle.lock().clear();
    }
}

/// Creates `dir` (and missing parents) readable by the owner only: cached values are data the
/// other users of the machine have no business reading.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn ensure_directory(dir: &Path, auto_create: bool) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::setup(format!(
            "'{}' exists and is not a directory",
            dir.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !auto_create {
                return Err(Error::setup(format!(
                    "Directory '{}' does not exist (auto_create is off)",
                    dir.display()
                )));
            }
            create_private_dir(dir).map_err(|e| {
                error::setup(
                    format!("cannot create directory '{}': {e}", dir.display()),
                    e,
                )
            })
        }
        Err(e) => Err(error::setup(
            format!("cannot use directory '{}': {e}", dir.display()),
            e,
        )),
    }
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The query planner stability guarantee: without it (SQLite is built with STAT4) a
    // statement comparing an indexed column with a bound parameter is compiled again each
    // time that parameter changes, which the cull's `expire_time < now` does on every write
    // (a fifth of a put's time went to re-parsing it). Plans here never depend on the values.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every write runs the cull's `expire_time < now` with a new `now`: with SQLite's STAT4
    /// and no planner stability guarantee each of those recompiled the statement.
    #[test]
    fn range_queries_on_indexed_columns_are_not_recompiled_per_binding() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = open_connection(&dir.path().join("cache.db")).expect("open");
        conn.execute_batch(
            "CREATE TABLE t (x REAL); CREATE INDEX t_x ON t (x); \
             INSERT INTO t VALUES (1.0), (2.0), (3.0); ANALYZE;",
        )
        .expect("schema");
        let mut stmt = conn
            .prepare_cached("SELECT count(*) FROM t WHERE x < ? ORDER BY x LIMIT ?")
            .expect("prepare");
        for now in 0..10 {
            let _: i64 = stmt
                .query_row(rusqlite::params![f64::from(now), 10], |r| r.get(0))
                .expect("query");
        }
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }
}
