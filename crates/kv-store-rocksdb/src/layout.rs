//! The rocksdict byte layout: type-tagged keys and values, the `rocksdict` comparator and
//! `rocksdict-config.json` (`wire-format.md` §5.14).

use std::cmp::Ordering;

use kv_core::codec::envelope;
use kv_core::{Entry, Error, Result};

/// rocksdict's tag for `bytes` (py-key-value stores envelopes as encoded bytes).
pub const TAG_BYTES: u8 = 0x01;
/// rocksdict's tag for `str` (every key py-key-value writes).
pub const TAG_STR: u8 = 0x02;
/// rocksdict's tag for a big-endian signed `int` (ordered numerically by the comparator).
pub const TAG_INT: u8 = 0x03;

/// The comparator name rocksdict registers; RocksDB refuses to open its directories under any other.
pub const COMPARATOR_NAME: &str = "rocksdict";

/// The file rocksdict keeps next to the database to remember its mode.
pub const CONFIG_FILE: &str = "rocksdict-config.json";

/// The contents rocksdict writes to [`CONFIG_FILE`] in its default (non-raw) mode.
pub const CONFIG_JSON: &str = r#"{"raw_mode":false,"prefix_extractors":{}}"#;

/// The key bytes of `collection::key`: `0x02` + UTF-8.
///
/// ```
/// assert_eq!(kv_store_rocksdb::layout::key_bytes("test", "test_key"), b"\x02test::test_key");
/// ```
pub fn key_bytes(collection: &str, key: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(collection.len() + key.len() + 3);
    out.push(TAG_STR);
    out.extend_from_slice(collection.as_bytes());
    out.extend_from_slice(b"::");
    out.extend_from_slice(key.as_bytes());
    out
}

/// The bytes every key of `collection` starts with: `0x02` + UTF-8(`collection::`).
pub fn collection_prefix(collection: &str) -> Vec<u8> {
    key_bytes(collection, "")
}

/// The smallest byte string greater than every key starting with `prefix` (`None`: no bound).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The value bytes of an entry: `0x01` + UTF-8 of the envelope `DOC(K,C)` with the given names.
pub fn value_bytes(entry: &Entry, key: &str, collection: &str) -> Vec<u8> {
    let mut text = String::with_capacity(160);
    envelope::encode_into(&mut text, entry, Some((key, collection)));
    let mut out = Vec::with_capacity(text.len() + 1);
    out.push(TAG_BYTES);
    out.extend_from_slice(text.as_bytes());
    out
}

/// Decodes stored value bytes: tag `0x01` (bytes) or `0x02` (str) followed by an envelope.
/// Any other tag (pickles, numbers) or an empty value is a `Deserialization` error.
pub fn decode_value(bytes: &[u8]) -> Result<Entry> {
    match bytes.split_first() {
        Some((&(TAG_BYTES | TAG_STR), envelope_bytes)) => envelope::decode(envelope_bytes),
        Some((tag, _)) => Err(Error::deserialization(format!(
            "rocksdict value has type tag {tag:#04x}, expected 0x01 (bytes) or 0x02 (str) holding an envelope"
        ))),
        None => Err(Error::deserialization("rocksdict value is empty")),
    }
}

/// The stored name after the tag of a `0x02`-tagged key (`None` for other tags or invalid UTF-8).
pub fn key_text(raw_key: &[u8]) -> Option<&str> {
    match raw_key.split_first() {
        Some((&TAG_STR, rest)) => std::str::from_utf8(rest).ok(),
        _ => None,
    }
}

/// rocksdict's key order: bytewise, except that two `0x03`-tagged keys (Python ints) compare as
/// signed big-endian integers of any length.
///
/// ```
/// use std::cmp::Ordering;
/// use kv_store_rocksdb::layout::compare;
/// assert_eq!(compare(b"\x02a", b"\x02b"), Ordering::Less);
/// assert_eq!(compare(b"\x03\xff", b"\x03\x01"), Ordering::Less); // -1 < 1
/// assert_eq!(compare(b"\x03\x01\x00", b"\x03\x7f"), Ordering::Greater); // 256 > 127
/// ```
pub fn compare(a: &[u8], b: &[u8]) -> Ordering {
    match (a.split_first(), b.split_first()) {
        (Some((&TAG_INT, x)), Some((&TAG_INT, y))) => compare_signed_be(x, y),
        _ => a.cmp(b),
    }
}

fn compare_signed_be(x: &[u8], y: &[u8]) -> Ordering {
    let negative = |v: &[u8]| v.first().is_some_and(|b| b & 0x80 != 0);
    let (nx, ny) = (negative(x), negative(y));
    if nx != ny {
        return if nx {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // Same sign: sign-extend the shorter one and compare the two's complement bytes unsigned.
    let fill = if nx { 0xff } else { 0x00 };
    let len = x.len().max(y.len());
    let byte = |v: &[u8], i: usize| {
        let pad = len - v.len();
        if i < pad {
            fill
        } else {
            v[i - pad]
        }
    };
    (0..len)
        .map(|i| byte(x, i).cmp(&byte(y, i)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_keys_order_numerically() {
        let enc = |v: i64| {
            let bytes = v.to_be_bytes();
            // Minimal two's complement like num_bigint's to_signed_bytes_be.
            let mut start = 0;
            while start < 7 {
                let (b, next) = (bytes[start], bytes[start + 1]);
                if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
                    start += 1;
                } else {
                    break;
                }
            }
            let mut out = vec![TAG_INT];
            out.extend_from_slice(&bytes[start..]);
            out
        };
        let values = [
            i64::MIN,
            -70_000,
            -256,
            -129,
            -128,
            -1,
            0,
            1,
            127,
            128,
            255,
            256,
            70_000,
            i64::MAX,
        ];
        for a in values {
            for b in values {
                assert_eq!(compare(&enc(a), &enc(b)), a.cmp(&b), "{a} vs {b}");
            }
        }
        assert_eq!(compare(b"\x03", b"\x03\x00"), Ordering::Equal);
    }

    #[test]
    fn other_keys_are_bytewise() {
        assert_eq!(compare(b"\x02b", b"\x03\x01"), Ordering::Less);
        assert_eq!(compare(b"", b"\x02"), Ordering::Less);
        assert_eq!(compare(b"\x02a::b", b"\x02a::"), Ordering::Greater);
    }

    #[test]
    fn prefix_end_increments() {
        assert_eq!(prefix_end(b"\x02a::").unwrap(), b"\x02a:;");
        assert_eq!(prefix_end(b"a\xff").unwrap(), b"b");
        assert_eq!(prefix_end(b"\xff\xff"), None);
    }

    #[test]
    fn value_tags() {
        assert!(decode_value(b"\x01{\"value\": {}}").is_ok());
        assert!(decode_value(b"\x02{\"value\": {}}").is_ok());
        let err = decode_value(b"\x06\x80\x04}").unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Deserialization);
        assert!(decode_value(b"").is_err());
        assert!(decode_value(b"{\"value\": {}}").is_err());
    }
}
