//! The on-server layout (`wire-format.md` §5.9) and py-key-value's fixture secrets, on the live
//! server (`KV_TEST_VAULT_ADDR`): secret `secret/C::K` with data `{"value": "<envelope>"}`,
//! deletes remove metadata and versions, soft-deleted versions read as missing.

mod common;

use std::path::PathBuf;

use kv_core::codec::envelope;
use kv_core::conformance::{fixtures_dir, obj, unique_token};
use kv_core::{ErrorKind, KeyValue, Timestamp};
use kv_store_vault::vaultrs::error::ClientError;
use kv_store_vault::vaultrs::kv2;
use serde_json::{json, Map, Value};

async fn raw_data(address: &str, path: &str) -> Option<Map<String, Value>> {
    match kv2::read::<Map<String, Value>>(&common::plain(address), "secret", path).await {
        Ok(data) => Some(data),
        Err(ClientError::APIError { code: 404, .. }) => None,
        Err(e) => panic!("raw read of {path}: {e}"),
    }
}

async fn metadata_exists(address: &str, path: &str) -> bool {
    match kv2::read_metadata(&common::plain(address), "secret", path).await {
        Ok(_) => true,
        Err(ClientError::APIError { code: 404, .. }) => false,
        Err(e) => panic!("raw metadata read of {path}: {e}"),
    }
}

async fn raw_write(address: &str, path: &str, data: Value) {
    kv2::set(&common::plain(address), "secret", path, &data)
        .await
        .unwrap_or_else(|e| panic!("raw write of {path}: {e}"));
}

#[tokio::test]
async fn secret_holds_one_value_field_with_the_canonical_envelope() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let c = format!("layout-{}", unique_token());
    store
        .put(Some(&c), "test_key", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    let data = raw_data(&address, &format!("{c}::test_key"))
        .await
        .expect("stored under C::K");
    assert_eq!(data.len(), 1, "only the value field: {data:?}");
    let doc = data["value"].as_str().expect("value is a string");
    let parsed: Map<String, Value> = serde_json::from_str(doc).unwrap();
    assert_eq!(parsed["collection"], json!(c));
    assert_eq!(parsed["key"], json!("test_key"));
    assert_eq!(parsed["value"], json!({"a": 1}));
    assert_eq!(parsed["version"], json!(1));
    assert!(parsed.contains_key("created_at") && !parsed.contains_key("expires_at"));
    let entry = envelope::decode(doc.as_bytes()).unwrap();
    assert_eq!(
        envelope::encode(&entry, Some(("test_key", &c))),
        doc,
        "byte-exact canonical envelope"
    );

    store
        .put(
            Some(&c),
            "test_key",
            obj(json!({"a": 2})),
            Some(std::time::Duration::from_secs(60)),
        )
        .await
        .unwrap();
    let data = raw_data(&address, &format!("{c}::test_key")).await.unwrap();
    let parsed: Map<String, Value> = serde_json::from_str(data["value"].as_str().unwrap()).unwrap();
    assert!(
        parsed.contains_key("expires_at"),
        "TTL lives in the envelope"
    );

    // A slash nests the path, exactly as py-key-value (hvac) does.
    store
        .put(Some(&c), "dir/leaf", obj(json!({"n": 1})), None)
        .await
        .unwrap();
    assert!(raw_data(&address, &format!("{c}::dir/leaf"))
        .await
        .is_some());
    let mut keys = store.keys(Some(&c), None).await.unwrap();
    keys.sort();
    assert_eq!(keys, vec!["dir/leaf".to_owned(), "test_key".to_owned()]);
}

#[tokio::test]
async fn delete_removes_every_version_and_the_metadata() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let c = format!("layout-{}", unique_token());
    let path = format!("{c}::k");
    for i in 0..3 {
        store
            .put(Some(&c), "k", obj(json!({"i": i})), None)
            .await
            .unwrap();
    }
    assert!(metadata_exists(&address, &path).await);
    assert!(store.delete(Some(&c), "k").await.unwrap());
    assert!(
        !metadata_exists(&address, &path).await,
        "metadata left behind"
    );
    assert!(!store.delete(Some(&c), "k").await.unwrap());
}

#[tokio::test]
async fn soft_deleted_latest_version_reads_as_missing() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let c = format!("layout-{}", unique_token());
    let path = format!("{c}::k");
    store
        .put(Some(&c), "k", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    kv2::delete_latest(&common::plain(&address), "secret", &path)
        .await
        .unwrap();
    assert_eq!(store.get(Some(&c), "k").await.unwrap(), None);
    assert!(store.keys(Some(&c), None).await.unwrap().is_empty());
    // Not live, so not counted; but the metadata is cleaned up all the same.
    assert!(!store.delete(Some(&c), "k").await.unwrap());
    assert!(!metadata_exists(&address, &path).await);
}

#[tokio::test]
async fn secret_without_a_value_field_is_a_deserialization_error() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let c = format!("layout-{}", unique_token());
    raw_write(&address, &format!("{c}::k"), json!({"other": "x"})).await;
    let err = store.get(Some(&c), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Deserialization, "{err}");
    assert_eq!(
        (err.operation(), err.collection(), err.key()),
        (Some("get"), Some(c.as_str()), Some("k"))
    );
    raw_write(&address, &format!("{c}::n"), json!({"value": 5})).await;
    let err = store.get(Some(&c), "n").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Deserialization, "{err}");
}

#[tokio::test]
async fn keys_of_an_unknown_collection_is_empty() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let c = format!("nothing-{}", unique_token());
    assert!(store.keys(Some(&c), None).await.unwrap().is_empty());
    assert!(store
        .keys(Some(&format!("{c}/deeper")), None)
        .await
        .unwrap()
        .is_empty());
}

fn fixture(name: &str) -> Value {
    let dir: PathBuf =
        fixtures_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).join("backends/vault");
    let text = std::fs::read_to_string(dir.join(name)).expect("vault fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// The secrets py-key-value wrote (copied under fresh collection names) read back as py-key-value
/// read them, expired ones as missing; re-encoding each reproduces its bytes exactly.
#[tokio::test]
async fn reads_py_key_value_fixture_secrets() {
    let Some(address) = common::address() else {
        return;
    };
    let store = common::store(&address);
    let run = unique_token();
    let secrets = fixture("vault-secrets.json");
    let entries = fixture("entries.json");
    let now = Timestamp::now();
    let mut checked = 0;
    for flat in entries["flattened"].as_array().expect("flattened entries") {
        let collection = flat["effective_collection"].as_str().unwrap();
        let key = flat["key"].as_str().unwrap();
        let path = format!("{collection}::{key}");
        let secret = secrets["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["path"] == json!(path))
            .unwrap_or_else(|| panic!("no fixture secret {path}"));
        let doc = secret["data"]["value"].as_str().unwrap();
        let entry = envelope::decode(doc.as_bytes()).unwrap();
        assert_eq!(
            envelope::encode(&entry, Some((key, collection))),
            doc,
            "{path}"
        );

        let copy = format!("{collection}-{run}");
        raw_write(&address, &format!("{copy}::{key}"), secret["data"].clone()).await;
        let got = store.get(Some(&copy), key).await.unwrap();
        if entry.is_live(now) {
            assert_eq!(
                got,
                Some(obj(flat["read_back_via_library"].clone())),
                "{path}"
            );
        } else {
            assert_eq!(
                got, None,
                "{path} expired at {:?}",
                flat["stored_expires_at"]
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixture entries");
}
