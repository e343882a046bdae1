//! Shared helpers of the integration tests: raw access to a diskcache directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};

/// Opens `dir/cache.db` for raw inspection.
pub fn open_db(dir: &Path) -> Connection {
    let conn = Connection::open_with_flags(
        dir.join("cache.db"),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open cache.db");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    conn
}

/// Writes `bytes` as the row of `row_key` the way the store reads it: valid UTF-8 as TEXT in
/// mode 1 (the envelope), anything else as a BLOB in mode 1 (which the store must reject).
pub fn write_raw_row(dir: &Path, row_key: &str, bytes: &[u8]) {
    let conn = open_db(dir);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    conn.execute(
        "DELETE FROM Cache WHERE key = ? AND raw = 1",
        params![row_key],
    )
    .unwrap();
    match std::str::from_utf8(bytes) {
        Ok(text) => conn.execute(
            "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count, tag, size, mode, filename, value) \
             VALUES (?, 1, ?, NULL, ?, 0, NULL, 0, 1, NULL, ?)",
            params![row_key, now, now, text],
        ),
        Err(_) => conn.execute(
            "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count, tag, size, mode, filename, value) \
             VALUES (?, 1, ?, NULL, ?, 0, NULL, 0, 1, NULL, ?)",
            params![row_key, now, now, bytes],
        ),
    }
    .unwrap();
}

/// Whether a row for `row_key` exists (expired or not).
pub fn row_exists(dir: &Path, row_key: &str) -> bool {
    let conn = open_db(dir);
    conn.query_row(
        "SELECT COUNT(*) FROM Cache WHERE key = ? AND raw = 1",
        params![row_key],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        > 0
}

/// Copies a directory tree (fixtures are read-only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

/// The shared fixtures directory (`shared/fixtures/backends/<name>`).
pub fn fixture(name: &str) -> PathBuf {
    kv_core::conformance::fixtures_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .join("backends")
        .join(name)
}
