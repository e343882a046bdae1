//! The item layout shared with py-key-value (`wire-format.md` §5.6): partition key
//! `collection` (S), sort key `key` (S), `value` (S) holding the envelope `DOC(K,C)`, and `ttl`
//! (N, epoch seconds rounded up) only when the entry expires.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use kv_core::codec::envelope;
use kv_core::{Entry, Error, ErrorKind, Name, Result, Timestamp};

/// Partition key attribute.
pub(crate) const COLLECTION: &str = "collection";
/// Sort key attribute.
pub(crate) const KEY: &str = "key";
/// The envelope attribute.
pub(crate) const VALUE: &str = "value";
/// The native expiry attribute (epoch seconds).
pub(crate) const TTL: &str = "ttl";

/// DynamoDB's limit on a partition key value, in bytes.
pub(crate) const MAX_COLLECTION_BYTES: usize = 2048;
/// DynamoDB's limit on a sort key value, in bytes.
pub(crate) const MAX_KEY_BYTES: usize = 1024;
/// DynamoDB's limit on one item (attribute names plus values), in bytes.
pub(crate) const MAX_ITEM_BYTES: usize = 400 * 1024;

/// An item as the SDK sends and returns it.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// Rejects names DynamoDB cannot store as key attributes (empty, or over its byte limits).
pub(crate) fn check_names(collection: &Name<'_>, key: &Name<'_>) -> Result<()> {
    check_name("collection", collection.as_str(), MAX_COLLECTION_BYTES)?;
    check_name("key", key.as_str(), MAX_KEY_BYTES)
}

fn check_name(what: &str, name: &str, max: usize) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid_key(format!(
            "DynamoDB cannot store an empty {what}"
        )));
    }
    if name.len() > max {
        return Err(Error::invalid_key(format!(
            "the {what} is {} bytes; DynamoDB allows at most {max}",
            name.len()
        )));
    }
    Ok(())
}

/// The primary key of `(collection, key)`.
pub(crate) fn primary_key(collection: &Name<'_>, key: &Name<'_>) -> Item {
    HashMap::from([
        (
            COLLECTION.to_owned(),
            AttributeValue::S(collection.as_str().to_owned()),
        ),
        (KEY.to_owned(), AttributeValue::S(key.as_str().to_owned())),
    ])
}

/// The `ttl` attribute of an expiry: `ceil(expires_at)` in epoch seconds (never before
/// `expires_at`, unlike py-key-value's floor).
pub(crate) fn ttl_seconds(expires_at: Timestamp) -> i64 {
    expires_at.unix_seconds_ceil()
}

/// The full item of an entry, after checking names and DynamoDB's 400 KB item limit.
pub(crate) fn encode(collection: &Name<'_>, key: &Name<'_>, entry: &Entry) -> Result<Item> {
    check_names(collection, key)?;
    let doc = envelope::encode(entry, Some((key.given, collection.given)));
    let ttl = entry.expires_at.map(|at| ttl_seconds(at).to_string());
    let size = COLLECTION.len()
        + collection.as_str().len()
        + KEY.len()
        + key.as_str().len()
        + VALUE.len()
        + doc.len()
        + ttl.as_ref().map_or(0, |n| TTL.len() + n.len());
    if size > MAX_ITEM_BYTES {
        return Err(Error::new(
            ErrorKind::ValueTooLarge,
            format!("the item is {size} bytes; DynamoDB allows at most {MAX_ITEM_BYTES}"),
        ));
    }
    let mut item = primary_key(collection, key);
    item.insert(VALUE.to_owned(), AttributeValue::S(doc));
    if let Some(ttl) = ttl {
        item.insert(TTL.to_owned(), AttributeValue::N(ttl));
    }
    Ok(item)
}

/// Reads an item: no item or an empty `value` is a miss (as in py-key-value); the effective
/// expiry is the earlier of the envelope's `expires_at` and the `ttl` attribute.
pub(crate) fn decode(item: Option<&Item>) -> Result<Option<Entry>> {
    let Some(item) = item else {
        return Ok(None);
    };
    let doc = match item.get(VALUE) {
        None => return Ok(None),
        Some(AttributeValue::S(text)) if text.is_empty() => return Ok(None),
        Some(AttributeValue::S(text)) => text,
        Some(other) => {
            return Err(Error::deserialization(format!(
                "the item's `value` attribute must be a string (S), found {}",
                attribute_type(other)
            )))
        }
    };
    let mut entry = envelope::decode(doc.as_bytes())?;
    entry.clamp_expiry(native_expiry(item)?);
    Ok(Some(entry))
}

/// The `ttl` attribute as an instant, if present.
fn native_expiry(item: &Item) -> Result<Option<Timestamp>> {
    let text = match item.get(TTL) {
        None | Some(AttributeValue::Null(_)) => return Ok(None),
        Some(AttributeValue::N(text)) => text,
        Some(other) => {
            return Err(Error::deserialization(format!(
                "the item's `ttl` attribute must be a number (N), found {}",
                attribute_type(other)
            )))
        }
    };
    let invalid = || {
        Error::deserialization(format!(
            "the item's `ttl` attribute {text:?} is not epoch seconds"
        ))
    };
    let seconds: f64 = text.trim().parse().map_err(|_| invalid())?;
    if !seconds.is_finite() {
        return Err(invalid());
    }
    // Far-off or ancient values clamp to the representable range instead of failing.
    let micros = (seconds * 1e6).clamp(
        Timestamp::MIN.unix_micros() as f64,
        Timestamp::MAX.unix_micros() as f64,
    );
    Ok(Timestamp::from_unix_micros(micros as i64))
}

