//! The envelope: an [`Entry`] serialized exactly as py-key-value serializes its `ManagedEntry`.

use serde_json::Value;

use crate::codec::canonical::{write_object, write_string};
use crate::codec::strict::{json_type, parse_object};
use crate::entry::Entry;
use crate::error::{Error, Result};
use crate::time::Timestamp;
use crate::Object;

/// Writes the envelope `DOC(K,C)` (with `key` and `collection`) or `DOC()` (without).
///
/// The text is canonical JSON (sorted keys, `", "`/`": "`, ASCII only), byte-identical to
/// py-key-value's `BasicSerializationAdapter().dump_json(entry, key=..., collection=...)`.
///
/// ```
/// use kv_core::{codec::envelope, Entry, Object, Timestamp};
/// let mut value = Object::new();
/// value.insert("a".into(), 1.into());
/// let entry = Entry { value, created_at: Timestamp::parse("2025-01-01T00:00:00Z").ok(), expires_at: None };
/// assert_eq!(
///     envelope::encode(&entry, Some(("k", "c"))),
///     r#"{"collection": "c", "created_at": "2025-01-01T00:00:00+00:00", "key": "k", "value": {"a": 1}, "version": 1}"#
/// );
/// ```
pub fn encode(entry: &Entry, key_and_collection: Option<(&str, &str)>) -> String {
    let mut out = String::with_capacity(128);
    encode_into(&mut out, entry, key_and_collection);
    out
}

/// Like [`encode`], appending to `out`.
pub fn encode_into(out: &mut String, entry: &Entry, key_and_collection: Option<(&str, &str)>) {
    out.push('{');
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push_str(", ");
        }
    };
    if let Some((_, collection)) = key_and_collection {
        sep(out);
        out.push_str("\"collection\": ");
        write_string(out, collection);
    }
    if let Some(created_at) = entry.created_at {
        sep(out);
        out.push_str("\"created_at\": \"");
        created_at.write_iso(out);
        out.push('"');
    }
    if let Some(expires_at) = entry.expires_at {
        sep(out);
        out.push_str("\"expires_at\": \"");
        expires_at.write_iso(out);
        out.push('"');
    }
    if let Some((key, _)) = key_and_collection {
        sep(out);
        out.push_str("\"key\": ");
        write_string(out, key);
    }
    sep(out);
    out.push_str("\"value\": ");
    write_object(out, &entry.value);
    out.push_str(", \"version\": 1}");
}

/// Reads an envelope written by this project, py-key-value or its older versions.
///
/// Accepts every form of `wire-format.md` §3 (value as object or as a JSON-object string,
/// optional/null/empty timestamps, any ISO offset, unknown fields ignored); everything else is a
/// [`Deserialization`](crate::ErrorKind::Deserialization) error.
///
/// ```
/// let entry = kv_core::codec::envelope::decode(br#"{"value": "{\"a\": 1}", "expires_at": ""}"#).unwrap();
/// assert_eq!(entry.value["a"], 1);
/// assert_eq!(entry.expires_at, None);
/// assert!(kv_core::codec::envelope::decode(br#"{"version": 1}"#).is_err());
/// ```
pub fn decode(bytes: &[u8]) -> Result<Entry> {
    if let Some(entry) = decode_fast(bytes) {
        return entry;
    }
    let document = parse_object(bytes).map_err(|e| {
        Error::deserialization(format!("stored envelope is not valid: {}", e.message()))
    })?;
    from_document(document)
}

/// The fields of an envelope, read in one pass without building the outer object.
#[derive(serde::Deserialize)]
struct FastEnvelope<'a> {
    #[serde(default)]
    value: Option<Value>,
    #[serde(default, borrow)]
    created_at: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    expires_at: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    version: Option<i64>,
}

/// The common case in one pass; `None` sends anything unusual (duplicate fields, ill-typed
/// timestamps, invalid JSON…) to the general path, which reports it precisely.
fn decode_fast(bytes: &[u8]) -> Option<Result<Entry>> {
    // serde's derived structs also accept arrays: only objects take this path.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    // One UTF-8 check of the whole text (vectorised) instead of one per string inside it.
    let text = std::str::from_utf8(bytes).ok()?;
    let fast: FastEnvelope<'_> = serde_json::from_str(text).ok()?;
    if let Err(e) = crate::codec::strict::check_integer_ranges(bytes) {
        return Some(Err(Error::deserialization(format!(
            "stored envelope is not valid: {}",
            e.message()
        ))));
    }
    if fast.version.is_some_and(|v| v != 1) {
        return None;
    }
    let value = match fast.value? {
        Value::Object(map) => map,
        _ => return None,
    };
    let stamp = |field: &Option<std::borrow::Cow<'_, str>>| -> Option<Option<Timestamp>> {
        match field.as_deref() {
            None | Some("") => Some(None),
            Some(text) => Timestamp::parse(text).ok().map(Some),
        }
    };
    Some(Ok(Entry {
        value,
        created_at: stamp(&fast.created_at)?,
        expires_at: stamp(&fast.expires_at)?,
    }))
}

