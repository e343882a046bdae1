//! Entries as native BSON documents (`wire-format.md` §5.4) and back.
//!
//! `{key, collection, version: 1, value: {object: <value>}, created_at: Date, expires_at: Date}`;
//! `expires_at` only with a TTL. Dates are milliseconds: `created_at` truncated, `expires_at`
//! rounded up, so an entry never outlives its TTL on a reader that sees only the document.

use kv_core::{Entry, Error, Object, Result, Timestamp};
use mongodb::bson::{Bson, DateTime, Document};
use serde_json::{Number, Value};

/// Document field names.
pub(crate) const KEY: &str = "key";
pub(crate) const COLLECTION: &str = "collection";
pub(crate) const VERSION: &str = "version";
pub(crate) const VALUE: &str = "value";
pub(crate) const OBJECT: &str = "object";
pub(crate) const CREATED_AT: &str = "created_at";
pub(crate) const EXPIRES_AT: &str = "expires_at";

/// The document of `entry` stored under `key` in kv collection `collection` (the given names).
pub(crate) fn encode(collection: &str, key: &str, entry: &Entry) -> Result<Document> {
    let mut doc = Document::new();
    doc.insert(KEY, key);
    doc.insert(COLLECTION, collection);
    doc.insert(VERSION, 1_i32);
    let mut value = Document::new();
    value.insert(OBJECT, object_to_bson(&entry.value)?);
    doc.insert(VALUE, value);
    if let Some(created_at) = entry.created_at {
        doc.insert(CREATED_AT, date_floor(created_at));
    }
    if let Some(expires_at) = entry.expires_at {
        doc.insert(EXPIRES_AT, date_ceil(expires_at));
    }
    Ok(doc)
}

/// The entry of a stored document; anything but this library's layout is `Deserialization`.
pub(crate) fn decode(doc: &Document) -> Result<Entry> {
    match doc.get(VERSION) {
        None | Some(Bson::Int32(1)) | Some(Bson::Int64(1)) => {}
        Some(other) => {
            return Err(Error::deserialization(format!(
                "unsupported document version {other}"
            )))
        }
    }
    let object = match doc.get(VALUE) {
        Some(Bson::Document(value)) => match value.get(OBJECT) {
            Some(Bson::Document(object)) => object,
            Some(other) => {
                return Err(Error::deserialization(format!(
                    "value.object is a BSON {:?}, not a document",
                    other.element_type()
                )))
            }
            None => {
                return Err(Error::deserialization(
                    "the document has no value.object field",
                ))
            }
        },
        Some(other) => {
            return Err(Error::deserialization(format!(
                "value is a BSON {:?}, not a document with an object field",
                other.element_type()
            )))
        }
        None => return Err(Error::deserialization("the document has no value field")),
    };
    Ok(Entry {
        value: document_to_object(object)?,
        created_at: date_field(doc, CREATED_AT)?,
        expires_at: date_field(doc, EXPIRES_AT)?,
    })
}

/// `expires_at` of a stored document, read leniently (for deciding whether a removed document
/// was live): a corrupt or missing field counts as "never expires".
pub(crate) fn expiry_of(doc: &Document) -> Option<Timestamp> {
    match doc.get(EXPIRES_AT) {
        Some(Bson::DateTime(at)) => timestamp_of(*at),
        _ => None,
    }
}

/// Whether the stored document is live at `now` (see [`expiry_of`]).
pub(crate) fn is_live(doc: &Document, now: Timestamp) -> bool {
    expiry_of(doc).is_none_or(|at| at > now)
}

fn date_field(doc: &Document, field: &str) -> Result<Option<Timestamp>> {
    match doc.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::DateTime(at)) => timestamp_of(*at).map(Some).ok_or_else(|| {
            Error::deserialization(format!("{field} {at} is outside the supported range"))
        }),
        Some(other) => Err(Error::deserialization(format!(
            "{field} is a BSON {:?}, not a date",
            other.element_type()
        ))),
    }
}

fn timestamp_of(at: DateTime) -> Option<Timestamp> {
    Timestamp::from_unix_micros(at.timestamp_millis().checked_mul(1000)?)
}

/// `at` as a BSON date, truncated to the millisecond.
pub(crate) fn date_floor(at: Timestamp) -> DateTime {
    DateTime::from_millis(at.unix_micros().div_euclid(1000))
}

/// `at` as a BSON date, rounded up to the next millisecond.
pub(crate) fn date_ceil(at: Timestamp) -> DateTime {
    let micros = at.unix_micros();
    DateTime::from_millis(micros.div_euclid(1000) + i64::from(micros.rem_euclid(1000) != 0))
}

/// A JSON object as a BSON document: integers in `i32` range are Int32, other `i64` are Int64,
/// integers above `i64::MAX` are a `Serialization` error (BSON has no unsigned 64-bit integer).
pub(crate) fn object_to_bson(object: &Object) -> Result<Document> {
    let mut doc = Document::new();
    for (name, value) in object {
        if name.contains('\0') {
            return Err(Error::serialization(
                "a field name contains a NUL character, which BSON cannot store",
            ));
        }
        doc.insert(name.clone(), value_to_bson(value)?);
    }
    Ok(doc)
}

fn value_to_bson(value: &Value) -> Result<Bson> {
    Ok(match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => number_to_bson(n)?,
        Value::String(s) => Bson::String(s.clone()),
        Value::Array(items) => Bson::Array(
            items
                .iter()
                .map(value_to_bson)
                .collect::<Result<Vec<_>>>()?,
        ),
        Value::Object(object) => Bson::Document(object_to_bson(object)?),
    })
}

