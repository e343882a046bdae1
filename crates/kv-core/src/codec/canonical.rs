//! Canonical JSON: byte-identical to Python's `json.dumps(obj, sort_keys=True)`.

use serde_json::{Map, Number, Value};

/// Encodes a JSON object exactly as Python's `json.dumps(obj, sort_keys=True)` does.
///
/// Keys are sorted by code point at every depth, separators are `", "` and `": "`, every
/// non-ASCII character is escaped (astral characters as surrogate pairs) and floats use
/// Python's `repr`.
///
/// ```
/// use serde_json::json;
/// let value = json!({"b": 1.0, "a": "é😀", "c": [1e16, null]});
/// let text = kv_core::to_canonical_json(value.as_object().unwrap());
/// assert_eq!(text, r#"{"a": "\u00e9\ud83d\ude00", "b": 1.0, "c": [1e+16, null]}"#);
/// ```
pub fn to_canonical_json(object: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(64);
    write_object(&mut out, object);
    out
}

/// Appends the canonical JSON of any JSON value to `out`.
pub fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

/// The entries of `map` in Python's `sort_keys` order (code point = UTF-8 byte order).
/// serde_json's map is already sorted unless some crate in the build turns on its
/// `preserve_order` feature; then this sorts.
pub fn sorted_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    if !entries.windows(2).all(|w| w[0].0 <= w[1].0) {
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    entries
}

/// Appends the canonical JSON of an object to `out`.
pub fn write_object(out: &mut String, map: &Map<String, Value>) {
    out.push('{');
    for (i, (k, v)) in sorted_entries(map).into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_string(out, k);
        out.push_str(": ");
        write_canonical(out, v);
    }
    out.push('}');
}

/// The size in bytes of the canonical JSON of `object` (py-key-value's `estimate_serialized_size`).
pub fn canonical_len(object: &Map<String, Value>) -> usize {
    to_canonical_json(object).len()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends a JSON string literal with Python's `ensure_ascii` escaping.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        if b < 0x80 {
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                0x08 => out.push_str("\\b"),
                0x0c => out.push_str("\\f"),
                _ => push_u_escape(out, u16::from(b)),
            }
            i += 1;
        } else {
            // A multi-byte character: `i` is on a char boundary because we only stop at its lead byte.
            let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                push_u_escape(out, *unit);
            }
            i += ch.len_utf8();
        }
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn push_u_escape(out: &mut String, unit: u16) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xf)] as char);
    }
}

fn write_number(out: &mut String, n: &Number) {
    use std::fmt::Write as _;
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        write_python_float(out, f);
    } else {
        // Arbitrary precision numbers are not enabled; fall back to serde_json's text.
        out.push_str(&n.to_string());
    }
}

/// Appends Python's `repr(float)` of a finite float.
pub fn write_python_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7", "1e16", "0e0".
    let sci = format!("{:e}", f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn float(f: f64) -> String {
        let mut s = String::new();
        write_python_float(&mut s, f);
        s
    }

    #[test]
    fn python_float_repr() {
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (12345678901.2345, "12345678901.2345"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (-2.5, "-2.5"),
            (9999999999999998.0, "9999999999999998.0"),
        ];
        for (f, expected) in cases {
            assert_eq!(float(f), expected, "{f:e}");
        }
    }

    #[test]
    fn wire_format_examples() {
        let v = json!({"s": "quote\" backslash\\ slash/ bell\u{7} nul\u{0} del\u{7f} ls\u{2028}"});
        assert_eq!(
            to_canonical_json(v.as_object().unwrap()),
            r#"{"s": "quote\" backslash\\ slash/ bell\u0007 nul\u0000 del\u007f ls\u2028"}"#
        );
        let v = json!({"é": 1, "e": 2, "E": 3, "😀": 4, "\u{ffff}": 5, "_": 6});
        assert_eq!(
            to_canonical_json(v.as_object().unwrap()),
            r#"{"E": 3, "_": 6, "e": 2, "\u00e9": 1, "\uffff": 5, "\ud83d\ude00": 4}"#
        );
        let v = json!({"i": [0, -42, i64::MAX, i64::MIN, u64::MAX]});
        assert_eq!(
            to_canonical_json(v.as_object().unwrap()),
            "{\"i\": [0, -42, 9223372036854775807, -9223372036854775808, 18446744073709551615]}"
        );
    }
}
