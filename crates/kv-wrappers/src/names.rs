//! Collection-name helpers shared by the wrappers.

/// The name py-key-value uses for the default collection (`"default_collection"`).
pub const DEFAULT_COLLECTION: &str = "default_collection";

/// `collection`, or `default` for `None` and `""`.
pub(crate) fn or_default<'a>(collection: Option<&'a str>, default: &'a str) -> &'a str {
    match collection {
        Some(c) if !c.is_empty() => c,
        _ => default,
    }
}

/// `None` for `None` and `""`, the name otherwise: one spelling of the default collection.
pub(crate) fn normalized(collection: Option<&str>) -> Option<&str> {
    collection.filter(|c| !c.is_empty())
}

/// Rebuilds an error of the same kind, message and context (errors are not `Clone`).
pub(crate) fn clone_error(e: &kv_core::Error) -> kv_core::Error {
    let mut out = kv_core::Error::new(e.kind().clone(), e.message());
    if let Some(b) = e.backend_name() {
        out = out.with_backend(b);
    }
    if let Some(o) = e.operation() {
        out = out.with_operation(o);
    }
    if let Some(c) = e.collection() {
        out = out.with_collection(c);
    }
    if let Some(k) = e.key() {
        out = out.with_key(k);
    }
    out
}
