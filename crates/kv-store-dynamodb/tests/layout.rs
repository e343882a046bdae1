//! The raw table layout (`wire-format.md` §5.6, `conformance.md` §5): items, the `ttl`
//! attribute, table creation and options, and the py-key-value fixture
//! (`fixtures/backends/dynamodb`), on both servers.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use kv_core::conformance::{fixtures_dir, obj};
use kv_core::{ErrorKind, KeyValue, Timestamp};
use kv_store_dynamodb::aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, KeyType, SseSpecification, SseType, TimeToLiveStatus,
};
use kv_store_dynamodb::aws_sdk_dynamodb::Client;
use kv_store_dynamodb::DynamoDBStore;
use serde_json::{json, Value};

type Item = HashMap<String, AttributeValue>;

/// A store on a fresh table of its own, set up, and a plain client on the same server.
async fn fresh(endpoint: &str, purpose: &str) -> (DynamoDBStore, Client, String) {
    let table = common::fresh_table(purpose);
    let store = common::builder(endpoint, &table).build().unwrap();
    store.setup().await.unwrap();
    (store, common::plain(endpoint), table)
}

fn s(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(text)) => text.clone(),
        other => panic!("attribute {name}: expected S, found {other:?}"),
    }
}

/// The envelope's timestamp strings (`created_at`, `expires_at`).
fn stamps(doc: &str) -> (String, Option<String>) {
    let parsed: Value = serde_json::from_str(doc).unwrap();
    (
        parsed["created_at"].as_str().unwrap().to_owned(),
        parsed["expires_at"].as_str().map(str::to_owned),
    )
}

fn ceil_seconds(iso: &str) -> i64 {
    Timestamp::parse(iso).unwrap().unix_seconds_ceil()
}

