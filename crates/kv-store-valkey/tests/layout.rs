//! Raw-layout tests (conformance.md §5 "Valkey"): raw `GET test::<key>` is the envelope without,
//! then with `expires_at`; PTTL ranges; a user's client survives `close()`. Standalone and cluster.

mod common;

use std::time::Duration;

use fred::prelude::{Client, ClientLike, KeysInterface};
use kv_core::codec::envelope;
use kv_core::conformance::{obj, unique_token};
use kv_core::{ErrorKind, KeyValue};
use kv_store_valkey::ValkeyStore;
use serde_json::{json, Value};

async fn raw_get(client: &Client, key: &str) -> String {
    client.get(key).await.unwrap()
}

async fn pttl(client: &Client, key: &str) -> i64 {
    client.pttl(key).await.unwrap()
}

async fn envelope_and_pttl(url: Option<String>) {
    let Some(url) = url else { return };
    let store = ValkeyStore::from_url(&url).unwrap();
    let plain = common::plain(&url).await;
    let key = format!("test_key-{}", unique_token());
    let raw_key = format!("test::{key}");
    let value = obj(json!({"name": "Alice", "age": 30}));

    store
        .put(Some("test"), &key, value.clone(), None)
        .await
        .unwrap();
    let raw = raw_get(&plain, &raw_key).await;
    let doc: serde_json::Map<String, Value> = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        doc.keys().cloned().collect::<Vec<_>>(),
        ["collection", "created_at", "key", "value", "version"]
    );
    let entry = envelope::decode(raw.as_bytes()).unwrap();
    assert_eq!(envelope::encode(&entry, Some((&key, "test"))), raw);
    assert_eq!(pttl(&plain, &raw_key).await, -1);

    store
        .put(
            Some("test"),
            &key,
            value.clone(),
            Some(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let raw = raw_get(&plain, &raw_key).await;
    let entry = envelope::decode(raw.as_bytes()).unwrap();
    assert_eq!(envelope::encode(&entry, Some((&key, "test"))), raw);
    assert!(raw.contains("\"expires_at\": "));
    let ms = pttl(&plain, &raw_key).await;
    assert!(ms > 9000 && ms <= 10_000, "PTTL {ms}");

    store
        .put(Some("test"), &key, value, Some(Duration::from_millis(500)))
        .await
        .unwrap();
    let ms = pttl(&plain, &raw_key).await;
    assert!(ms > 0 && ms <= 500, "PTTL {ms}");
    let _: u32 = plain.del(raw_key).await.unwrap();
    plain.quit().await.unwrap();
}

async fn user_client_survives_close(url: Option<String>) {
    let Some(url) = url else { return };
    let client = common::plain(&url).await;
    let store = ValkeyStore::from_client(client.clone());
    let c = format!("test-{}", unique_token());
    store
        .put(Some(&c), "k", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    store.close().await.unwrap();
    assert_eq!(
        store.get(Some(&c), "k").await.unwrap_err().kind(),
        &ErrorKind::Setup
    );
    let raw: String = client.get(format!("{c}::k")).await.unwrap();
    assert!(raw.contains(r#""value": {"a": 1}"#));
    let _: u32 = client.del(format!("{c}::k")).await.unwrap();
    client.quit().await.unwrap();
}

/// A batch spanning many hash slots comes back in the caller's order (cluster: one MGET per slot).
async fn batches_keep_order(url: Option<String>) {
    let Some(url) = url else { return };
    let store = ValkeyStore::from_url(&url).unwrap();
    let c = format!("test-{}", unique_token());
    let entries: Vec<(String, kv_core::Object)> = (0..200)
        .map(|i| (format!("k{i}"), obj(json!({"i": i}))))
        .collect();
    store
        .put_many(Some(&c), entries.clone(), None)
        .await
        .unwrap();
    let mut keys: Vec<String> = (0..200).rev().map(|i| format!("k{i}")).collect();
    keys.push("missing".into());
    keys.push("k7".into());
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let got = store.get_many(Some(&c), &refs).await.unwrap();
    for (key, value) in keys.iter().zip(&got) {
        match key.strip_prefix('k').and_then(|n| n.parse::<i64>().ok()) {
            Some(i) => assert_eq!(value.as_ref(), Some(&obj(json!({"i": i}))), "{key}"),
            None => assert!(value.is_none()),
        }
    }
    store
        .put_many(Some(&c), entries, Some(Duration::from_secs(60)))
        .await
        .unwrap();
    assert_eq!(store.keys(Some(&c), None).await.unwrap().len(), 200);
    assert_eq!(store.delete_many(Some(&c), &refs).await.unwrap(), 200);
}

mod valkey {
    use super::*;

    #[tokio::test]
    async fn raw_envelope_and_pttl() {
        envelope_and_pttl(common::standalone().map(|u| common::with_db(&u, 15))).await;
    }

    #[tokio::test]
    async fn user_client_is_not_closed() {
        user_client_survives_close(common::standalone()).await;
    }

    #[tokio::test]
    async fn batches_in_caller_order() {
        batches_keep_order(common::standalone()).await;
    }
}

mod valkey_cluster {
    use super::*;

    #[tokio::test]
    async fn raw_envelope_and_pttl() {
        envelope_and_pttl(common::cluster()).await;
    }

    #[tokio::test]
    async fn user_client_is_not_closed() {
        user_client_survives_close(common::cluster()).await;
    }

    #[tokio::test]
    async fn batches_in_caller_order() {
        batches_keep_order(common::cluster()).await;
    }
}
