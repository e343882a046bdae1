//! MongoDB driver errors as kv errors: unreachable servers and lost connections are
//! `Connection` (retryable), deadlines are `Timeout`, `RetryableWriteError`-labelled failures
//! are transient backend errors, documents BSON cannot hold are `Serialization`.

use std::io;

use kv_core::{Error, ErrorKind};
use mongodb::error::{ErrorKind as MongoKind, WriteFailure, RETRYABLE_WRITE_ERROR};

/// Server error codes that mean "try again later" (primary stepping down, shutdown in
/// progress, network timeouts reported by the server, interrupted operations).
const TRANSIENT_CODES: &[i32] = &[
    6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436,
];

/// Codes for documents or commands that exceed the server's size limits.
const TOO_LARGE_CODES: &[i32] = &[10334, 17419, 17420, 16493];

/// Maps a driver error to a kv error (the source is kept; the driver never puts credentials
/// in its messages).
pub(crate) fn from_mongo(err: mongodb::error::Error) -> Error {
    let (kind, message) = classify(&err);
    Error::new(kind, message).with_source(err)
}

fn classify(err: &mongodb::error::Error) -> (ErrorKind, String) {
    let transient_label = err.contains_label(RETRYABLE_WRITE_ERROR);
    match &*err.kind {
        MongoKind::ServerSelection { .. } => (
            ErrorKind::Connection,
            "no reachable mongodb server (server selection failed)".into(),
        ),
        MongoKind::Io(io_err) if io_err.kind() == io::ErrorKind::TimedOut => {
            (ErrorKind::Timeout, "mongodb did not answer in time".into())
        }
        MongoKind::Io(_) | MongoKind::ConnectionPoolCleared { .. } | MongoKind::Shutdown => (
            ErrorKind::Connection,
            "lost the connection to mongodb".into(),
        ),
        MongoKind::DnsResolve { .. } => (
            ErrorKind::Connection,
            "cannot resolve the mongodb host".into(),
        ),
        MongoKind::Authentication { .. } => (
            ErrorKind::Setup,
            "mongodb authentication failed: check the username and password".into(),
        ),
        MongoKind::InvalidArgument { message, .. } if message.contains("size") => (
            ErrorKind::ValueTooLarge,
            format!("the document is too large for mongodb: {message}"),
        ),
        MongoKind::InvalidArgument { message, .. } => (
            ErrorKind::Backend { transient: false },
            format!("invalid mongodb request: {message}"),
        ),
        MongoKind::InvalidTlsConfig { .. } => {
            (ErrorKind::Setup, "invalid mongodb TLS configuration".into())
        }
        MongoKind::BsonSerialization(_) => (
            ErrorKind::Serialization,
            "the value cannot be stored as BSON".into(),
        ),
        MongoKind::BsonDeserialization(_) => (
            ErrorKind::Deserialization,
            "mongodb returned a document that cannot be read".into(),
        ),
        MongoKind::Command(c) => server_error(c.code, &c.code_name, &c.message, transient_label),
        MongoKind::Write(WriteFailure::WriteError(w)) => server_error(
            w.code,
            w.code_name.as_deref().unwrap_or_default(),
            &w.message,
            transient_label,
        ),
        MongoKind::Write(WriteFailure::WriteConcernError(w)) => {
            server_error(w.code, &w.code_name, &w.message, true)
        }
        other => (
            ErrorKind::Backend {
                transient: transient_label,
            },
            format!("mongodb operation failed: {}", shorten(&other.to_string())),
        ),
    }
}

/// At most 300 characters of a driver message.
fn shorten(message: &str) -> String {
    match message.char_indices().nth(300) {
        Some((end, _)) => format!("{}...", &message[..end]),
        None => message.to_owned(),
    }
}

/// A server-reported error with `code`.
pub(crate) fn server_error(
    code: i32,
    code_name: &str,
    message: &str,
    labelled_transient: bool,
) -> (ErrorKind, String) {
    let text = format!("mongodb error {code} {code_name}: {message}");
    if TOO_LARGE_CODES.contains(&code) {
        return (ErrorKind::ValueTooLarge, text);
    }
    if matches!(code, 18 | 13 | 11) {
        // AuthenticationFailed, Unauthorized, UserNotFound
        return (ErrorKind::Setup, text);
    }
    if code == 50 {
        // MaxTimeMSExpired
        return (ErrorKind::Timeout, text);
    }
    let transient = labelled_transient || TRANSIENT_CODES.contains(&code);
    (ErrorKind::Backend { transient }, text)
}

/// A write error reported inside a successful `update` command reply.
pub(crate) fn write_error(code: i32, message: &str) -> Error {
    let (kind, text) = server_error(code, "", message, false);
    Error::new(kind, text)
}

/// The deadline of one operation passed.
pub(crate) fn timed_out(operation: &str) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("mongodb {operation} did not complete in time"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_and_transient_codes_are_classified() {
        assert_eq!(
            server_error(10334, "BSONObjectTooLarge", "", false).0,
            ErrorKind::ValueTooLarge
        );
        assert_eq!(
            server_error(11600, "InterruptedAtShutdown", "", false).0,
            ErrorKind::Backend { transient: true }
        );
        assert_eq!(
            server_error(2, "BadValue", "", false).0,
            ErrorKind::Backend { transient: false }
        );
        assert_eq!(
            server_error(2, "BadValue", "", true).0,
            ErrorKind::Backend { transient: true }
        );
    }
}
