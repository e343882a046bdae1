//! Every line of `envelopes.jsonl`: the exact bytes py-key-value writes and every form it reads.

#[path = "support/mod.rs"]
mod fixtures_support;

use kv_core::codec::envelope;
use kv_core::{Entry, ErrorKind, Timestamp};
use serde_json::Value;

fn ts(v: &Value) -> Option<Timestamp> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(Timestamp::parse(s).unwrap()),
        Value::Object(o) => {
            Some(Timestamp::from_unix_micros(o["epoch_micros"].as_i64().unwrap()).unwrap())
        }
        other => panic!("bad timestamp {other}"),
    }
}

#[test]
fn dump_rows_are_byte_identical_and_load_back() {
    let rows = fixtures_support::read_jsonl("envelopes.jsonl");
    let mut dumps = 0;
    for row in rows.iter().filter(|r| r["kind"] == "dump") {
        dumps += 1;
        let name = row["name"].as_str().unwrap();
        let e = &row["entry"];
        let entry = Entry {
            value: e["value"].as_object().unwrap().clone(),
            created_at: ts(&e["created_at"]),
            expires_at: ts(&e["expires_at"]),
        };
        let key = row["key"].as_str();
        let collection = row["collection"].as_str();
        let names = match (key, collection) {
            (Some(k), Some(c)) => Some((k, c)),
            _ => None,
        };
        if names.is_some() {
            assert_eq!(
                envelope::encode(&entry, names),
                row["dump_json"].as_str().unwrap(),
                "{name}"
            );
        }
        assert_eq!(
            envelope::encode(&entry, None),
            row["dump_json_without_key_collection"].as_str().unwrap(),
            "{name}"
        );
        // The timestamps Python reports after loading its own dump.
        let load = &row["load_of_dump"];
        let decoded = envelope::decode(row["dump_json"].as_str().unwrap().as_bytes()).unwrap();
        assert_eq!(decoded.value, entry.value, "{name}");
        assert_eq!(decoded.created_at, ts(&load["created_at"]), "{name}");
        assert_eq!(decoded.expires_at, ts(&load["expires_at"]), "{name}");
        if let Some(iso) = load["created_at"].get("isoformat") {
            assert_eq!(
                decoded.created_at.unwrap().to_string(),
                iso.as_str().unwrap(),
                "{name}"
            );
        }
        // Value stored as a canonical JSON string (Firestore/chdb style) reads the same.
        if let Some(doc) = row["other_adapters"]["basic-value-string"]["dump_dict"].as_object() {
            let from_string = envelope::from_document(doc.clone()).unwrap();
            assert_eq!(from_string.value, entry.value, "{name}");
        }
    }
    assert!(dumps >= 10);
}

#[test]
fn load_rows_accept_every_form_and_reject_the_rest() {
    let rows = fixtures_support::read_jsonl("envelopes.jsonl");
    let mut loads = 0;
    for row in rows.iter().filter(|r| r["kind"] == "load") {
        loads += 1;
        let name = row["name"].as_str().unwrap();
        let input = row["input"].as_str().unwrap();
        let result = envelope::decode(input.as_bytes());
        match name {
            // spec/wire-format.md §3 rule 3: null timestamps mean "not set" (Python: TypeError).
            "error-null-expires-at-typeerror" => {
                let e = result.unwrap();
                assert_eq!(e.expires_at, None);
                assert_eq!(e.value["a"], 1);
                continue;
            }
            // Rule 4: any version other than 1 is refused (Python ignores it and would misread
            // a future format).
            "version-2-ignored" => {
                assert_eq!(
                    result.unwrap_err().kind(),
                    &ErrorKind::Deserialization,
                    "{name}"
                );
                continue;
            }
            _ => {}
        }
        if row["error"].is_null() {
            let e = result.unwrap_or_else(|err| panic!("{name}: {err}"));
            let loaded = &row["loaded"];
            assert_eq!(Value::Object(e.value), loaded["value"], "{name}");
            assert_eq!(e.created_at, ts(&loaded["created_at"]), "{name}");
            assert_eq!(e.expires_at, ts(&loaded["expires_at"]), "{name}");
        } else {
            // DeserializationError, and Python's TypeError for ill-typed timestamps, are both
            // Deserialization here (semantics.md §10 #10).
            let err = result.expect_err(name);
            assert_eq!(err.kind(), &ErrorKind::Deserialization, "{name}");
        }
    }
    assert!(loads >= 15);
}
