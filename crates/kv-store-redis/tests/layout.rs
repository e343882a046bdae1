//! Raw-layout tests (conformance.md §5 "Redis"): what a plain client sees, PTTL ranges, the
//! user-provided pool, and the py-key-value fixture of `fixtures/backends/redis`.

mod common;

mod redis {
    use std::time::Duration;

    use kv_core::codec::envelope;
    use kv_core::conformance::{obj, unique_token};
    use kv_core::{KeyValue, Timestamp};
    use kv_store_redis::bb8_redis::{bb8, RedisConnectionManager};
    use kv_store_redis::RedisStore;
    use serde_json::{json, Value};

    use super::common;

    fn parse(text: &str) -> serde_json::Map<String, Value> {
        serde_json::from_str(text).expect("stored value is JSON")
    }

    /// Checks one raw envelope structurally and byte-wise (canonical JSON after the timestamps).
    fn check_envelope(raw: &str, key: &str, value: Value, ttl: bool) {
        let doc = parse(raw);
        let mut fields: Vec<&str> = doc.keys().map(String::as_str).collect();
        fields.sort_unstable();
        let mut expected = vec!["collection", "created_at", "key", "value", "version"];
        if ttl {
            expected.insert(2, "expires_at");
        }
        assert_eq!(fields, expected, "{raw}");
        assert_eq!(doc["collection"], "test");
        assert_eq!(doc["key"], key);
        assert_eq!(doc["value"], value);
        assert_eq!(doc["version"], 1);
        let entry = envelope::decode(raw.as_bytes()).expect("envelope decodes");
        assert_eq!(
            envelope::encode(&entry, Some((key, "test"))),
            raw,
            "not canonical"
        );
        assert_eq!(entry.expires_at.is_some(), ttl);
        if let (Some(c), Some(e)) = (entry.created_at, entry.expires_at) {
            assert_eq!(e.duration_since(c), Some(Duration::from_secs(10)));
        }
    }

