//! The one error type of kv: a kind, a message and the context of the failed call.

use std::fmt;

/// `Result` with kv's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The boxed source error carried by an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, independent of the backend.
///
/// Decide on retries with [`Error::is_retryable`] rather than by matching kinds.
///
/// ```
/// use kv_core::{Error, ErrorKind};
/// let err = Error::new(ErrorKind::InvalidTtl, "ttl must be positive");
/// assert_eq!(err.kind(), &ErrorKind::InvalidTtl);
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value could not be encoded for the backend.
    Serialization,
    /// Stored data could not be decoded.
    Deserialization,
    /// A zero TTL or a TTL beyond the representable time range.
    InvalidTtl,
    /// A key or collection the store cannot represent, or a reserved name.
    InvalidKey,
    /// The raise-on-missing adapter found no live entry.
    MissingKey,
    /// The limit-size wrapper rejected a value that is too large.
    EntryTooLarge {
        /// Size of the rejected value in bytes.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The limit-size wrapper rejected a value that is too small.
    EntryTooSmall {
        /// Size of the rejected value in bytes.
        size: usize,
        /// The configured minimum.
        min: usize,
    },
    /// The backend's hard size limit.
    ValueTooLarge,
    /// A write through a read-only wrapper.
    ReadOnly,
    /// Encrypting a value failed.
    Encryption,
    /// Decrypting a value failed (bad payload, wrong key).
    Decryption,
    /// An encrypted payload with missing or ill-typed fields.
    CorruptedData,
    /// A payload written with an encryption version this build does not support.
    EncryptionVersion {
        /// The version found in the payload.
        found: i64,
        /// The highest supported version.
        supported: i64,
    },
    /// Store or collection setup failed, invalid configuration, or use after `close()`.
    Setup,
    /// The backend cannot be reached or the connection was lost.
    Connection,
    /// A deadline expired.
    Timeout,
    /// An optional capability this store does not offer.
    Unsupported,
    /// Any other backend error; `transient` errors may succeed when retried.
    Backend {
        /// Throttling, busy or 5xx-like errors that are worth retrying.
        transient: bool,
    },
}

impl ErrorKind {
    /// A short stable name of the kind, as used in messages.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Serialization => "serialization",
            ErrorKind::Deserialization => "deserialization",
            ErrorKind::InvalidTtl => "invalid ttl",
            ErrorKind::InvalidKey => "invalid key",
            ErrorKind::MissingKey => "missing key",
            ErrorKind::EntryTooLarge { .. } => "entry too large",
            ErrorKind::EntryTooSmall { .. } => "entry too small",
            ErrorKind::ValueTooLarge => "value too large",
            ErrorKind::ReadOnly => "read only",
            ErrorKind::Encryption => "encryption",
            ErrorKind::Decryption => "decryption",
            ErrorKind::CorruptedData => "corrupted data",
            ErrorKind::EncryptionVersion { .. } => "encryption version",
            ErrorKind::Setup => "setup",
            ErrorKind::Connection => "connection",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Backend { .. } => "backend",
        }
    }

    /// Whether an operation failing with this kind may succeed when retried.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ErrorKind::Connection | ErrorKind::Timeout | ErrorKind::Backend { transient: true }
        )
    }

    /// True for the encryption family (`Encryption`, `Decryption`, `CorruptedData`, `EncryptionVersion`).
    pub fn is_encryption_family(&self) -> bool {
        matches!(
            self,
            ErrorKind::Encryption
                | ErrorKind::Decryption
                | ErrorKind::CorruptedData
                | ErrorKind::EncryptionVersion { .. }
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::EntryTooLarge { size, max } => {
                write!(f, "entry too large ({size} bytes, max {max})")
            }
            ErrorKind::EntryTooSmall { size, min } => {
                write!(f, "entry too small ({size} bytes, min {min})")
            }
            ErrorKind::EncryptionVersion { found, supported } => write!(
                f,
                "unsupported encryption version {found} (supported: {supported})"
            ),
            ErrorKind::Backend { transient: true } => f.write_str("backend (transient)"),
            other => f.write_str(other.name()),
        }
    }
}

/// The error of every kv operation: a kind, a message and where it happened.
///
/// Messages never contain credentials; stores redact connection strings before building errors.
///
/// ```
/// use kv_core::{Error, ErrorKind};
/// let err = Error::new(ErrorKind::Deserialization, "invalid JSON")
///     .with_backend("redis")
///     .with_operation("get")
///     .with_collection("users")
///     .with_key("alice");
/// assert_eq!(
///     err.to_string(),
///     "deserialization error in redis get (collection 'users', key 'alice'): invalid JSON"
/// );
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    backend: Option<&'static str>,
    operation: Option<&'static str>,
    collection: Option<String>,
    key: Option<String>,
    source: Option<BoxError>,
}

