//! vaultrs errors as kv errors. Messages never carry the token: Vault's error strings and
//! request URLs are the only server-side text kept, and neither contains credentials.

use kv_core::{Error, ErrorKind};
use vaultrs::error::ClientError;

/// The HTTP status of a Vault API error, if the error is one.
pub(crate) fn status(err: &ClientError) -> Option<u16> {
    match err {
        ClientError::APIError { code, .. } => Some(*code),
        ClientError::RestClientError {
            source: rustify::errors::ClientError::ServerResponseError { code, .. },
        } => Some(*code),
        _ => None,
    }
}

/// Whether the server answered 404 (no such secret, or its latest version is deleted).
pub(crate) fn is_not_found(err: &ClientError) -> bool {
    status(err) == Some(404)
}

/// Whether the server refused the token (403; Vault also uses it for an expired token).
pub(crate) fn is_forbidden(err: &ClientError) -> bool {
    status(err) == Some(403)
}

/// Whether a check-and-set write lost: another version is current (HTTP 400 naming `check-and-set`).
pub(crate) fn is_cas_mismatch(err: &ClientError) -> bool {
    match err {
        ClientError::APIError { code: 400, errors } => {
            errors.iter().any(|e| e.contains("check-and-set"))
        }
        _ => false,
    }
}

/// Maps a vaultrs error to a kv error, keeping it as the source.
pub(crate) fn from_vault(err: ClientError) -> Error {
    let (kind, message) = classify(&err);
    Error::new(kind, message).with_source(err)
}

fn classify(err: &ClientError) -> (ErrorKind, String) {
    if let Some(code) = status(err) {
        return from_status(code, api_messages(err));
    }
    match err {
        ClientError::RestClientError { source } => from_transport(source),
        ClientError::ResponseEmptyError | ClientError::ResponseDataEmptyError => (
            ErrorKind::Backend { transient: false },
            "Vault returned an empty response".into(),
        ),
        ClientError::JsonParseError { .. } => (
            ErrorKind::Backend { transient: false },
            "Vault returned a response that is not the expected JSON".into(),
        ),
        ClientError::RestClientBuildError { .. } => (
            ErrorKind::Setup,
            "cannot build the HTTP client for Vault".into(),
        ),
        _ => (
            ErrorKind::Backend { transient: false },
            "Vault request failed".into(),
        ),
    }
}

fn api_messages(err: &ClientError) -> String {
    match err {
        ClientError::APIError { errors, .. } if !errors.is_empty() => {
            format!(": {}", errors.join("; "))
        }
        _ => String::new(),
    }
}

fn from_status(code: u16, detail: String) -> (ErrorKind, String) {
    match code {
        401 | 403 => (
            ErrorKind::Setup,
            format!("Vault denied access (HTTP {code}): check the token or AppRole and its policies{detail}"),
        ),
        429 | 500 | 502 | 503 | 504 => (
            ErrorKind::Backend { transient: true },
            format!("Vault is unavailable, sealed or throttling (HTTP {code}){detail}"),
        ),
        413 => (
            ErrorKind::ValueTooLarge,
            format!("the request is larger than Vault accepts (HTTP 413){detail}"),
        ),
        412 => (
            ErrorKind::Backend { transient: true },
            format!("Vault has not caught up with a recent write (HTTP 412){detail}"),
        ),
        _ => (
            ErrorKind::Backend { transient: false },
            format!("Vault rejected the request (HTTP {code}){detail}"),
        ),
    }
}

fn from_transport(err: &rustify::errors::ClientError) -> (ErrorKind, String) {
    use rustify::errors::ClientError as Rc;
    match err {
        Rc::RequestError { source, .. } | Rc::ResponseError { source } => {
            match source.downcast_ref::<reqwest::Error>() {
                Some(e) if e.is_timeout() => {
                    (ErrorKind::Timeout, "Vault did not answer in time".into())
                }
                Some(e) if e.is_connect() => {
                    (ErrorKind::Connection, "cannot connect to Vault".into())
                }
                _ => (ErrorKind::Connection, "lost the connection to Vault".into()),
            }
        }
        Rc::UrlParseError { .. } | Rc::UrlBuildError { .. } => (
            ErrorKind::Setup,
            "invalid Vault address or secret path".into(),
        ),
        _ => (
            ErrorKind::Backend { transient: false },
            "Vault request failed".into(),
        ),
    }
}

/// A login failure: always `Setup` unless the server could not be reached.
pub(crate) fn from_login(err: ClientError) -> Error {
    let (kind, message) = classify(&err);
    let kind = match kind {
        ErrorKind::Connection | ErrorKind::Timeout | ErrorKind::Backend { transient: true } => kind,
        _ => ErrorKind::Setup,
    };
    Error::new(kind, format!("AppRole login failed: {message}")).with_source(err)
}
