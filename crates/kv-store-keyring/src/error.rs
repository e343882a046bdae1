//! `keyring` errors as kv errors.

use kv_core::{Error, ErrorKind};

/// Maps a keyring error (never `NoEntry`, which callers turn into a miss).
pub(crate) fn from_keyring(err: keyring::Error) -> Error {
    let (kind, message) = match &err {
        keyring::Error::NoStorageAccess(_) => (
            ErrorKind::Connection,
            "cannot reach the credential store (is the keyring daemon running and unlocked?)"
                .to_owned(),
        ),
        keyring::Error::PlatformFailure(_) => (
            ErrorKind::Backend { transient: false },
            "the credential store failed".to_owned(),
        ),
        keyring::Error::TooLong(attribute, max) => (
            ErrorKind::InvalidKey,
            format!("the credential's {attribute} is longer than the store allows ({max})"),
        ),
        keyring::Error::Invalid(attribute, reason) => (
            ErrorKind::InvalidKey,
            format!("the credential's {attribute} is invalid: {reason}"),
        ),
        keyring::Error::BadEncoding(_) => (
            ErrorKind::Deserialization,
            "the stored secret is not UTF-8 text".to_owned(),
        ),
        keyring::Error::Ambiguous(items) => (
            ErrorKind::Backend { transient: false },
            format!(
                "{} credentials match this entry; remove the duplicates",
                items.len()
            ),
        ),
        _ => (
            ErrorKind::Backend { transient: false },
            "the credential store failed".to_owned(),
        ),
    };
    Error::new(kind, message).with_source(err)
}

/// A `spawn_blocking` task that did not finish (panicked or cancelled at shutdown).
pub(crate) fn from_join(err: tokio::task::JoinError) -> Error {
    Error::backend(false, "the credential store call did not complete").with_source(err)
}