    #[tokio::test]
    async fn document_format_by_url_db_15() {
        let Some(url) = common::url() else { return };
        let url = common::with_db(&url, 15);
        let store = RedisStore::from_url(&url).unwrap();
        let u = unique_token();
        let k = |n: u32| format!("document_format_test_{n}-{u}");
        let ten = Some(Duration::from_secs(10));
        store
            .put(Some("test"), &k(1), obj(json!({"test_1": "value_1"})), None)
            .await
            .unwrap();
        store
            .put(Some("test"), &k(2), obj(json!({"test_2": "value_2"})), ten)
            .await
            .unwrap();
        let batch = vec![
            (k(3), obj(json!({"test_3": "value_3"}))),
            (k(4), obj(json!({"test_4": "value_4"}))),
        ];
        store.put_many(Some("test"), batch, ten).await.unwrap();
        store
            .put(
                Some("test"),
                &k(5),
                obj(json!({"test_5": "value_5"})),
                Some(Duration::from_millis(500)),
            )
            .await
            .unwrap();

        let mut plain = common::plain(&url).await;
        let raw_keys: Vec<String> = (1..=4).map(|n| format!("test::{}", k(n))).collect();
        let raws: Vec<String> = redis::cmd("MGET")
            .arg(&raw_keys)
            .query_async(&mut plain)
            .await
            .unwrap();
        check_envelope(&raws[0], &k(1), json!({"test_1": "value_1"}), false);
        check_envelope(&raws[1], &k(2), json!({"test_2": "value_2"}), true);
        check_envelope(&raws[2], &k(3), json!({"test_3": "value_3"}), true);
        check_envelope(&raws[3], &k(4), json!({"test_4": "value_4"}), true);
        let batch_docs = (parse(&raws[2]), parse(&raws[3]));
        assert_eq!(
            batch_docs.0["expires_at"], batch_docs.1["expires_at"],
            "put_many shares expires_at"
        );

        let pttl = |key: String| {
            let mut plain = plain.clone();
            async move {
                redis::cmd("PTTL")
                    .arg(key)
                    .query_async::<i64>(&mut plain)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(pttl(raw_keys[0].clone()).await, -1);
        for key in &raw_keys[1..] {
            let ms = pttl(key.clone()).await;
            assert!(ms > 9000 && ms <= 10_000, "PTTL {ms} of {key}");
        }
        let ms = pttl(format!("test::{}", k(5))).await;
        assert!(ms > 0 && ms <= 500, "PTTL {ms} of the 0.5 s entry");
        redis::cmd("DEL")
            .arg(&raw_keys)
            .arg(format!("test::{}", k(5)))
            .query_async::<()>(&mut plain)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn user_pool_survives_close() {
        let Some(url) = common::url() else { return };
        let pool = bb8::Pool::builder()
            .build(RedisConnectionManager::new(url.as_str()).unwrap())
            .await
            .unwrap();
        let store = RedisStore::from_pool(pool.clone());
        let c = format!("test-{}", unique_token());
        store
            .put(Some(&c), "k", obj(json!({"a": 1})), None)
            .await
            .unwrap();
        store.close().await.unwrap();
        assert_eq!(
            store.get(Some(&c), "k").await.unwrap_err().kind(),
            &kv_core::ErrorKind::Setup
        );
        let mut conn = pool.get().await.unwrap();
        let raw: String = redis::cmd("GET")
            .arg(format!("{c}::k"))
            .query_async(&mut *conn)
            .await
            .unwrap();
        assert!(raw.contains(r#""value": {"a": 1}"#));
        redis::cmd("DEL")
            .arg(format!("{c}::k"))
            .query_async::<()>(&mut *conn)
            .await
            .unwrap();
    }

    fn fixture(name: &str) -> Value {
        let manifest = std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
        let path = format!("{manifest}/../../../shared/fixtures/backends/redis/{name}");
        let path =
            std::env::var("KV_FIXTURES_DIR").map_or(path, |d| format!("{d}/backends/redis/{name}"));
        serde_json::from_str(
            &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
        )
        .expect("fixture is JSON")
    }

    /// The Python-written dump, loaded under a unique collection prefix, reads back as the
    /// values py-key-value wrote (expired TTL entries read as missing).
    #[tokio::test]
    async fn reads_python_written_dump() {
        let Some(url) = common::url() else { return };
        let dump = fixture("redis-dump.json");
        let entries = fixture("entries.json");
        let prefix = format!("fx{}-", unique_token());
        let mut plain = common::plain(&url).await;
        let store = RedisStore::from_url(&url).unwrap();
        let now = Timestamp::now();
        let rows = entries["flattened"].as_array().unwrap();
        let mut checked = 0;
        for row in dump["keys"].as_array().unwrap() {
            let raw_key = row["redis_key"].as_str().unwrap();
            let stored = row["value"].as_str().unwrap();
            let (collection, key) = kv_core::split_compound_key(raw_key).unwrap();
            let loaded = format!("{prefix}{raw_key}");
            redis::cmd("SET")
                .arg(&loaded)
                .arg(stored)
                .query_async::<()>(&mut plain)
                .await
                .unwrap();
            let row_of = rows
                .iter()
                .find(|r| r["effective_collection"] == collection && r["key"] == key)
                .unwrap_or_else(|| panic!("no entries.json row for {raw_key}"));
            let entry = envelope::decode(stored.as_bytes()).unwrap();
            assert_eq!(
                Value::Object(entry.value.clone()),
                row_of["value"],
                "{raw_key}"
            );
            let got = store
                .ttl(Some(&format!("{prefix}{collection}")), key)
                .await
                .unwrap();
            if entry.is_live(now) {
                let (value, remaining) = got.expect("live entry readable");
                assert_eq!(Value::Object(value), row_of["value"]);
                assert_eq!(remaining.is_some(), entry.expires_at.is_some());
            } else {
                assert!(got.is_none(), "expired {raw_key} returned");
            }
            redis::cmd("DEL")
                .arg(&loaded)
                .query_async::<()>(&mut plain)
                .await
                .unwrap();
            checked += 1;
        }
        assert_eq!(checked, 10);
    }

    /// What Rust writes for the fixture's calls has the shape py-key-value wrote (same fields,
    /// same value bytes), and a PTTL at least the requested TTL minus the elapsed time.
    #[tokio::test]
    async fn writes_the_python_shapes() {
        let Some(url) = common::url() else { return };
        let dump = fixture("redis-dump.json");
        let prefix = format!("fx{}-", unique_token());
        let store = RedisStore::from_url(&url).unwrap();
        let mut plain = common::plain(&url).await;
        for row in dump["keys"].as_array().unwrap() {
            let raw_key = row["redis_key"].as_str().unwrap();
            let python = parse(row["value"].as_str().unwrap());
            let (collection, key) = kv_core::split_compound_key(raw_key).unwrap();
            let ttl = python.get("expires_at").map(|_| Duration::from_secs(3600));
            let value = python["value"].as_object().unwrap().clone();
            let c = format!("{prefix}{collection}");
            store.put(Some(&c), key, value, ttl).await.unwrap();
            let ours: String = redis::cmd("GET")
                .arg(format!("{c}::{key}"))
                .query_async(&mut plain)
                .await
                .unwrap();
            let ours = parse(&ours);
            let mut python_fields: Vec<&String> = python.keys().collect();
            let mut our_fields: Vec<&String> = ours.keys().collect();
            python_fields.sort();
            our_fields.sort();
            assert_eq!(our_fields, python_fields, "{raw_key}");
            assert_eq!(ours["value"], python["value"]);
            assert_eq!(ours["key"], python["key"]);
            let pttl: i64 = redis::cmd("PTTL")
                .arg(format!("{c}::{key}"))
                .query_async(&mut plain)
                .await
                .unwrap();
            if ttl.is_some() {
                assert!(pttl > 3_599_000 && pttl <= 3_600_000, "{pttl}");
            } else {
                assert_eq!(pttl, -1);
            }
            redis::cmd("DEL")
                .arg(format!("{c}::{key}"))
                .query_async::<()>(&mut plain)
                .await
                .unwrap();
        }
    }
}
