//! Compression and encryption tests of `conformance.md` §7.1 beyond the fixture rows.
#![cfg(all(feature = "compression", feature = "encryption"))]

mod support;

use std::sync::Arc;

use kv_core::{ErrorKind, KeyValue};
use kv_store_memory::MemoryStore;
use kv_wrappers::{Compression, Encryption, FernetKey};
use serde_json::json;
use support::obj;

#[tokio::test]
async fn compression_rules() {
    let inner = Arc::new(MemoryStore::new());
    let store = Compression::new(Arc::clone(&inner));
    let small = obj(json!({"a": "b"}));
    store.put(None, "small", small.clone(), None).await.unwrap();
    assert_eq!(inner.get(None, "small").await.unwrap(), Some(small));
    let big = obj(json!({"data": "x".repeat(1000), "more_data": "y".repeat(1000)}));
    let store = Compression::new(Arc::clone(&inner)).min_size_to_compress(100);
    store.put(None, "big", big.clone(), None).await.unwrap();
    let raw = inner.get(None, "big").await.unwrap().unwrap();
    assert_eq!(raw.len(), 3);
    assert!(raw.contains_key("__compressed_data__"));
    assert_eq!(store.get(None, "big").await.unwrap(), Some(big.clone()));
    // put_many / get_many round trip.
    store
        .put_many(
            Some("m"),
            vec![("a".into(), big.clone()), ("b".into(), big.clone())],
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_many(Some("m"), &["a", "b", "c"]).await.unwrap(),
        vec![Some(big.clone()), Some(big.clone()), None]
    );
    // An already-compressed object is not re-compressed.
    store.put(None, "again", raw.clone(), None).await.unwrap();
    assert_eq!(inner.get(None, "again").await.unwrap(), Some(raw));
    // Corrupt payload → Deserialization.
    inner
        .put(
            None,
            "bad",
            obj(json!({"__compressed_data__": "!!!"})),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.get(None, "bad").await.unwrap_err().kind(),
        &ErrorKind::Deserialization
    );
    assert_eq!(
        store.ttl(None, "bad").await.unwrap_err().kind(),
        &ErrorKind::Deserialization
    );
    // 10 000 x → under 1000 characters.
    let store = Compression::new(Arc::clone(&inner)).min_size_to_compress(0);
    store
        .put(None, "x", obj(json!({"data": "x".repeat(10_000)})), None)
        .await
        .unwrap();
    let raw = inner.get(None, "x").await.unwrap().unwrap();
    assert!(raw["__compressed_data__"].as_str().unwrap().len() < 1000);
}

#[tokio::test]
async fn encryption_rules() {
    let old = FernetKey::generate().unwrap();
    let new = FernetKey::generate().unwrap();
    let inner = Arc::new(MemoryStore::new());
    let v1 = Encryption::fernet(Arc::clone(&inner), vec![old.clone()]).unwrap();
    let value = obj(json!({"secret": "plaintext-marker"}));
    v1.put(None, "k", value.clone(), None).await.unwrap();
    let raw = inner.get(None, "k").await.unwrap().unwrap();
    assert!(raw["__encrypted_data__"].as_str().unwrap().len() >= 32);
    assert_eq!(raw["__encryption_version__"], 1);
    assert!(!serde_json::to_string(&raw)
        .unwrap()
        .contains("plaintext-marker"));
    // Rotation: new key first, old second.
    let rotated = Encryption::fernet(Arc::clone(&inner), vec![new.clone(), old.clone()]).unwrap();
    assert_eq!(rotated.get(None, "k").await.unwrap(), Some(value.clone()));
    rotated.put(None, "n", value.clone(), None).await.unwrap();
    assert_eq!(
        v1.get(None, "n").await.unwrap_err().kind(),
        &ErrorKind::Decryption
    );
    // Wrong key.
    let wrong = Encryption::fernet(Arc::clone(&inner), vec![new]).unwrap();
    assert_eq!(
        wrong.get(None, "k").await.unwrap_err().kind(),
        &ErrorKind::Decryption
    );
    let lenient = Encryption::fernet(Arc::clone(&inner), vec![FernetKey::generate().unwrap()])
        .unwrap()
        .raise_on_decryption_error(false);
    assert_eq!(lenient.get(None, "k").await.unwrap(), None);
    assert_eq!(lenient.ttl(None, "k").await.unwrap(), None);
    assert_eq!(lenient.get_many(None, &["k"]).await.unwrap(), vec![None]);
    // Version 2, missing fields, plaintext.
    let mut v2 = raw.clone();
    v2.insert("__encryption_version__".into(), 2.into());
    inner.put(None, "v2", v2, None).await.unwrap();
    assert_eq!(
        v1.get(None, "v2").await.unwrap_err().kind(),
        &ErrorKind::EncryptionVersion {
            found: 2,
            supported: 1
        }
    );
    inner
        .put(None, "nov", obj(json!({"__encrypted_data__": "abc"})), None)
        .await
        .unwrap();
    assert_eq!(
        v1.get(None, "nov").await.unwrap_err().kind(),
        &ErrorKind::CorruptedData
    );
    inner
        .put(
            None,
            "bool",
            obj(json!({"__encrypted_data__": "abc", "__encryption_version__": true})),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        v1.get(None, "bool").await.unwrap_err().kind(),
        &ErrorKind::CorruptedData
    );
    inner
        .put(None, "plain", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    assert_eq!(
        v1.get(None, "plain").await.unwrap(),
        Some(obj(json!({"a": 1})))
    );
    // Compression outside encryption round-trips.
    let stack = Compression::new(Encryption::fernet(Arc::clone(&inner), vec![old]).unwrap())
        .min_size_to_compress(0);
    stack.put(None, "s", value.clone(), None).await.unwrap();
    assert_eq!(stack.get(None, "s").await.unwrap(), Some(value));
}
