//! Strict JSON reading: what serde_json would silently turn into floats is an error here.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::Object;

/// Parses JSON text that must be an object, rejecting integers outside `i64`/`u64`
/// (serde_json would read them as floats) and non-standard tokens such as `NaN`.
///
/// ```
/// assert!(kv_core::codec::strict::parse_object(br#"{"a": 1}"#).is_ok());
/// assert!(kv_core::codec::strict::parse_object(br#"{"a": 1180591620717411303424}"#).is_err());
/// assert!(kv_core::codec::strict::parse_object(b"[1]").is_err());
/// ```
pub fn parse_object(bytes: &[u8]) -> Result<Object> {
    match parse_value(bytes)? {
        Value::Object(map) => Ok(map),
        other => Err(Error::deserialization(format!(
            "expected a JSON object, found {}",
            json_type(&other)
        ))),
    }
}

/// Parses any JSON value with the integer-range check of [`parse_object`].
pub fn parse_value(bytes: &[u8]) -> Result<Value> {
    check_integer_ranges(bytes)?;
    serde_json::from_slice(bytes)
        .map_err(|e| Error::deserialization(format!("invalid JSON: {e}")).with_source(e))
}

/// The JSON type name of a value, for messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Scans JSON text for integer literals that do not fit `i64`/`u64`.
pub(crate) fn check_integer_ranges(bytes: &[u8]) -> Result<()> {
    // Out-of-range integers need at least 19 digits in a row: most texts have no such run.
    if !has_digit_run(bytes, 19) {
        return Ok(());
    }
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < n {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                let mut integer = true;
                while i < n && matches!(bytes[i], b'-' | b'+' | b'0'..=b'9' | b'.' | b'e' | b'E') {
                    if matches!(bytes[i], b'.' | b'e' | b'E') {
                        integer = false;
                    }
                    i += 1;
                }
                if integer {
                    let token = &bytes[start..i];
                    let fits = std::str::from_utf8(token)
                        .is_ok_and(|t| t.parse::<i64>().is_ok() || t.parse::<u64>().is_ok());
                    // Malformed tokens are left for serde_json to report.
                    if !fits && token.len() > 18 && token.iter().skip(1).all(u8::is_ascii_digit) {
                        return Err(Error::deserialization(format!(
                            "integer {} is outside the 64-bit range",
                            String::from_utf8_lossy(token)
                        )));
                    }
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Whether `bytes` holds `len` (> 0) ASCII digits in a row.
///
/// Looks at the last byte of each window first: a non-digit there rules out every run through
/// it, so text with few digits is crossed `len` bytes at a time instead of byte by byte.
fn has_digit_run(bytes: &[u8], len: usize) -> bool {
    let mut start = 0;
    while start + len <= bytes.len() {
        let last = start + len - 1;
        if !bytes[last].is_ascii_digit() {
            start = last + 1;
            continue;
        }
        let mut first = last;
        while first > start && bytes[first - 1].is_ascii_digit() {
            first -= 1;
        }
        if first == start {
            return true;
        }
        // bytes[first - 1] is not a digit: no run starts before `first`.
        start = first;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_are_found_wherever_they_sit() {
        let naive = |b: &[u8], len: usize| b.windows(len).any(|w| w.iter().all(u8::is_ascii_digit));
        let texts: [&[u8]; 7] = [
            b"",
            b"1234",
            b"x12345y",
            b"12345",
            b"a1234b123456c",
            b"1a12345",
            b"123a12345678901",
        ];
        for text in texts {
            for len in 1..=6 {
                assert_eq!(has_digit_run(text, len), naive(text, len), "{text:?} {len}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn digit_run_search_matches_the_naive_scan(
            text in proptest::collection::vec(proptest::sample::select(b"0123456789a-".to_vec()), 0..80),
            len in 1usize..25,
        ) {
            let naive = text.windows(len).any(|w| w.iter().all(u8::is_ascii_digit));
            proptest::prop_assert_eq!(has_digit_run(&text, len), naive);
        }
    }

    #[test]
    fn rejects_out_of_range_numbers() {
        assert!(parse_object(br#"{"a": 18446744073709551615}"#).is_ok());
        assert!(parse_object(br#"{"a": -9223372036854775808}"#).is_ok());
        assert!(parse_object(br#"{"a": 18446744073709551616}"#).is_err());
        assert!(parse_object(br#"{"a": -9223372036854775809}"#).is_err());
        assert!(parse_object(br#"{"a": 1e400}"#).is_err());
        assert!(parse_object(br#"{"a": NaN}"#).is_err());
        assert!(parse_object(br#"{"a": -Infinity}"#).is_err());
        assert!(parse_object(br#"{"a": "123456789012345678901234567890"}"#).is_ok());
        assert!(parse_object(br#"{"a\"1234567890123456789012345": 1}"#).is_ok());
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let o = parse_object(br#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(o["a"], 2);
    }
}
