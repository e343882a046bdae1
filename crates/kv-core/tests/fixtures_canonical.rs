//! Every line of `canonical-json.jsonl` and `canonical-json-extra.jsonl`.

#[path = "support/mod.rs"]
mod fixtures_support;

use kv_core::codec::strict;
use kv_core::{to_canonical_json, ErrorKind};
use serde_json::Value;

#[test]
fn canonical_json_is_byte_identical_to_python() {
    let rows = fixtures_support::read_jsonl("canonical-json.jsonl");
    assert_eq!(rows.len(), 69);
    for row in rows {
        let name = row["name"].as_str().unwrap();
        let canonical = row["canonical"].as_str().unwrap();
        let tags: Vec<&str> = row["tags"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if tags.contains(&"beyond-64bit") {
            // Integers beyond u64 cannot be represented: reading them is a clear error, not a float.
            let err = strict::parse_object(canonical.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::Deserialization, "{name}");
            continue;
        }
        let value = row["value"].as_object().unwrap();
        let ours = to_canonical_json(value);
        assert_eq!(ours, canonical, "{name}");
        assert_eq!(
            ours.len() as u64,
            row["canonical_len"].as_u64().unwrap(),
            "{name}"
        );
        // Reading Python's text back and re-encoding gives the same bytes.
        let reread = strict::parse_object(canonical.as_bytes()).unwrap();
        assert_eq!(to_canonical_json(&reread), canonical, "{name}");
        let compact =
            strict::parse_object(row["compact_insertion_order"].as_str().unwrap().as_bytes())
                .unwrap();
        assert_eq!(&compact, value, "{name}");
    }
}

#[test]
fn python_only_inputs() {
    for row in fixtures_support::read_jsonl("canonical-json-extra.jsonl") {
        let name = row["name"].as_str().unwrap();
        match row["kind"].as_str().unwrap() {
            "nonfinite" => {
                let text = row["canonical"].as_str().unwrap();
                let err = strict::parse_object(text.as_bytes()).unwrap_err();
                assert_eq!(err.kind(), &ErrorKind::Deserialization, "{name}");
            }
            "python-only-input" => match row["canonical"].as_str() {
                // A tuple is a list in Rust too.
                Some(canonical) => {
                    let value = serde_json::json!({"str_key": [1, "two", 3.0]});
                    assert_eq!(
                        to_canonical_json(value.as_object().unwrap()),
                        canonical,
                        "{name}"
                    );
                }
                // datetime/date/time/UUID/bytes/set: not JSON values in Python; in Rust they are
                // typed values, refused as objects by the typed adapter (see typed_adapter.rs).
                None => assert_eq!(row["error"], "SerializationError", "{name}"),
            },
            other => panic!("unknown kind {other}"),
        }
    }
}
