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
    let mut run = 0u32;
    let mut long_run = false;
    for &b in bytes {
        run = if b.wrapping_sub(b'0') < 10 {
            run + 1
        } else {
            0
        };
        if run >= 19 {
            long_run = true;
            break;
        }
    }
    if !long_run {
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

#[cfg(test)]
mod tests {
    use super::*;

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
