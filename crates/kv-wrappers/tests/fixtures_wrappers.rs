//! Every line of `shared/fixtures/wrappers.jsonl` that concerns a wrapper, as a test.
#![cfg(all(feature = "compression", feature = "encryption"))]

mod support;

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use kv_core::{ErrorKind, KeyValue, Object};
use kv_wrappers::{
    Compression, CompressionCodec, Encryption, FernetKey, PrefixCollections, PrefixKeys,
    SingleCollection, TtlClamp, ValueCodec,
};
use serde_json::{json, Value};
use support::{obj, Recorder};

/// `shared/fixtures/wrappers.jsonl` (`$KV_FIXTURES_DIR` overrides the fixtures directory).
fn fixture_path() -> String {
    if let Ok(dir) = std::env::var("KV_FIXTURES_DIR") {
        return format!("{dir}/wrappers.jsonl");
    }
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    format!("{manifest}/../../../shared/fixtures/wrappers.jsonl")
}

fn rows(wrapper: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(fixture_path()).expect("wrappers.jsonl");
    let rows: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture line"))
        .filter(|r: &Value| r["wrapper"] == wrapper)
        .collect();
    assert!(!rows.is_empty(), "no {wrapper} rows");
    rows
}

fn as_obj(v: &Value) -> Object {
    v.as_object().cloned().expect("object")
}

#[test]
fn all_wrapper_rows_are_covered() {
    let text = std::fs::read_to_string(fixture_path()).expect("wrappers.jsonl");
    let known = [
        "CompressionWrapper",
        "FernetEncryptionWrapper",
        "PrefixKeysWrapper",
        "PrefixCollectionsWrapper",
        "SingleCollectionWrapper",
        "TTLClampWrapper",
    ];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("json");
        if let Some(w) = row["wrapper"].as_str() {
            assert!(known.contains(&w), "wrapper {w} has no test");
        } else {
            assert!(
                row["adapter"].is_string(),
                "row is neither wrapper nor adapter"
            );
        }
    }
}

// ---------------------------------------------------------------- compression

#[tokio::test]
async fn compression_rows() {
    for row in rows("CompressionWrapper") {
        let case = row["case"].as_str().unwrap_or_default();
        let min = row["params"]["min_size_to_compress"]
            .as_u64()
            .unwrap_or(1024) as usize;
        let stored = as_obj(&row["stored_value"]);
        let inner = Arc::new(kv_store_memory::MemoryStore::new());
        let store = Compression::new(Arc::clone(&inner)).min_size_to_compress(min);

        // Read what Python stored.
        inner
            .put(Some("c"), "k", stored.clone(), None)
            .await
            .unwrap();
        let read = store.get(Some("c"), "k").await;
        if case.starts_with("read-")
            && row["read_back"] == row["stored_value"]
            && stored.contains_key("__compressed_data__")
        {
            // py-key-value returns the corrupt marker; this project reports Deserialization (semantics §10 #17).
            let err = read.expect_err(case);
            assert_eq!(err.kind(), &ErrorKind::Deserialization, "{case}: {err}");
            assert_eq!(err.key(), Some("k"), "{case}");
            continue;
        }
        assert_eq!(
            read.unwrap(),
            Some(as_obj(&row["read_back"])),
            "{case}: read back"
        );

        if let Some(input) = row.get("input_value") {
            let input = as_obj(input);
            // Size estimate and the compress decision.
            if let Some(size) = row["estimate_serialized_size"].as_u64() {
                assert_eq!(
                    kv_core::codec::canonical::canonical_len(&input) as u64,
                    size,
                    "{case}"
                );
            }
            store
                .put(Some("c"), "w", input.clone(), None)
                .await
                .unwrap();
            let written = inner.get(Some("c"), "w").await.unwrap().unwrap();
            let compressed = row["compressed"].as_bool().unwrap_or(false);
            assert_eq!(
                written.contains_key("__compressed_data__"),
                compressed,
                "{case}"
            );
            if compressed {
                assert_eq!(written["__compression_algorithm__"], "gzip");
                assert_eq!(written["__compression_version__"], 1);
                // Header as Python writes it: 1f 8b 08, flags 0, XFL 4 (level 1), OS 255.
                let gz = STANDARD
                    .decode(written["__compressed_data__"].as_str().unwrap())
                    .unwrap();
                assert_eq!(&gz[..4], &[0x1f, 0x8b, 0x08, 0x00], "{case}");
                assert_eq!(
                    gz[8],
                    row["gzip_member"]["xfl"].as_u64().unwrap() as u8,
                    "{case}: xfl"
                );
                assert_eq!(
                    gz[9],
                    row["gzip_member"]["os"].as_u64().unwrap() as u8,
                    "{case}: os"
                );
                // The decompressed JSON parses to the same value as Python's bytes.
                let py: Value =
                    serde_json::from_str(row["decompressed_utf8"].as_str().unwrap()).unwrap();
                assert_eq!(Value::Object(input.clone()), py, "{case}");
            } else {
                assert_eq!(written, input, "{case}");
            }
            assert_eq!(
                store.get(Some("c"), "w").await.unwrap(),
                Some(input),
                "{case}"
            );
        }
    }
}

