//! Redis client errors as kv errors: connection loss is `Connection` (retryable), deadlines are
//! `Timeout`, `LOADING`/`BUSY`/`TRYAGAIN`/`CLUSTERDOWN` are transient backend errors.

use kv_core::{Error, ErrorKind};
use redis::{RedisError, ServerErrorKind};

/// Maps a redis-rs error to a kv error (the source is kept; it never contains credentials).
pub(crate) fn from_redis(err: RedisError) -> Error {
    let (kind, message) = classify(&err);
    Error::new(kind, message).with_source(err)
}

fn classify(err: &RedisError) -> (ErrorKind, String) {
    if err.is_timeout() {
        return (ErrorKind::Timeout, "redis did not answer in time".into());
    }
    if err.is_connection_refusal() {
        return (ErrorKind::Connection, "cannot connect to redis".into());
    }
    if err.is_io_error() || err.is_connection_dropped() {
        return (ErrorKind::Connection, "lost the connection to redis".into());
    }
    let code = err.code().unwrap_or_default();
    if err.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(code, "WRONGPASS" | "NOAUTH")
    {
        return (
            ErrorKind::Setup,
            "redis authentication failed: check the username and password".into(),
        );
    }
    if code == "WRONGTYPE" {
        return (
            ErrorKind::Deserialization,
            "the redis key holds a value that is not a string".into(),
        );
    }
    if err.kind() == redis::ErrorKind::InvalidClientConfig {
        return (ErrorKind::Setup, "invalid redis configuration".into());
    }
    let transient = matches!(
        err.kind(),
        redis::ErrorKind::Server(
            ServerErrorKind::BusyLoading
                | ServerErrorKind::TryAgain
                | ServerErrorKind::ClusterDown
                | ServerErrorKind::MasterDown
        )
    ) || matches!(
        code,
        "BUSY" | "LOADING" | "TRYAGAIN" | "CLUSTERDOWN" | "MASTERDOWN"
    );
    (
        ErrorKind::Backend { transient },
        "redis command failed".into(),
    )
}

/// Whether the connection that produced `err` must not be reused.
pub(crate) fn breaks_connection(err: &RedisError) -> bool {
    err.is_io_error()
        || err.is_connection_dropped()
        || err.is_timeout()
        || err.is_unrecoverable_error()
}

/// Maps a pool checkout error.
pub(crate) fn from_pool(err: bb8::RunError<RedisError>) -> Error {
    match err {
        bb8::RunError::User(err) => from_redis(err),
        bb8::RunError::TimedOut => Error::new(
            ErrorKind::Timeout,
            "timed out waiting for a redis connection from the pool",
        ),
    }
}