impl Error {
    /// A new error of `kind` with a human readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                backend: None,
                operation: None,
                collection: None,
                key: None,
                source: None,
            }),
        }
    }

    /// Shorthand for an [`ErrorKind::Unsupported`] error naming the operation.
    pub fn unsupported(operation: &'static str) -> Self {
        Error::new(
            ErrorKind::Unsupported,
            format!("this store does not support {operation}"),
        )
        .with_operation(operation)
    }

    /// Shorthand for a [`ErrorKind::Deserialization`] error.
    pub fn deserialization(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Deserialization, message)
    }

    /// Shorthand for a [`ErrorKind::Serialization`] error.
    pub fn serialization(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Serialization, message)
    }

    /// Shorthand for a [`ErrorKind::Setup`] error.
    pub fn setup(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Setup, message)
    }

    /// Shorthand for a [`ErrorKind::Connection`] error.
    pub fn connection(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Connection, message)
    }

    /// Shorthand for a [`ErrorKind::InvalidKey`] error.
    pub fn invalid_key(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidKey, message)
    }

    /// Shorthand for a [`ErrorKind::Backend`] error.
    pub fn backend(transient: bool, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Backend { transient }, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Whether retrying the operation may succeed (connection loss, timeouts, transient backend errors).
    pub fn is_retryable(&self) -> bool {
        self.inner.kind.is_retryable()
    }

    /// The message without context.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The backend's name (`"redis"`, `"memory"`, …), when known.
    pub fn backend_name(&self) -> Option<&'static str> {
        self.inner.backend
    }

    /// The operation (`"get"`, `"put_many"`, …), when known.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// The collection the operation addressed, when known.
    pub fn collection(&self) -> Option<&str> {
        self.inner.collection.as_deref()
    }

    /// The key the operation addressed (for batches: the offending key or `"<n> keys"`).
    pub fn key(&self) -> Option<&str> {
        self.inner.key.as_deref()
    }

    /// Sets the source error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Sets the backend name.
    pub fn with_backend(mut self, backend: &'static str) -> Self {
        self.inner.backend = Some(backend);
        self
    }

    /// Sets the operation name.
    pub fn with_operation(mut self, operation: &'static str) -> Self {
        self.inner.operation = Some(operation);
        self
    }

    /// Sets the collection.
    pub fn with_collection(mut self, collection: impl Into<String>) -> Self {
        self.inner.collection = Some(collection.into());
        self
    }

    /// Sets the key.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.inner.key = Some(key.into());
        self
    }

    /// Fills backend, operation, collection and key where they are not set yet.
    pub fn with_context(
        mut self,
        backend: &'static str,
        operation: &'static str,
        collection: Option<&str>,
        key: Option<&str>,
    ) -> Self {
        let inner = &mut self.inner;
        inner.backend.get_or_insert(backend);
        inner.operation.get_or_insert(operation);
        if inner.collection.is_none() {
            inner.collection = collection.map(str::to_owned);
        }
        if inner.key.is_none() {
            inner.key = key.map(str::to_owned);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        write!(f, "{} error", inner.kind)?;
        match (inner.backend, inner.operation) {
            (Some(b), Some(o)) => write!(f, " in {b} {o}")?,
            (Some(b), None) => write!(f, " in {b}")?,
            (None, Some(o)) => write!(f, " in {o}")?,
            (None, None) => {}
        }
        match (&inner.collection, &inner.key) {
            (Some(c), Some(k)) => write!(f, " (collection '{c}', key '{k}')")?,
            (Some(c), None) => write!(f, " (collection '{c}')")?,
            (None, Some(k)) => write!(f, " (key '{k}')")?,
            (None, None) => {}
        }
        write!(f, ": {}", inner.message)?;
        if let Some(source) = &inner.source {
            let text = source.to_string();
            if !text.is_empty() && !inner.message.contains(&text) {
                write!(f, ": {text}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Error")
            .field("kind", &inner.kind)
            .field("message", &inner.message)
            .field("backend", &inner.backend)
            .field("operation", &inner.operation)
            .field("collection", &inner.collection)
            .field("key", &inner.key)
            .field("source", &inner.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds() {
        assert!(Error::connection("x").is_retryable());
        assert!(Error::new(ErrorKind::Timeout, "x").is_retryable());
        assert!(Error::backend(true, "busy").is_retryable());
        assert!(!Error::backend(false, "bad").is_retryable());
        assert!(!Error::deserialization("x").is_retryable());
    }

    #[test]
    fn context_does_not_overwrite() {
        let e = Error::invalid_key("bad").with_key("inner").with_context(
            "memory",
            "get",
            Some("c"),
            Some("outer"),
        );
        assert_eq!(e.key(), Some("inner"));
        assert_eq!(e.collection(), Some("c"));
        assert_eq!(e.operation(), Some("get"));
        assert_eq!(e.backend_name(), Some("memory"));
    }

    #[test]
    fn source_is_kept_and_shown() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::connection("cannot connect").with_source(io);
        assert!(std::error::Error::source(&e).is_some());
        assert!(e.to_string().ends_with("cannot connect: refused"));
    }
}
