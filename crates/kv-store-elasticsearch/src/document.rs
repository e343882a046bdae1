//! Entries as Elasticsearch/OpenSearch documents (`wire-format.md` §5.5).

use kv_core::codec::canonical::{write_object, write_string};
use kv_core::codec::envelope;
use kv_core::{Entry, Error, Result};
use serde_json::Value;

use crate::dialect::Dialect;

/// The `_source` text of an entry: `{"collection", "created_at", "expires_at", "key",
/// "value": {"<wrapper>": value}, "version": 1}` (canonical JSON; field order is irrelevant to
/// the server).
pub(crate) fn encode(entry: &Entry, key: &str, collection: &str, dialect: Dialect) -> String {
    let mut out = String::with_capacity(160);
    encode_into(&mut out, entry, key, collection, dialect);
    out
}

/// Like [`encode`], appending to `out`.
pub(crate) fn encode_into(
    out: &mut String,
    entry: &Entry,
    key: &str,
    collection: &str,
    dialect: Dialect,
) {
    out.push_str("{\"collection\": ");
    write_string(out, collection);
    if let Some(created_at) = entry.created_at {
        out.push_str(", \"created_at\": \"");
        created_at.write_iso(out);
        out.push('"');
    }
    if let Some(expires_at) = entry.expires_at {
        out.push_str(", \"expires_at\": \"");
        expires_at.write_iso(out);
        out.push('"');
    }
    out.push_str(", \"key\": ");
    write_string(out, key);
    out.push_str(", \"value\": {\"");
    out.push_str(dialect.value_field());
    out.push_str("\": ");
    write_object(out, &entry.value);
    out.push_str("}, \"version\": 1}");
}

/// Reads a document's `_source`: unwraps `value.<wrapper>` (either dialect's), then applies the
/// envelope reading rules (`wire-format.md` §3).
pub(crate) fn decode(source: Value, dialect: Dialect) -> Result<Entry> {
    let Value::Object(mut document) = source else {
        return Err(Error::deserialization("document _source is not an object"));
    };
    if let Some(Value::Object(wrapper)) = document.get_mut("value") {
        let inner = wrapper
            .remove(dialect.value_field())
            .or_else(|| wrapper.remove(dialect.other_value_field()));
        match inner {
            Some(inner) => {
                document.insert("value".into(), inner);
            }
            None => {
                return Err(Error::deserialization(format!(
                    "document value has no `{}` field",
                    dialect.value_field()
                )))
            }
        }
    }
    envelope::from_document(document)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_core::{Object, Timestamp};
    use serde_json::json;

    fn entry(ttl: bool) -> Entry {
        let mut value = Object::new();
        value.insert("b".into(), 1.into());
        value.insert("a".into(), "\u{e9}".into());
        Entry {
            value,
            created_at: Timestamp::parse("2025-01-01T00:00:00+00:00").ok(),
            expires_at: ttl
                .then(|| Timestamp::parse("2025-01-01T00:00:10.5+00:00").ok())
                .flatten(),
        }
    }

    #[test]
    fn opensearch_layout() {
        assert_eq!(
            encode(&entry(true), "k", "c", Dialect::OpenSearch),
            r#"{"collection": "c", "created_at": "2025-01-01T00:00:00+00:00", "expires_at": "2025-01-01T00:00:10.500000+00:00", "key": "k", "value": {"flat": {"a": "\u00e9", "b": 1}}, "version": 1}"#
        );
    }

    #[test]
    fn elasticsearch_layout_without_ttl() {
        assert_eq!(
            encode(&entry(false), "k", "c", Dialect::Elasticsearch),
            r#"{"collection": "c", "created_at": "2025-01-01T00:00:00+00:00", "key": "k", "value": {"flattened": {"a": "\u00e9", "b": 1}}, "version": 1}"#
        );
    }

    #[test]
    fn round_trip_and_either_wrapper() {
        for (write, read) in [
            (Dialect::OpenSearch, Dialect::OpenSearch),
            (Dialect::Elasticsearch, Dialect::OpenSearch),
            (Dialect::OpenSearch, Dialect::Elasticsearch),
        ] {
            let text = encode(&entry(true), "k", "c", write);
            let source: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(decode(source, read).unwrap(), entry(true));
        }
    }

    #[test]
    fn bad_documents_are_deserialization_errors() {
        for source in [
            json!([1]),
            json!({"version": 1}),
            json!({"value": {"other": {}}}),
            json!({"value": {"flat": 5}}),
            json!({"value": {"flat": {}}, "expires_at": 5}),
            json!({"value": {"flat": {}}, "version": 2}),
        ] {
            let err = decode(source.clone(), Dialect::OpenSearch).unwrap_err();
            assert_eq!(err.kind(), &kv_core::ErrorKind::Deserialization, "{source}");
        }
    }
}