async fn raw_items(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let (store, client, table) = fresh(&endpoint, "layout").await;
    store
        .put(
            Some("test"),
            "test_key",
            obj(json!({"b": 1, "a": "x"})),
            None,
        )
        .await
        .unwrap();
    let item = common::get_raw(&client, &table, "test", "test_key")
        .await
        .unwrap();
    let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        ["collection", "key", "value"],
        "no `ttl` without a TTL"
    );
    assert_eq!(s(&item, "collection"), "test");
    assert_eq!(s(&item, "key"), "test_key");
    let doc = s(&item, "value");
    let (created, expires) = stamps(&doc);
    assert_eq!(expires, None);
    assert_eq!(
        doc,
        format!(
            r#"{{"collection": "test", "created_at": "{created}", "key": "test_key", "value": {{"a": "x", "b": 1}}, "version": 1}}"#
        )
    );

    // With a TTL: `ttl` (N) = ceil(envelope expires_at), about 10 s ahead.
    store
        .put(
            Some("test"),
            "test_key",
            obj(json!({"a": 1})),
            Some(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let item = common::get_raw(&client, &table, "test", "test_key")
        .await
        .unwrap();
    let doc = s(&item, "value");
    let (created, expires) = stamps(&doc);
    let expires = expires.expect("expires_at in the envelope");
    assert_eq!(
        doc,
        format!(
            r#"{{"collection": "test", "created_at": "{created}", "expires_at": "{expires}", "key": "test_key", "value": {{"a": 1}}, "version": 1}}"#
        )
    );
    let ttl = match item.get("ttl") {
        Some(AttributeValue::N(n)) => n.parse::<i64>().expect("integer ttl"),
        other => panic!("ttl attribute: {other:?}"),
    };
    assert_eq!(ttl, ceil_seconds(&expires));
    let ahead = ttl - Timestamp::now().unix_seconds_ceil();
    assert!((9..=11).contains(&ahead), "ttl {ahead} s ahead");

    // Overwriting without a TTL removes the attribute.
    store
        .put(Some("test"), "test_key", obj(json!({"a": 2})), None)
        .await
        .unwrap();
    let item = common::get_raw(&client, &table, "test", "test_key")
        .await
        .unwrap();
    assert!(!item.contains_key("ttl"));

    // put_many: every item gets the batch's one expires_at and its ceil as `ttl`.
    store
        .put_many(
            Some("test"),
            vec![
                (
                    "document_format_test_3".into(),
                    obj(json!({"test_3": "value_3"})),
                ),
                (
                    "document_format_test_4".into(),
                    obj(json!({"test_4": "value_4"})),
                ),
            ],
            Some(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    for (key, field) in [
        ("document_format_test_3", "test_3"),
        ("document_format_test_4", "test_4"),
    ] {
        let item = common::get_raw(&client, &table, "test", key).await.unwrap();
        let doc = s(&item, "value");
        let (created, expires) = stamps(&doc);
        let expires = expires.unwrap();
        let n = field.trim_start_matches("test_");
        assert_eq!(
            doc,
            format!(
                r#"{{"collection": "test", "created_at": "{created}", "expires_at": "{expires}", "key": "{key}", "value": {{"{field}": "value_{n}"}}, "version": 1}}"#
            )
        );
        assert_eq!(
            item["ttl"],
            AttributeValue::N(ceil_seconds(&expires).to_string())
        );
        seen.push((created, expires));
    }
    assert_eq!(seen[0], seen[1], "one created_at/expires_at pair per batch");
}

async fn table_is_created_as_specified(variable: &str, ttl_call_supported: bool) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let (store, client, table) = fresh(&endpoint, "create").await;
    let described = client
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let t = described.table().unwrap();
    let schema: Vec<(String, KeyType)> = t
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name().to_owned(), k.key_type().clone()))
        .collect();
    assert_eq!(
        schema,
        [
            ("collection".to_owned(), KeyType::Hash),
            ("key".to_owned(), KeyType::Range)
        ]
    );
    let mut attributes: Vec<(String, String)> = t
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_owned(),
                a.attribute_type().as_str().to_owned(),
            )
        })
        .collect();
    attributes.sort();
    assert_eq!(
        attributes,
        [
            ("collection".to_owned(), "S".to_owned()),
            ("key".to_owned(), "S".to_owned())
        ]
    );
    assert_eq!(
        t.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    if ttl_call_supported {
        let ttl = client
            .describe_time_to_live()
            .table_name(&table)
            .send()
            .await
            .unwrap();
        let d = ttl.time_to_live_description().unwrap();
        assert_eq!(d.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
        assert_eq!(d.attribute_name(), Some("ttl"));
    }
    // A second store on the existing table sets up without creating anything.
    let again = common::builder(&endpoint, &table)
        .auto_create(false)
        .build()
        .unwrap();
    again.setup().await.unwrap();
    store
        .put(Some("c"), "k", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    assert_eq!(
        again.get(Some("c"), "k").await.unwrap(),
        Some(obj(json!({"a": 1})))
    );
}

async fn missing_table_without_auto_create(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let table = common::fresh_table("absent");
    let store = common::builder(&endpoint, &table)
        .auto_create(false)
        .build()
        .unwrap();
    let err = store.get(Some("c"), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    assert!(
        err.to_string()
            .contains(&format!("Table '{table}' does not exist")),
        "{err}"
    );
    assert_eq!(err.operation(), Some("get"), "{err}");
    // Nothing was created.
    let described = common::plain(&endpoint)
        .describe_table()
        .table_name(&table)
        .send()
        .await;
    assert!(described.is_err(), "the table was created");
}

async fn table_config_is_applied(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let table = common::fresh_table("sse");
    let store = common::builder(&endpoint, &table)
        .table_config(|create| {
            create
                .sse_specification(
                    SseSpecification::builder()
                        .enabled(true)
                        .sse_type(SseType::Aes256)
                        .build(),
                )
                // Overridden by the store's required parameters.
                .billing_mode(BillingMode::Provisioned)
                .table_name("not-this-one")
        })
        .build()
        .unwrap();
    store
        .put(Some("c"), "k", obj(json!({"sse": true})), None)
        .await
        .unwrap();
    assert_eq!(
        store.get(Some("c"), "k").await.unwrap(),
        Some(obj(json!({"sse": true})))
    );
    let described = common::plain(&endpoint)
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let t = described.table().unwrap();
    assert_eq!(
        t.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
}

async fn user_client_survives_close(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let client = common::plain(&endpoint);
    let table = common::fresh_table("user");
    let store = DynamoDBStore::from_client(client.clone(), &table).unwrap();
    store
        .put(Some("c"), "k", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    store.close().await.unwrap();
    let err = store.get(Some("c"), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    assert!(common::get_raw(&client, &table, "c", "k").await.is_some());
}

/// An earlier `ttl` attribute (py-key-value floors it) wins over the envelope, and an expired
/// `ttl` hides the entry whatever the envelope says.
async fn ttl_attribute_is_honoured(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let (store, client, table) = fresh(&endpoint, "ttlattr").await;
    let now = Timestamp::now();
    let expires = now.checked_add(Duration::from_millis(10_700)).unwrap();
    let doc = format!(
        r#"{{"collection": "c", "created_at": "{now}", "expires_at": "{expires}", "key": "k", "value": {{"a": 1}}, "version": 1}}"#
    );
    let floor = expires.unix_micros().div_euclid(1_000_000);
    let put = |key: &str, ttl: i64| {
        let mut item = common::key_of("c", key);
        item.insert("value".into(), AttributeValue::S(doc.clone()));
        item.insert("ttl".into(), AttributeValue::N(ttl.to_string()));
        client
            .put_item()
            .table_name(&table)
            .set_item(Some(item))
            .send()
    };
    put("floored", floor).await.unwrap();
    let (_, remaining) = store.ttl(Some("c"), "floored").await.unwrap().unwrap();
    let remaining = remaining.unwrap();
    let limit = Duration::from_micros((floor * 1_000_000 - now.unix_micros()) as u64);
    assert!(remaining <= limit, "{remaining:?} > {limit:?}");
    assert!(remaining > Duration::from_secs(8), "{remaining:?}");
    put("stale", now.unix_micros() / 1_000_000 - 5)
        .await
        .unwrap();
    assert_eq!(store.get(Some("c"), "stale").await.unwrap(), None);
    assert_eq!(
        store.get_many(Some("c"), &["stale"]).await.unwrap(),
        vec![None]
    );
    assert!(
        !store.delete(Some("c"), "stale").await.unwrap(),
        "expired entry deleted as live"
    );
}

/// DynamoDB JSON (`{"S": ...}`, `{"N": ...}`) to SDK attribute values.
fn attribute(value: &Value) -> AttributeValue {
    let (kind, inner) = value.as_object().unwrap().iter().next().unwrap();
    let text = inner.as_str().unwrap().to_owned();
    match kind.as_str() {
        "S" => AttributeValue::S(text),
        "N" => AttributeValue::N(text),
        other => panic!("fixture attribute type {other}"),
    }
}

fn fixture() -> (Value, Value) {
    let dir = fixtures_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .join("backends")
        .join("dynamodb");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    (read("dynamodb-items.json"), read("entries.json"))
}

/// Items py-key-value wrote are read back as py-key-value read them (expired ones hidden), and
/// the items this store writes for the same calls are byte-identical but for the timestamps.
async fn python_fixture(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let (items, entries) = fixture();
    assert_eq!(
        items["table"]["BillingModeSummary"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
    let (store, client, table) = fresh(&endpoint, "fixture").await;
    let mut by_name: HashMap<(String, String), Item> = HashMap::new();
    for raw in items["items"].as_array().unwrap() {
        let item: Item = raw
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, v)| (name.clone(), attribute(v)))
            .collect();
        by_name.insert((s(&item, "collection"), s(&item, "key")), item.clone());
        client
            .put_item()
            .table_name(&table)
            .set_item(Some(item))
            .send()
            .await
            .unwrap();
    }
    let now = Timestamp::now().unix_micros() as f64 / 1e6;
    let flattened = entries["flattened"].as_array().unwrap();
    assert_eq!(flattened.len(), by_name.len());
    for entry in flattened {
        let collection = entry["effective_collection"].as_str().unwrap();
        let key = entry["key"].as_str().unwrap();
        let item = &by_name[&(collection.to_owned(), key.to_owned())];
        let native = item.get("ttl").map(|n| match n {
            AttributeValue::N(n) => n.parse::<f64>().unwrap(),
            _ => unreachable!(),
        });
        let got = store.ttl(entry["collection"].as_str(), key).await.unwrap();
        match native {
            Some(at) if at <= now => assert_eq!(got, None, "{collection}/{key} expired"),
            _ => {
                let (value, remaining) =
                    got.unwrap_or_else(|| panic!("{collection}/{key} missing"));
                assert_eq!(
                    Value::Object(value),
                    entry["read_back_via_library"],
                    "{collection}/{key}"
                );
                match (native, remaining) {
                    (None, None) => {}
                    (Some(at), Some(r)) => {
                        assert!(
                            (r.as_secs_f64() - (at - now)).abs() < 2.0,
                            "{collection}/{key}: {r:?}"
                        )
                    }
                    other => panic!("{collection}/{key}: ttl {other:?}"),
                }
            }
        }
    }

    // The same calls from Rust, in a table of their own.
    let (mine, _, my_table) = fresh(&endpoint, "fixture-rs").await;
    for entry in entries["entries"].as_array().unwrap() {
        let collection = entry["collection"].as_str();
        let ttl = entry["ttl"].as_f64().map(Duration::from_secs_f64);
        if entry["method"] == "put_many" {
            let pairs = entry["keys"]
                .as_array()
                .unwrap()
                .iter()
                .zip(entry["values"].as_array().unwrap())
                .map(|(k, v)| (k.as_str().unwrap().to_owned(), obj(v.clone())))
                .collect();
            mine.put_many(collection, pairs, ttl).await.unwrap();
        } else {
            let key = entry["key"].as_str().unwrap();
            mine.put(collection, key, obj(entry["value"].clone()), ttl)
                .await
                .unwrap();
        }
    }
    for entry in flattened {
        let collection = entry["effective_collection"].as_str().unwrap();
        let key = entry["key"].as_str().unwrap();
        let theirs = &by_name[&(collection.to_owned(), key.to_owned())];
        let ours = common::get_raw(&client, &my_table, collection, key)
            .await
            .unwrap();
        let mut names: Vec<&String> = ours.keys().collect();
        let mut expected: Vec<&String> = theirs.keys().collect();
        names.sort();
        expected.sort();
        assert_eq!(names, expected, "{collection}/{key}: attribute names");
        let doc = s(&ours, "value");
        let (created, expires) = stamps(&doc);
        let mut normalised = doc.replace(&created, entry["stored_created_at"].as_str().unwrap());
        if let Some(expires) = expires {
            normalised = normalised.replace(&expires, entry["stored_expires_at"].as_str().unwrap());
        }
        assert_eq!(
            normalised,
            s(theirs, "value"),
            "{collection}/{key}: envelope bytes"
        );
    }
}

mod dynamodb {
    use super::common::MOTO;

    #[tokio::test]
    async fn raw_items() {
        super::raw_items(MOTO).await;
    }

    #[tokio::test]
    async fn table_is_created_as_specified() {
        super::table_is_created_as_specified(MOTO, true).await;
    }

    #[tokio::test]
    async fn missing_table_without_auto_create() {
        super::missing_table_without_auto_create(MOTO).await;
    }

    #[tokio::test]
    async fn table_config_is_applied() {
        super::table_config_is_applied(MOTO).await;
    }

    #[tokio::test]
    async fn user_client_survives_close() {
        super::user_client_survives_close(MOTO).await;
    }

    #[tokio::test]
    async fn ttl_attribute_is_honoured() {
        super::ttl_attribute_is_honoured(MOTO).await;
    }

    #[tokio::test]
    async fn python_fixture() {
        super::python_fixture(MOTO).await;
    }
}

mod dynalite {
    use super::common::DYNALITE;

    #[tokio::test]
    async fn raw_items() {
        super::raw_items(DYNALITE).await;
    }

    /// dynalite answers `UnknownOperationException` to the TTL calls: setup must tolerate it.
    #[tokio::test]
    async fn table_is_created_as_specified() {
        super::table_is_created_as_specified(DYNALITE, false).await;
    }

    #[tokio::test]
    async fn missing_table_without_auto_create() {
        super::missing_table_without_auto_create(DYNALITE).await;
    }

    #[tokio::test]
    async fn table_config_is_applied() {
        super::table_config_is_applied(DYNALITE).await;
    }

    #[tokio::test]
    async fn user_client_survives_close() {
        super::user_client_survives_close(DYNALITE).await;
    }

    #[tokio::test]
    async fn ttl_attribute_is_honoured() {
        super::ttl_attribute_is_honoured(DYNALITE).await;
    }

    #[tokio::test]
    async fn python_fixture() {
        super::python_fixture(DYNALITE).await;
    }
}