/// Reads an envelope that is already a JSON object (stores that keep documents natively).
pub fn from_document(mut document: Object) -> Result<Entry> {
    match document.get("version") {
        None | Some(Value::Null) => {}
        Some(v) if v.as_i64() == Some(1) => {}
        Some(other) => {
            return Err(Error::deserialization(format!(
                "unsupported envelope version {other}"
            )))
        }
    }
    let value = match document.remove("value") {
        Some(Value::Object(map)) => map,
        Some(Value::String(text)) => parse_object(text.as_bytes()).map_err(|e| {
            Error::deserialization(format!(
                "envelope value string is not a JSON object: {}",
                e.message()
            ))
        })?,
        Some(other) => {
            return Err(Error::deserialization(format!(
                "envelope value must be an object, found {}",
                json_type(&other)
            )))
        }
        None => return Err(Error::deserialization("envelope has no value")),
    };
    Ok(Entry {
        value,
        created_at: timestamp_field(&document, "created_at")?,
        expires_at: timestamp_field(&document, "expires_at")?,
    })
}

fn timestamp_field(document: &Object, field: &str) -> Result<Option<Timestamp>> {
    match document.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Timestamp::parse(s).map(Some).map_err(|_| {
            Error::deserialization(format!("envelope {field} {s:?} is not a timestamp"))
        }),
        Some(other) => Err(Error::deserialization(format!(
            "envelope {field} must be a string, found {}",
            json_type(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_format_examples() {
        let value = json!({"b": 1, "a": 2}).as_object().unwrap().clone();
        let entry = Entry {
            value,
            created_at: Timestamp::parse("2025-01-01T00:00:00+00:00").ok(),
            expires_at: Timestamp::parse("2025-01-01T00:00:10.5+00:00").ok(),
        };
        assert_eq!(
            encode(&entry, Some(("k", "c"))),
            r#"{"collection": "c", "created_at": "2025-01-01T00:00:00+00:00", "expires_at": "2025-01-01T00:00:10.500000+00:00", "key": "k", "value": {"a": 2, "b": 1}, "version": 1}"#
        );
        assert_eq!(decode(encode(&entry, None).as_bytes()).unwrap(), entry);
    }

    #[test]
    fn fast_path_agrees_with_the_general_path() {
        let samples: [&[u8]; 9] = [
            br#"{"collection": "c", "created_at": "2025-01-01T00:00:00+00:00", "key": "k", "value": {"a": [1, 2.5, "x"]}, "version": 1}"#,
            br#"{"value": {"a": 1}, "expires_at": "2025-01-01T00:00:10.5Z", "extra": [1, {"b": null}]}"#,
            br#"{"value": {}, "created_at": "", "expires_at": null}"#,
            br#"{"value": {"a": 1}, "value": {"b": 2}}"#,
            br#"{"value": "{"a": 1}"}"#,
            br#"{"value": {"n": 18446744073709551615}}"#,
            br#"{"value": {"s": "1234567890123456789012345"}}"#,
            br#" {"value": {"a": 1}, "version": 1.0}"#,
            br#"{"value": {"a": 1}, "created_at": "2025-13-01T00:00:00"}"#,
        ];
        for bytes in samples {
            let general = parse_object(bytes).and_then(from_document);
            let fast = decode(bytes);
            match (&fast, &general) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", String::from_utf8_lossy(bytes)),
                (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind()),
                _ => panic!(
                    "paths disagree on {}: {fast:?} vs {general:?}",
                    String::from_utf8_lossy(bytes)
                ),
            }
        }
    }

    #[test]
    fn empty_value_with_timestamps_loads() {
        let e = decode(br#"{"created_at": "2025-01-01T00:00:00+00:00", "expires_at": "2025-01-01T00:00:10+00:00", "value": {}}"#).unwrap();
        assert!(e.value.is_empty());
        assert!(e.expires_at.is_some());
    }

    #[test]
    fn rejects_corrupt_forms() {
        for bad in [
            &b"{not json"[..],
            b"[1, 2]",
            br#"{"version": 1}"#,
            br#"{"value": 5}"#,
            br#"{"value": "[1]"}"#,
            br#"{"value": {}, "expires_at": 5}"#,
            br#"{"value": {}, "created_at": "yesterday"}"#,
            br#"{"value": {}, "version": 2}"#,
            br#"{"value": {"n": 1e400}}"#,
            br#"{"value": {"n": 1180591620717411303424}}"#,
            br#"{"value": {"n": NaN}}"#,
            b"\xff\xfe",
        ] {
            let err = decode(bad).unwrap_err();
            assert_eq!(
                err.kind(),
                &crate::ErrorKind::Deserialization,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
