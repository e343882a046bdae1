//! The Redis/Valkey layout shared with py-key-value (Redis and Valkey data are interchangeable):
//! `C::K` keys, envelope values, `PX` expiry in milliseconds that never rounds down.

use crate::codec::envelope;
use crate::{Entry, Name, Result, Timestamp};

/// The key of `(collection, key)`: `C::K`.
pub fn key(collection: &Name<'_>, key: &Name<'_>) -> String {
    crate::compound_key(collection.as_str(), key.as_str())
}

/// The stored envelope `DOC(K,C)` with the names as the caller gave them.
pub fn encode(collection: &Name<'_>, key: &Name<'_>, entry: &Entry) -> String {
    envelope::encode(entry, Some((key.given, collection.given)))
}

/// Milliseconds for `PX`: `max(1, ceil(expires_at − now))`, never rounded down, never 0.
pub fn px_millis(expires_at: Timestamp, now: Timestamp) -> u64 {
    let micros = expires_at
        .duration_since(now)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    micros.div_ceil(1000).max(1)
}

/// The `PX` milliseconds of an entry written now, if it expires.
pub fn entry_px(entry: &Entry) -> Option<u64> {
    entry.expires_at.map(|at| px_millis(at, Timestamp::now()))
}

/// Decodes a stored value (`nil` is a miss).
pub fn decode(bytes: Option<&[u8]>) -> Result<Option<Entry>> {
    bytes.map(envelope::decode).transpose()
}

/// Escapes the glob characters `* ? [ ] \` of a `SCAN MATCH` pattern.
pub fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `SCAN MATCH` pattern of one collection's keys.
pub fn collection_pattern(collection: &str) -> String {
    let mut pattern = glob_escape(collection);
    pattern.push_str("::*");
    pattern
}

/// Whether a stored value is in this library's layout: a JSON object with a `value` member.
pub fn is_library_value(bytes: &[u8]) -> bool {
    matches!(
        serde_json::from_slice::<serde_json::Value>(bytes),
        Ok(serde_json::Value::Object(map)) if map.contains_key("value")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn px_never_rounds_down_or_to_zero() {
        let now = Timestamp::now();
        let at = |d| now.checked_add(d).unwrap();
        assert_eq!(px_millis(at(Duration::from_secs(10)), now), 10_000);
        assert_eq!(
            px_millis(at(Duration::from_micros(10_000_001)), now),
            10_001
        );
        assert_eq!(px_millis(at(Duration::from_micros(1)), now), 1);
        assert_eq!(px_millis(now, now), 1);
        assert_eq!(px_millis(now, at(Duration::from_secs(1))), 1);
    }

    #[test]
    fn glob_characters_are_escaped() {
        assert_eq!(glob_escape(r"a*b?[c]\d"), r"a\*b\?\[c\]\\d");
        assert_eq!(collection_pattern("x*"), r"x\*::*");
    }

    #[test]
    fn library_values() {
        assert!(is_library_value(br#"{"value": {}}"#));
        assert!(is_library_value(br#"{"value": 5, "version": 1}"#));
        assert!(!is_library_value(b"plain text"));
        assert!(!is_library_value(br#"{"other": 1}"#));
        assert!(!is_library_value(b"[1]"));
    }
}
