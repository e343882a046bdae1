//! Every line of `sanitization.jsonl`: strategies and low-level helpers produce py-key-value's names.

#[path = "support/mod.rs"]
mod fixtures_support;

use kv_core::sanitize::{self, HashFragmentMode, Hybrid, SanitizationStrategy};
use kv_core::ErrorKind;
use serde_json::Value;

fn mode(v: &Value) -> HashFragmentMode {
    match v.as_str().unwrap_or("only_if_changed") {
        "always" => HashFragmentMode::Always,
        "never" => HashFragmentMode::Never,
        _ => HashFragmentMode::OnlyIfChanged,
    }
}

fn hybrid(p: &Value) -> Hybrid {
    let mut h = Hybrid::new()
        .max_length(p["max_length"].as_u64().unwrap() as usize)
        .replacement(p["replacement_character"].as_str().unwrap())
        .mode(mode(&p["hash_fragment_mode"]))
        .fragment_length(p["hash_fragment_length"].as_u64().unwrap() as usize);
    if let Some(a) = p["allowed_characters"].as_str() {
        h = h.allowed_characters(a);
    }
    h
}

fn strategy(
    name: &str,
    params: &Value,
    effective: &Value,
) -> kv_core::Result<Box<dyn SanitizationStrategy>> {
    Ok(match name {
        "PassthroughStrategy" => Box::new(sanitize::Passthrough),
        "AlwaysHashStrategy" => Box::new(sanitize::AlwaysHash::new(
            params["hash_length"].as_u64().unwrap_or(64) as usize,
        )?),
        "HashExcessLengthStrategy" => Box::new(sanitize::HashExcessLength::new(
            effective["max_length"].as_u64().unwrap() as usize,
        )),
        "HybridSanitizationStrategy" => Box::new(hybrid(effective)),
        "MemcachedV1KeySanitizationStrategy" => Box::new(sanitize::memcached_v1_key()),
        "MongoDBV1CollectionSanitizationStrategy" => Box::new(sanitize::mongodb_v1_collection()),
        "ElasticsearchV1KeySanitizationStrategy" | "OpenSearchV1KeySanitizationStrategy" => {
            Box::new(sanitize::elasticsearch_v1_key())
        }
        "ElasticsearchV1CollectionSanitizationStrategy"
        | "OpenSearchV1CollectionSanitizationStrategy" => {
            Box::new(sanitize::elasticsearch_v1_collection())
        }
        "KeyringV1KeySanitizationStrategy" | "KeyringV1CollectionSanitizationStrategy" => {
            Box::new(sanitize::keyring_v1())
        }
        "WindowsRegistryV1CollectionSanitizationStrategy" => {
            Box::new(sanitize::windows_registry_v1_collection())
        }
        // Derived from the directory at run time (pathconf); the fixture gives the parameters.
        "FileTreeV1CollectionSanitizationStrategy" | "FileTreeV1KeySanitizationStrategy" => {
            Box::new(hybrid(effective))
        }
        "S3KeySanitizationStrategy" | "S3CollectionSanitizationStrategy" => Box::new(
            sanitize::ByteTruncation::new(effective["max_bytes"].as_u64().unwrap() as usize),
        ),
        "FirestoreV1KeySanitizationStrategy" | "FirestoreV1CollectionSanitizationStrategy" => {
            Box::new(sanitize::FirestoreV1)
        }
        "AzureTablesSanitizationStrategy" => Box::new(sanitize::AzureTables),
        other => panic!("unknown strategy {other}"),
    })
}

#[test]
fn strategies_match_every_vector() {
    let mut checked = 0;
    for row in fixtures_support::read_jsonl("sanitization.jsonl") {
        let Some(name) = row["strategy"].as_str() else {
            continue;
        };
        if row.get("constructor_error").is_some() {
            let err = strategy(name, &row["params"], &Value::Null)
                .err()
                .unwrap_or_else(|| panic!("{row}"));
            assert_eq!(err.kind(), &ErrorKind::Setup);
            continue;
        }
        let s = strategy(name, &row["params"], &row["effective_params"]).unwrap();
        let input = row["input"].as_str().unwrap();
        assert_eq!(
            s.sanitize(input),
            row["sanitize_without_validate"].as_str().unwrap(),
            "{name} sanitize {input:?}"
        );
        match row["error"].as_str() {
            Some("InvalidKeyError") => {
                assert_eq!(
                    s.validate(input).unwrap_err().kind(),
                    &ErrorKind::InvalidKey,
                    "{name} {input:?}"
                );
            }
            Some(other) => panic!("unexpected error {other}"),
            None => {
                s.validate(input)
                    .unwrap_or_else(|e| panic!("{name} {input:?}: {e}"));
                assert_eq!(
                    s.sanitize(input),
                    row["output"].as_str().unwrap(),
                    "{name} {input:?}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 1300, "{checked}");
}

#[test]
fn helper_functions_match_every_vector() {
    let mut checked = 0;
    for row in fixtures_support::read_jsonl("sanitization.jsonl") {
        let Some(function) = row["function"].as_str() else {
            continue;
        };
        let p = &row["params"];
        let input = row["input"].as_str().unwrap();
        let result = match function {
            "sanitize_string" => sanitize::sanitize_string(
                input,
                p["max_length"].as_u64().unwrap() as usize,
                p["allowed_characters"].as_str(),
                p["replacement_character"].as_str().unwrap_or("_"),
                p["hash_fragment_separator"].as_str().unwrap_or("-"),
                mode(&p["hash_fragment_mode"]),
                p["hash_fragment_length"].as_u64().unwrap_or(8) as usize,
                p["length_is_bytes"].as_bool().unwrap_or(false),
            ),
            "hash_excess_length" => sanitize::hash_excess_length(
                input,
                p["max_length"].as_u64().unwrap() as usize,
                p["length_is_bytes"].as_bool().unwrap_or(false),
            ),
            "sanitize_characters_in_string" => Ok(sanitize::replace_disallowed(
                input,
                p["allowed_characters"].as_str().unwrap(),
                p["replace_with"].as_str().unwrap(),
            )),
            other => panic!("unknown function {other}"),
        };
        match row["error"].as_str() {
            Some(_) => assert!(result.is_err(), "{function} {p} {input:?} should fail"),
            None => assert_eq!(
                result.unwrap_or_else(|e| panic!("{function} {p} {input:?}: {e}")),
                row["output"].as_str().unwrap(),
                "{function} {p} {input:?}"
            ),
        }
        checked += 1;
    }
    assert!(checked >= 130, "{checked}");
}
