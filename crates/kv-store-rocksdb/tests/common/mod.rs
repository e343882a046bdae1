//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The Python-written fixture directory `shared/fixtures/backends/rocksdb` (`KV_SHARED_DIR`
/// overrides where `shared` is).
pub fn fixture_dir() -> PathBuf {
    let manifest = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
    );
    let candidates = [
        std::env::var("KV_SHARED_DIR").map(PathBuf::from).ok(),
        Some(manifest.join("../../../shared")),
    ];
    for base in candidates.into_iter().flatten() {
        let dir = base.join("fixtures/backends/rocksdb");
        if dir.is_dir() {
            return dir;
        }
    }
    panic!("fixture directory for rocksdb not found (set KV_SHARED_DIR)");
}

/// Copies the fixture's DB directory into `dest` with writable permissions (the fixture is
/// read-only and RocksDB takes `LOCK` and writes a new MANIFEST on open).
pub fn copy_fixture_db(dest: &Path) {
    let src = fixture_dir().join("rocksdb-store");
    std::fs::create_dir_all(dest).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        let target = dest.join(entry.file_name());
        std::fs::copy(entry.path(), &target).unwrap();
        let mut perms = std::fs::metadata(&target).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&target, perms).unwrap();
    }
}

/// Decodes lower-case hex.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A temporary directory for one test.
pub fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().unwrap()
}
