//! The data cases of py-key-value's suite (`SIMPLE_CASES`, `LARGE_DATA_CASES`).

use serde_json::json;

use super::obj;
use crate::Object;

/// `(id, value, expected canonical JSON)` of the 26 simple cases.
pub fn simple_cases() -> Vec<(&'static str, Object, String)> {
    let cases = vec![
        ("null-value", json!({"null_key": null})),
        ("null-list", json!({"str_key": [null, null, null]})),
        (
            "null-nested-dict-values",
            json!({"str_key": {"str_key_2": null, "str_key_3": null}}),
        ),
        (
            "null-no-implicit-serialization-in-keys",
            json!({"null": "str_value"}),
        ),
        (
            "null-no-implicit-serialization-in-values",
            json!({"str_key": "null"}),
        ),
        ("boolean-value-true", json!({"bool_true_key": true})),
        ("boolean-value-false", json!({"bool_false_key": false})),
        ("boolean-list", json!({"str_key": [true, false, true]})),
        (
            "boolean-nested-dict-values",
            json!({"str_key": {"str_key_2": true, "str_key_3": false}}),
        ),
        (
            "boolean-no-implicit-serialization-in-keys",
            json!({"true": "str_value"}),
        ),
        (
            "boolean-no-implicit-serialization-in-values",
            json!({"str_key": "true"}),
        ),
        ("integer-int", json!({"int_key": 1})),
        ("integer-value-negative", json!({"negative_int_key": -42})),
        (
            "integer-large-value",
            json!({"large_int_key": 1_000_000_000_000_000_000i64}),
        ),
        (
            "integer-no-implicit-serialization-in-keys",
            json!({"1": "str_value"}),
        ),
        (
            "integer-no-implicit-serialization-in-values",
            json!({"str_key": "1"}),
        ),
        ("float-value", json!({"float_key": 1.0})),
        (
            "float-large-value",
            json!({"large_float_key": 12345678901.2345}),
        ),
        (
            "float-no-implicit-serialization-in-keys",
            json!({"1.0": "str_value"}),
        ),
        (
            "float-no-implicit-serialization-in-values",
            json!({"str_key": "1.0"}),
        ),
        ("string-string", json!({"string_key": "string_value"})),
        ("string-1kb-value", json!({"string_key": "a".repeat(1024)})),
        (
            "string-unicode",
            json!({"unicode_key": "Hello 世界 🌍 émojis"}),
        ),
        (
            "string-special-chars",
            json!({"special_key": "Line1\nLine2\tTabbed"}),
        ),
        (
            "uuid-no-implicit-conversion-in-keys",
            json!({"12345678-1234-5678-1234-567812345678": "str_value"}),
        ),
        (
            "uuid-no-implicit-conversion-in-values",
            json!({"str_key": "12345678-1234-5678-1234-567812345678"}),
        ),
    ];
    let expected = [
        r#"{"null_key": null}"#.to_owned(),
        r#"{"str_key": [null, null, null]}"#.to_owned(),
        r#"{"str_key": {"str_key_2": null, "str_key_3": null}}"#.to_owned(),
        r#"{"null": "str_value"}"#.to_owned(),
        r#"{"str_key": "null"}"#.to_owned(),
        r#"{"bool_true_key": true}"#.to_owned(),
        r#"{"bool_false_key": false}"#.to_owned(),
        r#"{"str_key": [true, false, true]}"#.to_owned(),
        r#"{"str_key": {"str_key_2": true, "str_key_3": false}}"#.to_owned(),
        r#"{"true": "str_value"}"#.to_owned(),
        r#"{"str_key": "true"}"#.to_owned(),
        r#"{"int_key": 1}"#.to_owned(),
        r#"{"negative_int_key": -42}"#.to_owned(),
        r#"{"large_int_key": 1000000000000000000}"#.to_owned(),
        r#"{"1": "str_value"}"#.to_owned(),
        r#"{"str_key": "1"}"#.to_owned(),
        r#"{"float_key": 1.0}"#.to_owned(),
        r#"{"large_float_key": 12345678901.2345}"#.to_owned(),
        r#"{"1.0": "str_value"}"#.to_owned(),
        r#"{"str_key": "1.0"}"#.to_owned(),
        r#"{"string_key": "string_value"}"#.to_owned(),
        format!(r#"{{"string_key": "{}"}}"#, "a".repeat(1024)),
        r#"{"unicode_key": "Hello \u4e16\u754c \ud83c\udf0d \u00e9mojis"}"#.to_owned(),
        r#"{"special_key": "Line1\nLine2\tTabbed"}"#.to_owned(),
        r#"{"12345678-1234-5678-1234-567812345678": "str_value"}"#.to_owned(),
        r#"{"str_key": "12345678-1234-5678-1234-567812345678"}"#.to_owned(),
    ];
    cases
        .into_iter()
        .zip(expected)
        .map(|((id, v), e)| (id, obj(v), e))
        .collect()
}

/// `(id, value)` of the 4 large cases.
pub fn large_cases() -> Vec<(&'static str, Object)> {
    vec![
        (
            "large-data-string",
            obj(json!({"large_string_key": "a".repeat(10_000)})),
        ),
        (
            "large-data-int",
            obj(json!({"large_int_key": 1_000_000_000_000_000_000i64})),
        ),
        (
            "large-data-float",
            obj(json!({"large_float_key": 12345678901.2345})),
        ),
        (
            "large-data-list",
            obj(json!({"large_list_key": (0..1000).collect::<Vec<i32>>()})),
        ),
    ]
}

/// The simple case with this id.
pub fn simple_case(id: &str) -> Object {
    simple_cases()
        .into_iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, v, _)| v)
        .unwrap_or_else(|| panic!("unknown simple case {id}"))
}

/// The large case with this id.
pub fn large_case(id: &str) -> Object {
    large_cases()
        .into_iter()
        .find(|(i, _)| *i == id)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("unknown large case {id}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_text_of_every_case() {
        for (id, value, expected) in super::simple_cases() {
            assert_eq!(crate::to_canonical_json(&value), expected, "{id}");
        }
        let list = super::large_case("large-data-list");
        assert_eq!(crate::to_canonical_json(&list).len(), 4910);
        let s = super::large_case("large-data-string");
        assert_eq!(crate::to_canonical_json(&s).len(), 10_024);
    }
}
