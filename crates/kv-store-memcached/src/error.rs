//! async-memcached errors as kv errors: connection loss is `Connection` (retryable), deadlines
//! are `Timeout` (retryable), `SERVER_ERROR out of memory` is a transient backend error.

use async_memcached::{Error as McError, ErrorKind as McErrorKind, Status};
use kv_core::{Error, ErrorKind};

/// What a failed call means for the connection it ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Damage {
    /// The connection is fine (a server-side refusal).
    None,
    /// This connection must not be reused (cancelled, desynchronised, timed out).
    Connection,
    /// The server went away: every idle connection of the pool is suspect too.
    Server,
}

/// Maps an async-memcached error, and says what it did to the connection.
pub(crate) fn from_memcached(err: McError) -> (Error, Damage) {
    let (kind, message, damage) = match &err {
        McError::Connect(io) if io.kind() == std::io::ErrorKind::TimedOut => (
            ErrorKind::Timeout,
            "timed out connecting to memcached".to_owned(),
            Damage::Server,
        ),
        McError::Connect(io) if io.kind() == std::io::ErrorKind::InvalidInput => (
            ErrorKind::Setup,
            format!("invalid memcached address: {io}"),
            Damage::None,
        ),
        McError::Connect(_) => (
            ErrorKind::Connection,
            "cannot connect to memcached".to_owned(),
            Damage::Server,
        ),
        McError::Io(_) => (
            ErrorKind::Connection,
            "lost the connection to memcached".to_owned(),
            Damage::Server,
        ),
        McError::ConnectionClosed => (
            ErrorKind::Connection,
            "the memcached connection was closed after an incomplete call".to_owned(),
            Damage::Connection,
        ),
        McError::Protocol(Status::Error(McErrorKind::Server(msg))) => {
            let transient = msg.contains("out of memory") || msg.contains("temporarily");
            (
                ErrorKind::Backend { transient },
                format!("memcached refused the command: SERVER_ERROR {msg}"),
                Damage::None,
            )
        }
        McError::Protocol(Status::Error(McErrorKind::KeyTooLong)) => (
            ErrorKind::InvalidKey,
            "memcached keys are limited to 250 bytes".to_owned(),
            Damage::None,
        ),
        McError::Protocol(Status::Error(McErrorKind::Client(msg))) => (
            ErrorKind::Backend { transient: false },
            format!("memcached rejected the command: CLIENT_ERROR {msg}"),
            Damage::Connection,
        ),
        McError::Protocol(status) => (
            ErrorKind::Backend { transient: false },
            format!("unexpected memcached reply: {status}"),
            Damage::Connection,
        ),
        McError::ParseError(_) => (
            ErrorKind::Backend { transient: false },
            "unparsable memcached reply".to_owned(),
            Damage::Connection,
        ),
    };
    (Error::new(kind, message).with_source(err), damage)
}

/// A command that did not finish within the command timeout.
pub(crate) fn command_timeout(timeout: std::time::Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("memcached did not answer within {timeout:?}"),
    )
}

/// A pool checkout that did not get a connection in time.
pub(crate) fn pool_timeout(timeout: std::time::Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("no memcached connection became available within {timeout:?}"),
    )
}
