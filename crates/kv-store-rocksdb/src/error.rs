//! Mapping RocksDB errors to kv errors.

use kv_core::Error;
use rust_rocksdb::ErrorKind;

/// A RocksDB error as a kv `Backend` error; busy, try-again and timed-out are transient.
pub(crate) fn rocksdb(err: rust_rocksdb::Error) -> Error {
    let transient = matches!(
        err.kind(),
        ErrorKind::Busy | ErrorKind::TryAgain | ErrorKind::TimedOut | ErrorKind::Incomplete
    );
    Error::backend(transient, format!("rocksdb: {err}")).with_source(err)
}

/// A failure to open or create the database directory.
pub(crate) fn setup(what: String, err: impl Into<kv_core::BoxError>) -> Error {
    Error::setup(what).with_source(err)
}

/// A blocking task that panicked or was cancelled.
pub(crate) fn join(err: tokio::task::JoinError) -> Error {
    Error::backend(false, format!("rocksdb blocking task failed: {err}"))
}
