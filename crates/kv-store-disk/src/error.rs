//! Mapping SQLite and file-system errors to kv errors.

use kv_core::Error;

/// A SQLite error as a kv error: busy/locked databases are transient `Backend` errors.
pub(crate) fn sqlite(err: rusqlite::Error) -> Error {
    let transient = matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    Error::backend(transient, format!("sqlite: {err}")).with_source(err)
}

/// A file-system error while reading or writing a value file.
pub(crate) fn io(what: &str, err: std::io::Error) -> Error {
    Error::backend(false, format!("{what}: {err}")).with_source(err)
}

/// A failure to open or create a cache directory.
pub(crate) fn setup(what: String, err: impl Into<kv_core::BoxError>) -> Error {
    Error::setup(what).with_source(err)
}
