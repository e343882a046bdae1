//! AWS SDK errors as kv errors: unreachable endpoints are `Connection`, deadlines are `Timeout`
//! (both retryable), throttling and 5xx are transient `Backend` errors, credential and
//! permission problems are `Setup`.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use kv_core::{Error, ErrorKind};

/// Error codes worth retrying (the SDK already retried them with backoff).
const TRANSIENT_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "TransactionConflictException",
    "ReplicatedWriteConflictException",
];

/// Error codes that mean the credentials or permissions are wrong.
const SETUP_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "ExpiredTokenException",
    "AccessDeniedException",
    "InvalidClientTokenId",
];

/// Maps an SDK error of any DynamoDB operation (the source is kept; it never holds secrets).
pub(crate) fn from_sdk<E, R>(operation: &str, err: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let (kind, message) = classify(operation, &err);
    Error::new(kind, message).with_source(err)
}

fn classify<E, R>(operation: &str, err: &SdkError<E, R>) -> (ErrorKind, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let cause = || source_text(err);
    match err {
        SdkError::TimeoutError(_) => (
            ErrorKind::Timeout,
            format!("DynamoDB {operation} did not finish in time"),
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => (
            ErrorKind::Timeout,
            format!("DynamoDB {operation}: the endpoint did not answer in time"),
        ),
        SdkError::DispatchFailure(failure) if failure.is_user() => (
            ErrorKind::Setup,
            format!("DynamoDB {operation} could not be sent: {}", cause()),
        ),
        SdkError::DispatchFailure(_) => (
            ErrorKind::Connection,
            format!("cannot reach DynamoDB for {operation}: {}", cause()),
        ),
        SdkError::ResponseError(_) => (
            ErrorKind::Connection,
            format!("DynamoDB {operation}: the response was cut off or garbled"),
        ),
        SdkError::ConstructionFailure(_) => (
            ErrorKind::Setup,
            format!("DynamoDB {operation} request could not be built (region, endpoint or credentials): {}", cause()),
        ),
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or("UnknownError");
            let detail = inner.message().unwrap_or_default();
            (service_kind(code, detail), format!("DynamoDB {operation} failed: {code}: {detail}"))
        }
        _ => (
            ErrorKind::Backend { transient: false },
            format!("DynamoDB {operation} failed"),
        ),
    }
}

/// The kind of an error response, from its code and message.
pub(crate) fn service_kind(code: &str, message: &str) -> ErrorKind {
    if TRANSIENT_CODES.contains(&code) {
        return ErrorKind::Backend { transient: true };
    }
    if SETUP_CODES.contains(&code) {
        return ErrorKind::Setup;
    }
    let lower = message.to_ascii_lowercase();
    if code == "ValidationException" && lower.contains("item size") {
        return ErrorKind::ValueTooLarge;
    }
    if code == "ValidationException"
        && (lower.contains("key") && (lower.contains("size") || lower.contains("empty")))
    {
        return ErrorKind::InvalidKey;
    }
    ErrorKind::Backend { transient: false }
}

/// The innermost message of an error chain, for error texts (SDK sources never hold secrets).
fn source_text(err: &dyn std::error::Error) -> String {
    let mut current: &dyn std::error::Error = err;
    let mut text = current.to_string();
    while let Some(next) = current.source() {
        current = next;
        text = current.to_string();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_codes() {
        assert!(service_kind("ThrottlingException", "").is_retryable());
        assert!(service_kind("ProvisionedThroughputExceededException", "").is_retryable());
        assert_eq!(
            service_kind("UnrecognizedClientException", "bad token"),
            ErrorKind::Setup
        );
        assert_eq!(
            service_kind(
                "ValidationException",
                "Item size has exceeded the maximum allowed size"
            ),
            ErrorKind::ValueTooLarge
        );
        assert_eq!(
            service_kind(
                "ValidationException",
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value."
            ),
            ErrorKind::InvalidKey
        );
        assert_eq!(
            service_kind("ResourceNotFoundException", "Requested resource not found"),
            ErrorKind::Backend { transient: false }
        );
    }
}