#[test]
fn compression_wire_format_vector() {
    let stored = obj(
        json!({"__compressed_data__": "H4sIAAAAAAAEA6tWKkktLlGyUipLzClNVaoFAHQ2uHQQAAAA", "__compression_algorithm__": "gzip", "__compression_version__": 1}),
    );
    let codec = CompressionCodec::new(1024);
    assert_eq!(
        codec.decode(stored).unwrap(),
        Some(obj(json!({"test": "value"})))
    );
}

// ---------------------------------------------------------------- encryption

/// The fixture key, derived once (PBKDF2 with 1.2 M iterations is slow in debug builds).
fn fixture_key() -> FernetKey {
    static KEY: std::sync::OnceLock<FernetKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        FernetKey::from_base64("6ctjNPNopPmDgiAmiBAuuSTjA57fNs-trr6BHnwK9Xg=").unwrap()
    })
    .clone()
}

#[test]
fn fernet_key_derivation_row() {
    let row = rows("FernetEncryptionWrapper")
        .into_iter()
        .find(|r| r["case"] == "key-derivation")
        .unwrap();
    let kd = &row["key_derivation"];
    assert_eq!(kd["iterations"], 1_200_000);
    let key = FernetKey::from_passphrase(
        kd["source_material"].as_str().unwrap(),
        kd["salt"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(key.to_base64(), kd["derived_fernet_key"].as_str().unwrap());
    assert_eq!(
        hex::encode(key.signing_key()),
        kd["signing_key_hex"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(key.encryption_key()),
        kd["encryption_key_hex"].as_str().unwrap()
    );
}

#[test]
fn fernet_wire_format_key_vectors() {
    for (material, salt, expected) in [
        (
            "test-source-material",
            "test-salt",
            "znx7rVYt4roVgu3ymt5sIYFmfMNGEPbm8AShXQv6CY4=",
        ),
        (
            "different-source-material",
            "test-salt",
            "1TLRpjxQm4Op699i9hAXFVfyz6PqPXbuvwKaWB48tS8=",
        ),
        (
            "test-source-material",
            "different-salt",
            "oLz_g5NoLhANNh2_-ZwbgchDZ1q23VFx90kUQDjracc=",
        ),
    ] {
        assert_eq!(
            FernetKey::from_passphrase(material, salt)
                .unwrap()
                .to_base64(),
            expected
        );
    }
    assert_eq!(
        FernetKey::from_passphrase("  ", "salt").unwrap_err().kind(),
        &ErrorKind::Setup
    );
    assert_eq!(
        FernetKey::from_passphrase("m", "").unwrap_err().kind(),
        &ErrorKind::Setup
    );
}

#[tokio::test]
async fn fernet_value_rows() {
    for row in rows("FernetEncryptionWrapper") {
        let case = row["case"].as_str().unwrap_or_default();
        if case == "key-derivation" {
            continue;
        }
        assert_eq!(
            row["derived_fernet_key"].as_str(),
            Some(fixture_key().to_base64().as_str())
        );
        let inner = Arc::new(kv_store_memory::MemoryStore::new());
        let raise = row["raise_on_decryption_error"].as_bool().unwrap_or(true);
        let store = Encryption::fernet(Arc::clone(&inner), vec![fixture_key()])
            .unwrap()
            .raise_on_decryption_error(raise);
        let stored = as_obj(&row["stored_value"]);
        inner
            .put(None, "k", stored.clone(), Some(Duration::from_secs(100)))
            .await
            .unwrap();
        let got = store.get(None, "k").await;
        let ttl = store.ttl(None, "k").await;
        let expected_error = match (row["error"].as_str(), row["error_cause"].as_str()) {
            (None, _) => None,
            (Some("CorruptedDataError"), _) => Some(ErrorKind::CorruptedData),
            (Some("DecryptionError"), Some("EncryptionVersionError")) => {
                Some(ErrorKind::EncryptionVersion {
                    found: 2,
                    supported: 1,
                })
            }
            (Some("DecryptionError"), _) => Some(ErrorKind::Decryption),
            (Some(other), _) => panic!("{case}: unknown error {other}"),
        };
        match expected_error {
            Some(kind) => {
                assert_eq!(got.expect_err(case).kind(), &kind, "{case}");
                assert_eq!(ttl.expect_err(case).kind(), &kind, "{case}");
            }
            None => {
                let expected = row["read_back"].as_object().cloned();
                assert_eq!(got.unwrap(), expected, "{case}");
                let ttl = ttl.unwrap();
                assert_eq!(
                    ttl.as_ref().map(|(v, _)| v.clone()),
                    expected,
                    "{case}: ttl value"
                );
                if expected.is_none() {
                    assert!(
                        ttl.is_none(),
                        "{case}: non-raising failures read as missing (§10 #18)"
                    );
                }
            }
        }
        // Inner token of the stored value decodes to the fixture's token.
        if let Some(token) = row["fernet_token"].as_str() {
            let data = stored["__encrypted_data__"].as_str().unwrap();
            assert_eq!(STANDARD.decode(data).unwrap(), token.as_bytes(), "{case}");
            assert!(data.starts_with("Z0FBQUFB"));
        }
        if let Some(plain) = row["plaintext_utf8"].as_str() {
            let token = row["fernet_token"].as_str().unwrap();
            assert_eq!(
                fixture_key().decrypt(token.as_bytes()).unwrap(),
                plain.as_bytes(),
                "{case}"
            );
        }
        // Deterministic rows: byte-exact token from the same time, IV and plaintext bytes.
        if row["deterministic"] == true {
            let token = row["fernet_token"].as_str().unwrap();
            let iv: [u8; 16] = hex::decode(row["fernet_iv_hex"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            let ts = row["fernet_timestamp"].as_u64().unwrap();
            let plaintext = fixture_key().decrypt(token.as_bytes()).unwrap();
            assert_eq!(
                fixture_key().encrypt_at(&plaintext, ts, iv),
                token,
                "{case}: byte-exact"
            );
            assert_eq!(
                STANDARD.encode(token),
                stored["__encrypted_data__"].as_str().unwrap()
            );
        }
        // Round trip of the input through the Rust writer.
        if let Some(input) = row.get("input_value") {
            store.put(None, "w", as_obj(input), None).await.unwrap();
            let raw = inner.get(None, "w").await.unwrap().unwrap();
            assert_eq!(raw["__encryption_version__"], 1);
            assert_eq!(
                store.get(None, "w").await.unwrap(),
                Some(as_obj(input)),
                "{case}"
            );
        }
    }
}

#[test]
fn fernet_wire_format_decryption_vector() {
    let key = FernetKey::from_base64("znx7rVYt4roVgu3ymt5sIYFmfMNGEPbm8AShXQv6CY4=").unwrap();
    let token = "gAAAAABndIWAAAECAwQFBgcICQoLDA0OD9jrcLYvLDsxDi2lv2xOdr-ruiP1T31oEA28oeZ33gCE4mgqWsYrO_wG29cnyQ5ZdQgpgg2KXZ0DmsXCJCO4WLI=";
    assert_eq!(
        key.decrypt(token.as_bytes()).unwrap(),
        br#"{"test":"value"}"#
    );
    let iv: [u8; 16] = std::array::from_fn(|i| i as u8);
    assert_eq!(
        key.encrypt_at(br#"{"test":"value"}"#, 1_735_689_600, iv),
        token
    );
}

// ---------------------------------------------------------------- name-rewriting wrappers

fn ttl_of(v: &Value) -> Option<Duration> {
    v.as_f64().map(Duration::from_secs_f64)
}

async fn replay(store: &dyn KeyValue, call: &Value) {
    let c = call["collection"].as_str();
    match call["op"].as_str().unwrap() {
        "put" => {
            let k = call["key"].as_str().unwrap();
            let v = call["value"]
                .as_object()
                .cloned()
                .unwrap_or_else(|| obj(json!({"v": 1})));
            store.put(c, k, v, ttl_of(&call["ttl"])).await.unwrap();
            store.get(c, k).await.unwrap();
            store.delete(c, k).await.unwrap();
        }
        "put_many+get_many+delete_many" => {
            let keys: Vec<&str> = call["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            let entries = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (k.to_string(), obj(json!({"i": i}))))
                .collect();
            store
                .put_many(c, entries, ttl_of(&call["ttl"]))
                .await
                .unwrap();
            store.get_many(c, &keys).await.unwrap();
            store.delete_many(c, &keys).await.unwrap();
        }
        other => panic!("unknown op {other}"),
    }
}

fn normalize(calls: Vec<Value>) -> Vec<Value> {
    calls
}

async fn check_inner_calls(
    wrapper: &str,
    build: impl Fn(Arc<Recorder>, &Value) -> Box<dyn KeyValue>,
) {
    for row in rows(wrapper) {
        let rec = Arc::new(Recorder::default());
        let store = build(Arc::clone(&rec), &row["params"]);
        replay(store.as_ref(), &row["call"]).await;
        let expected: Vec<Value> = row["inner_calls"].as_array().unwrap().clone();
        assert_eq!(normalize(rec.take()), expected, "{wrapper} {}", row["call"]);
    }
}

#[tokio::test]
async fn prefix_keys_rows() {
    check_inner_calls("PrefixKeysWrapper", |rec, p| {
        Box::new(PrefixKeys::new(rec, p["prefix"].as_str().unwrap()))
    })
    .await;
}

#[tokio::test]
async fn prefix_collections_rows() {
    check_inner_calls("PrefixCollectionsWrapper", |rec, p| {
        let mut w = PrefixCollections::new(rec, p["prefix"].as_str().unwrap());
        if let Some(d) = p["default_collection"].as_str() {
            w = w.default_collection(d);
        }
        Box::new(w)
    })
    .await;
}

#[tokio::test]
async fn single_collection_rows() {
    check_inner_calls("SingleCollectionWrapper", |rec, p| {
        let mut w = SingleCollection::new(rec, p["single_collection"].as_str().unwrap());
        if let Some(d) = p["default_collection"].as_str() {
            w = w.default_collection(d);
        }
        if let Some(s) = p["separator"].as_str() {
            w = w.separator(s);
        }
        Box::new(w)
    })
    .await;
}

#[tokio::test]
async fn ttl_clamp_rows() {
    for row in rows("TTLClampWrapper") {
        let p = &row["params"];
        let secs = |v: &Value| Duration::from_secs_f64(v.as_f64().unwrap());
        let rec = Arc::new(Recorder::default());
        let store = TtlClamp::new(Arc::clone(&rec), secs(&p["min_ttl"]), secs(&p["max_ttl"]))
            .unwrap()
            .missing_ttl(p["missing_ttl"].as_f64().map(Duration::from_secs_f64));
        let call = &row["call"];
        let ttl = match call["ttl"].as_f64() {
            None => None,
            // A negative TTL cannot be expressed as a Duration; zero is the invalid TTL that can.
            Some(t) if t <= 0.0 => Some(Duration::ZERO),
            Some(t) => Some(Duration::from_secs_f64(t)),
        };
        let result = store
            .put(
                call["collection"].as_str(),
                call["key"].as_str().unwrap(),
                obj(json!({"v": 1})),
                ttl,
            )
            .await;
        match row["error"].as_str() {
            Some("InvalidTTLError") => {
                assert_eq!(result.unwrap_err().kind(), &ErrorKind::InvalidTtl);
            }
            Some(other) => panic!("unknown error {other}"),
            None => result.unwrap(),
        }
        assert_eq!(
            rec.take(),
            row["inner_calls"].as_array().unwrap().clone(),
            "{call}"
        );
    }
}
