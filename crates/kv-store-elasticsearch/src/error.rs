//! Client and server errors as kv errors: transport failures are `Connection`, deadlines
//! `Timeout` (both retryable), 429/502/503/504 transient backend errors, 401/403 `Setup`,
//! invalid names `InvalidKey`.

use kv_core::{Error, ErrorKind};
use serde_json::Value;

/// Maps a transport error of the elasticsearch client (no response was read).
pub(crate) fn from_transport(err: elasticsearch::Error) -> Error {
    let (kind, message) = if err.is_timeout() {
        (ErrorKind::Timeout, "the server did not answer in time")
    } else if err.is_json() {
        (
            ErrorKind::Deserialization,
            "the server's answer is not valid JSON",
        )
    } else if err.status_code().is_some() {
        (
            ErrorKind::Backend { transient: false },
            "the server answered with an error",
        )
    } else {
        (ErrorKind::Connection, "cannot reach the server")
    };
    Error::new(kind, message).with_source(err)
}

/// The error for a response with an unexpected status, from its body
/// (`{"error": {"type", "reason"}, "status"}`).
pub(crate) fn from_status(status: u16, body: &[u8], what: &str) -> Error {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let kind_name = error_type(error).unwrap_or_default();
    let reason = error
        .and_then(|e| e.get("reason"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = classify(status, &kind_name, reason);
    let mut message = format!("{what}: HTTP {status}");
    if !kind_name.is_empty() {
        message.push_str(&format!(" {kind_name}"));
    }
    if !reason.is_empty() {
        message.push_str(&format!(": {}", truncate(reason, 300)));
    }
    Error::new(kind, message)
}

/// The error of one `_bulk`/`_mget` item (`{"type", "reason"}`) with its status.
pub(crate) fn from_item(status: u16, error: &Value, what: &str) -> Error {
    let kind_name = error_type(Some(error)).unwrap_or_default();
    let reason = error
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Error::new(
        classify(status, &kind_name, reason),
        format!("{what}: {kind_name}: {}", truncate(reason, 300)),
    )
}

/// `error.type`, or the error itself when it is a string.
pub(crate) fn error_type(error: Option<&Value>) -> Option<String> {
    match error? {
        Value::String(s) => Some(s.clone()),
        other => other.get("type").and_then(Value::as_str).map(str::to_owned),
    }
}

fn classify(status: u16, kind_name: &str, reason: &str) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Setup,
        408 => ErrorKind::Timeout,
        429 | 502 | 503 | 504 => ErrorKind::Backend { transient: true },
        _ if kind_name == "invalid_index_name_exception"
            || (kind_name == "action_request_validation_exception"
                && reason.contains("is too long")) =>
        {
            ErrorKind::InvalidKey
        }
        _ if kind_name == "mapper_parsing_exception"
            || kind_name == "document_parsing_exception" =>
        {
            ErrorKind::Serialization
        }
        _ => ErrorKind::Backend {
            transient: status >= 500,
        },
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_types_map_to_kinds() {
        let body = br#"{"error": {"type": "invalid_index_name_exception", "reason": "must be lowercase"}, "status": 400}"#;
        let err = from_status(400, body, "create index");
        assert_eq!(err.kind(), &ErrorKind::InvalidKey);
        assert!(err.to_string().contains("must be lowercase"), "{err}");
        assert_eq!(
            from_status(503, b"", "get").kind(),
            &ErrorKind::Backend { transient: true }
        );
        assert!(from_status(429, b"{}", "get").is_retryable());
        assert_eq!(from_status(401, b"{}", "get").kind(), &ErrorKind::Setup);
        assert_eq!(
            from_status(400, b"not json", "get").kind(),
            &ErrorKind::Backend { transient: false }
        );
    }
}