/// DynamoDB's type descriptor of an attribute value, for messages.
fn attribute_type(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::B(_) => "B",
        AttributeValue::Bool(_) => "BOOL",
        AttributeValue::Bs(_) => "BS",
        AttributeValue::L(_) => "L",
        AttributeValue::M(_) => "M",
        AttributeValue::N(_) => "N",
        AttributeValue::Ns(_) => "NS",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::S(_) => "S",
        AttributeValue::Ss(_) => "SS",
        _ => "an unknown type",
    }
}

/// The `(collection, key)` sort key of a returned item, to match batch results to requests.
pub(crate) fn item_key(item: &Item) -> Option<&str> {
    match item.get(KEY) {
        Some(AttributeValue::S(key)) => Some(key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn entry(ttl: Option<Duration>) -> Entry {
        let now = Timestamp::parse("2026-01-01T00:00:00.250000+00:00").unwrap();
        let mut value = kv_core::Object::new();
        value.insert("a".into(), 1.into());
        Entry::new(value, now, ttl).unwrap()
    }

    #[test]
    fn item_without_ttl_has_no_ttl_attribute() {
        let item = encode(&Name::plain("c"), &Name::plain("k"), &entry(None)).unwrap();
        assert_eq!(item.len(), 3);
        assert_eq!(item[COLLECTION], AttributeValue::S("c".into()));
        assert_eq!(item[KEY], AttributeValue::S("k".into()));
        let doc = item[VALUE].as_s().unwrap();
        assert_eq!(
            doc,
            r#"{"collection": "c", "created_at": "2026-01-01T00:00:00.250000+00:00", "key": "k", "value": {"a": 1}, "version": 1}"#
        );
    }

    #[test]
    fn ttl_attribute_is_rounded_up() {
        let e = entry(Some(Duration::from_secs(10)));
        let item = encode(&Name::plain("c"), &Name::plain("k"), &e).unwrap();
        // expires 00:00:10.25 → ceil → 00:00:11
        let expected = Timestamp::parse("2026-01-01T00:00:11+00:00").unwrap();
        assert_eq!(
            item[TTL],
            AttributeValue::N((expected.unix_micros() / 1_000_000).to_string())
        );
        assert_eq!(decode(Some(&item)).unwrap().unwrap(), e);
    }

    #[test]
    fn earlier_ttl_attribute_wins() {
        let e = entry(Some(Duration::from_secs(10)));
        let mut item = encode(&Name::plain("c"), &Name::plain("k"), &e).unwrap();
        let floor = Timestamp::parse("2026-01-01T00:00:10+00:00").unwrap();
        item.insert(
            TTL.into(),
            AttributeValue::N((floor.unix_micros() / 1_000_000).to_string()),
        );
        assert_eq!(
            decode(Some(&item)).unwrap().unwrap().expires_at,
            Some(floor)
        );
    }

    #[test]
    fn missing_and_empty_values_are_misses() {
        assert_eq!(decode(None).unwrap(), None);
        let mut item = primary_key(&Name::plain("c"), &Name::plain("k"));
        assert_eq!(decode(Some(&item)).unwrap(), None);
        item.insert(VALUE.into(), AttributeValue::S(String::new()));
        assert_eq!(decode(Some(&item)).unwrap(), None);
    }

    #[test]
    fn ill_typed_attributes_are_deserialization_errors() {
        let mut item = primary_key(&Name::plain("c"), &Name::plain("k"));
        item.insert(VALUE.into(), AttributeValue::N("1".into()));
        let err = decode(Some(&item)).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Deserialization);
        item.insert(VALUE.into(), AttributeValue::S(r#"{"value": {}}"#.into()));
        item.insert(TTL.into(), AttributeValue::N("soon".into()));
        let err = decode(Some(&item)).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Deserialization);
        item.insert(VALUE.into(), AttributeValue::S("{not json".into()));
        item.remove(TTL);
        assert_eq!(
            decode(Some(&item)).unwrap_err().kind(),
            &ErrorKind::Deserialization
        );
    }

    #[test]
    fn limits() {
        let e = entry(None);
        let long = "x".repeat(MAX_KEY_BYTES + 1);
        let err = encode(&Name::plain("c"), &Name::plain(&long), &e).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidKey);
        let err = encode(&Name::plain(""), &Name::plain("k"), &e).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidKey);
        let long = "é".repeat(MAX_COLLECTION_BYTES / 2 + 1);
        let err = encode(&Name::plain(&long), &Name::plain("k"), &e).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidKey);
        let mut big = e.clone();
        big.value
            .insert("blob".into(), "x".repeat(MAX_ITEM_BYTES).into());
        let err = encode(&Name::plain("c"), &Name::plain("k"), &big).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::ValueTooLarge);
    }
}
