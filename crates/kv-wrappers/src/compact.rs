//! Compact JSON as Python's `json.dumps(v, separators=(",", ":"))` writes it (ASCII-escaped).

use kv_core::codec::canonical::{sorted_entries, write_python_float, write_string};
use kv_core::Object;
use serde_json::Value;

/// The value as compact JSON: `","`/`":"` separators, non-ASCII escaped, floats as Python's `repr`.
/// Members come in `serde_json::Map` order (sorted), which readers accept (order is free).
pub(crate) fn to_compact_json(object: &Object) -> String {
    let mut out = String::with_capacity(64);
    write_object(&mut out, object);
    out
}

fn write_object(out: &mut String, map: &Object) {
    out.push('{');
    for (i, (k, v)) in sorted_entries(map).into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, k);
        out.push(':');
        write_value(out, v);
    }
    out.push('}');
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                write_python_float(out, n.as_f64().unwrap_or(f64::NAN));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

/// Parses JSON text that must be an object.
pub(crate) fn parse_object(bytes: &[u8]) -> Option<Object> {
    match kv_core::codec::strict::parse_value(bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_matches_python() {
        let v = serde_json::json!({"secret": "h\u{e9}llo \u{1F30D}", "list": [1, 2.5, null]});
        assert_eq!(
            to_compact_json(v.as_object().unwrap()),
            r#"{"list":[1,2.5,null],"secret":"h\u00e9llo \ud83c\udf0d"}"#
        );
    }
}