fn number_to_bson(n: &Number) -> Result<Bson> {
    if let Some(i) = n.as_i64() {
        return Ok(match i32::try_from(i) {
            Ok(small) => Bson::Int32(small),
            Err(_) => Bson::Int64(i),
        });
    }
    if let Some(u) = n.as_u64() {
        return Err(Error::serialization(format!(
            "the integer {u} is above i64::MAX: BSON has no unsigned 64-bit integer"
        )));
    }
    match n.as_f64() {
        Some(f) => Ok(Bson::Double(f)),
        None => Err(Error::serialization(format!("unsupported number {n}"))),
    }
}

/// A stored BSON document as a JSON object; BSON types JSON lacks are `Deserialization`.
pub(crate) fn document_to_object(doc: &Document) -> Result<Object> {
    let mut object = Object::new();
    for (name, value) in doc {
        object.insert(name.clone(), bson_to_value(value)?);
    }
    Ok(object)
}

fn bson_to_value(value: &Bson) -> Result<Value> {
    Ok(match value {
        Bson::Null => Value::Null,
        Bson::Boolean(b) => Value::Bool(*b),
        Bson::Int32(i) => Value::from(*i),
        Bson::Int64(i) => Value::from(*i),
        Bson::Double(f) => Value::Number(Number::from_f64(*f).ok_or_else(|| {
            Error::deserialization(format!("the stored value holds the non-finite number {f}"))
        })?),
        Bson::String(s) => Value::String(s.clone()),
        Bson::Array(items) => Value::Array(
            items
                .iter()
                .map(bson_to_value)
                .collect::<Result<Vec<_>>>()?,
        ),
        Bson::Document(doc) => Value::Object(document_to_object(doc)?),
        other => {
            return Err(Error::deserialization(format!(
                "the stored value holds a BSON {:?}, which has no JSON equivalent",
                other.element_type()
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn integers_take_the_smallest_bson_type() {
        let doc = object_to_bson(&obj(json!({
            "small": 5, "neg": -2147483648_i64, "big": 2147483648_i64, "f": 1.5
        })))
        .unwrap();
        assert_eq!(doc.get("small"), Some(&Bson::Int32(5)));
        assert_eq!(doc.get("neg"), Some(&Bson::Int32(i32::MIN)));
        assert_eq!(doc.get("big"), Some(&Bson::Int64(2147483648)));
        assert_eq!(doc.get("f"), Some(&Bson::Double(1.5)));
    }

    #[test]
    fn u64_above_i64_max_is_a_serialization_error() {
        let err = object_to_bson(&obj(json!({"n": u64::MAX}))).unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Serialization);
    }

    #[test]
    fn dates_round_created_down_and_expiry_up() {
        let at = Timestamp::from_unix_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(date_floor(at).timestamp_millis(), 1_700_000_000_123);
        assert_eq!(date_ceil(at).timestamp_millis(), 1_700_000_000_124);
        let exact = Timestamp::from_unix_micros(1_700_000_000_123_000).unwrap();
        assert_eq!(date_ceil(exact).timestamp_millis(), 1_700_000_000_123);
    }

    #[test]
    fn round_trip_keeps_values_and_drops_sub_millisecond_precision() {
        let now = Timestamp::from_unix_micros(1_700_000_000_123_456).unwrap();
        let value = obj(json!({"a": [1, null, true, "x", {"b": 2.5}], "big": i64::MAX}));
        let entry =
            Entry::new(value.clone(), now, Some(std::time::Duration::from_secs(10))).unwrap();
        let doc = encode("c", "k", &entry).unwrap();
        assert_eq!(doc.get_str(KEY).unwrap(), "k");
        assert_eq!(doc.get_str(COLLECTION).unwrap(), "c");
        assert_eq!(doc.get_i32(VERSION).unwrap(), 1);
        let back = decode(&doc).unwrap();
        assert_eq!(back.value, value);
        assert_eq!(
            back.created_at.unwrap().unix_micros(),
            1_700_000_000_123_000
        );
        assert_eq!(
            back.expires_at.unwrap().unix_micros(),
            1_700_000_010_124_000
        );
    }

    #[test]
    fn no_ttl_means_no_expires_at_field() {
        let entry = Entry::new(Object::new(), Timestamp::now(), None).unwrap();
        let doc = encode("c", "k", &entry).unwrap();
        assert!(!doc.contains_key(EXPIRES_AT));
    }

    #[test]
    fn foreign_shapes_are_deserialization_errors() {
        use mongodb::bson::doc;
        let cases = [
            doc! {"key": "k"},
            doc! {"value": 5},
            doc! {"value": {"string": "{}"}},
            doc! {"value": {"object": "x"}},
            doc! {"value": {"object": {}}, "version": 2},
            doc! {"value": {"object": {}}, "expires_at": 5},
            doc! {"value": {"object": {}}, "created_at": "yesterday"},
            doc! {"value": {"object": {"d": DateTime::now()}}},
            doc! {"value": {"object": {"n": f64::NAN}}},
        ];
        for case in cases {
            let err = decode(&case).unwrap_err();
            assert_eq!(
                err.kind(),
                &kv_core::ErrorKind::Deserialization,
                "{case}: {err}"
            );
        }
    }
}
