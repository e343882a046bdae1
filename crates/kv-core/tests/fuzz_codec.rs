//! Property tests (bounded fuzzing) of the codec and the sanitization strategies: arbitrary
//! input never panics, valid data round-trips byte for byte. Regressions found are kept below.

use kv_core::codec::{envelope, strict};
use kv_core::sanitize::{self, HashFragmentMode, Hybrid, SanitizationStrategy};
use kv_core::{to_canonical_json, Entry, Object, Timestamp};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Object> {
    prop::collection::btree_map(".*", json_value(), 0..8)
        .prop_map(|m| m.into_iter().collect::<Map<_, _>>())
}

fn timestamp() -> impl Strategy<Value = Option<Timestamp>> {
    prop::option::of(
        (Timestamp::MIN.unix_micros()..=Timestamp::MAX.unix_micros())
            .prop_map(|m| Timestamp::from_unix_micros(m).expect("in range")),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn canonical_json_round_trips_and_is_stable(value in json_object()) {
        let text = to_canonical_json(&value);
        prop_assert!(text.is_ascii());
        let parsed = strict::parse_object(text.as_bytes()).expect("canonical text parses");
        prop_assert_eq!(&parsed, &value);
        prop_assert_eq!(to_canonical_json(&parsed), text);
    }

    #[test]
    fn envelopes_round_trip(value in json_object(), created in timestamp(), expires in timestamp(), key in ".*", collection in ".*", names in any::<bool>()) {
        let entry = Entry { value, created_at: created, expires_at: expires };
        let kc = names.then_some((key.as_str(), collection.as_str()));
        let text = envelope::encode(&entry, kc);
        let decoded = envelope::decode(text.as_bytes()).expect("own envelope decodes");
        prop_assert_eq!(&decoded, &entry);
        prop_assert_eq!(envelope::encode(&decoded, kc), text);
    }

    #[test]
    fn decoder_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = envelope::decode(&bytes);
        let _ = strict::parse_object(&bytes);
    }

    #[test]
    fn decoder_never_panics_on_mangled_envelopes(value in json_object(), cut in 0usize..400, byte in any::<u8>()) {
        let entry = Entry { value, created_at: Some(Timestamp::now()), expires_at: None };
        let mut bytes = envelope::encode(&entry, Some(("k", "c"))).into_bytes();
        let i = cut % (bytes.len() + 1);
        bytes.truncate(i.max(1));
        if let Some(last) = bytes.last_mut() { *last = byte; }
        if let Err(e) = envelope::decode(&bytes) {
            prop_assert_eq!(e.kind(), &kv_core::ErrorKind::Deserialization);
        }
    }

    #[test]
    fn timestamps_parse_what_they_format(ts in timestamp()) {
        if let Some(ts) = ts {
            prop_assert_eq!(Timestamp::parse(&ts.to_string()).expect("parses"), ts);
        }
    }

    #[test]
    fn timestamp_parser_never_panics(text in ".{0,40}") {
        let _ = Timestamp::parse(&text);
    }

    #[test]
    fn hybrid_respects_max_length_and_allowed_characters(input in ".{0,300}", max in 16usize..300, always in any::<bool>()) {
        let mode = if always { HashFragmentMode::Always } else { HashFragmentMode::OnlyIfChanged };
        let s = Hybrid::new().max_length(max).allowed_characters(sanitize::ALPHANUMERIC).mode(mode);
        let out = s.sanitize(&input);
        prop_assert!(out.chars().count() <= max, "{} > {}", out.chars().count(), max);
        prop_assert!(out.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        if out != input {
            prop_assert!(out.starts_with("S_"));
        }
    }

    #[test]
    fn hash_strategies_never_panic(input in ".{0,600}", max in 0usize..600) {
        let _ = sanitize::HashExcessLength::new(max).sanitize(&input);
        let _ = sanitize::ByteTruncation::new(max).sanitize(&input);
        let _ = sanitize::FirestoreV1.sanitize(&input);
        let _ = sanitize::AzureTables.sanitize(&input);
        let out = sanitize::memcached_v1_key().sanitize(&input);
        prop_assert!(out.chars().count() <= 240);
        let _ = sanitize::sanitize_string(&input, max, Some(sanitize::ALPHANUMERIC), "_", "-", HashFragmentMode::OnlyIfChanged, 8, max % 2 == 0);
        let _ = sanitize::hash_excess_length(&input, max, max % 2 == 0);
    }
}
