//! The documents and indexes the store writes, read back through a plain client
//! (`wire-format.md` §5.5), and documents written by others read through the store.

mod common;

mod elasticsearch {
    use std::time::Duration;

    use kv_core::conformance::{obj, unique_token};
    use kv_core::{ErrorKind, KeyValue};
    use kv_store_elasticsearch::elasticsearch::http::Method;
    use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
    use serde_json::json;

    use super::common;

    async fn plain_store(url: &str, prefix: &str) -> ElasticsearchStore {
        ElasticsearchStore::builder()
            .url(url)
            .index_prefix(prefix)
            .dialect(common::dialect(url).await)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn document_layout_and_mapping() {
        let Some(url) = common::url() else { return };
        let dialect = common::dialect(&url).await;
        let prefix = format!("Layout-{}", unique_token());
        let store = plain_store(&url, &prefix).await;
        let collection = format!("Users-{}", unique_token());
        store
            .put(
                Some(&collection),
                "alice",
                obj(json!({"name": "Alice", "n": {"x": [1, 2]}})),
                Some(Duration::from_secs(60)),
            )
            .await
            .unwrap();
        store
            .put(Some(&collection), "bob", obj(json!({"b": true})), None)
            .await
            .unwrap();
        let index = format!("{prefix}-{collection}").to_lowercase();
        assert_eq!(store.index_name(Some(&collection)).unwrap(), index);
        let (status, doc) =
            common::call(&url, Method::Get, &format!("/{index}/_doc/alice"), None).await;
        assert_eq!(status, 200, "{doc}");
        let source = &doc["_source"];
        let field = dialect.value_field();
        assert_eq!(source["version"], 1);
        assert_eq!(source["key"], "alice");
        assert_eq!(source["collection"], collection.as_str());
        assert_eq!(
            source["value"][field],
            json!({"name": "Alice", "n": {"x": [1, 2]}})
        );
        let created = source["created_at"].as_str().unwrap();
        let expires = source["expires_at"].as_str().unwrap();
        for stamp in [created, expires] {
            assert!(stamp.ends_with("+00:00"), "{stamp}");
            assert!(stamp.len() == 25 || stamp.len() == 32, "{stamp}");
        }
        let (_, bob) = common::call(&url, Method::Get, &format!("/{index}/_doc/bob"), None).await;
        assert!(bob["_source"].get("expires_at").is_none(), "{bob}");

        let (status, mapping) =
            common::call(&url, Method::Get, &format!("/{index}/_mapping"), None).await;
        assert_eq!(status, 200, "{mapping}");
        let props = &mapping[&index]["mappings"]["properties"];
        assert_eq!(props["created_at"]["type"], "date", "{mapping}");
        assert_eq!(props["expires_at"]["type"], "date");
        assert_eq!(props["collection"]["type"], "keyword");
        assert_eq!(props["key"]["type"], "keyword");
        assert_eq!(props["version"]["type"], "integer");
        assert_eq!(
            props["value"]["properties"][field]["type"],
            dialect.mapping_type()
        );
        common::call(&url, Method::Delete, &format!("/{index}"), None).await;
    }

    #[tokio::test]
    async fn v1_names_hash_ids_and_sanitize_indexes() {
        let Some(url) = common::url() else { return };
        let store = common::store(&url).await;
        let collection = format!("My Coll!-{}", unique_token());
        let key = "a key/with?odd#chars é".repeat(3);
        store
            .put(Some(&collection), &key, obj(json!({"v": 1})), None)
            .await
            .unwrap();
        let (index, id) = common::v1_location(common::PREFIX, &collection, &key);
        assert_eq!(id.len(), 64);
        assert_eq!(store.index_name(Some(&collection)).unwrap(), index);
        let (status, doc) =
            common::call(&url, Method::Get, &format!("/{index}/_doc/{id}"), None).await;
        assert_eq!(status, 200, "{doc}");
        assert_eq!(doc["_source"]["key"], key.as_str());
        assert_eq!(doc["_source"]["collection"], collection.as_str());
        assert_eq!(
            store.keys(Some(&collection), None).await.unwrap(),
            vec![key.clone()]
        );
        assert!(store.destroy_collection(&collection).await.unwrap());
    }

    #[tokio::test]
    async fn odd_keys_address_the_right_document_without_sanitization() {
        let Some(url) = common::url() else { return };
        let prefix = format!("odd-{}", unique_token());
        let store = plain_store(&url, &prefix).await;
        let keys = [
            "a/b",
            "q?x=1",
            "h#f",
            "sp ace",
            "pct%2F",
            "\u{e9}\u{4e16}",
            "a+b",
        ];
        for (i, key) in keys.iter().enumerate() {
            store
                .put(Some("c"), key, obj(json!({"i": i})), None)
                .await
                .unwrap();
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(
                store.get(Some("c"), key).await.unwrap(),
                Some(obj(json!({"i": i}))),
                "{key}"
            );
        }
        let got = store.get_many(Some("c"), &keys).await.unwrap();
        assert!(got.iter().all(Option::is_some));
        let mut listed = store.keys(Some("c"), None).await.unwrap();
        listed.sort();
        let mut want: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        want.sort();
        assert_eq!(listed, want);
        assert_eq!(
            store.delete_many(Some("c"), &keys).await.unwrap(),
            keys.len()
        );
        // `.` and `..` would be normalised out of the URL path: refused, and nothing is lost.
        store
            .put(Some("c"), "kept", obj(json!({})), None)
            .await
            .unwrap();
        for key in [".", ".."] {
            let err = store.delete(Some("c"), key).await.unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{err}");
            let err = store
                .put(Some("c"), key, obj(json!({})), None)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{err}");
            let err = store.get_many(Some("c"), &["a", key]).await.unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{err}");
        }
        assert_eq!(
            store.get(Some("c"), "kept").await.unwrap(),
            Some(obj(json!({})))
        );
        common::call(&url, Method::Delete, &format!("/{prefix}-c"), None).await;
    }

    #[tokio::test]
    async fn foreign_documents_are_read_by_the_rules() {
        let Some(url) = common::url() else { return };
        let raw = common::RawDocs::from_env();
        let store = common::store(&url).await;
        let c = format!("foreign-{}", unique_token());
        store
            .put(Some(&c), "seed", obj(json!({})), None)
            .await
            .unwrap();
        use kv_core::conformance::RawAccess;
        // Other writers' forms (a `Z` offset, 3 fractional digits, no `created_at`/`version`),
        // with the `key`/`collection` fields searches filter on.
        let doc = |key: &str, extra: &str| {
            format!(r#"{{"key": "{key}", "collection": "{c}", "value": {{"a": 1}}{extra}}}"#)
        };
        for (key, extra) in [
            ("future", r#", "expires_at": "2999-01-01T00:00:00Z""#),
            (
                "millis",
                r#", "created_at": "2025-01-01T00:00:00.123+00:00""#,
            ),
            ("past", r#", "expires_at": "2001-01-01T00:00:00+00:00""#),
            ("old", ""),
        ] {
            raw.write_raw(&c, key, doc(key, extra).as_bytes())
                .await
                .unwrap();
        }
        let a = obj(json!({"a": 1}));
        assert_eq!(
            store.get(Some(&c), "future").await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(
            store.get(Some(&c), "millis").await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(store.get(Some(&c), "old").await.unwrap(), Some(a.clone()));
        assert_eq!(store.get(Some(&c), "past").await.unwrap(), None);
        let many = store
            .get_many(Some(&c), &["future", "past", "nope", "millis"])
            .await
            .unwrap();
        assert_eq!(many, vec![Some(a.clone()), None, None, Some(a)]);
        // Expired documents are not listed and do not count as deleted.
        let mut keys = store.keys(Some(&c), None).await.unwrap();
        keys.sort();
        assert_eq!(keys, ["future", "millis", "old", "seed"]);
        assert!(!store.delete(Some(&c), "past").await.unwrap());
        assert!(
            !raw.exists_raw(&c, "past").await.unwrap(),
            "delete left the expired document"
        );
        assert!(store.destroy_collection(&c).await.unwrap());
    }

    #[tokio::test]
    async fn a_value_without_the_wrapper_is_a_deserialization_error() {
        let Some(url) = common::url() else { return };
        let store = common::store(&url).await;
        let c = format!("nowrap-{}", unique_token());
        store
            .put(Some(&c), "k", obj(json!({"a": 1})), None)
            .await
            .unwrap();
        let (index, id) = common::v1_location(common::PREFIX, &c, "k");
        let (status, answer) = common::call(
            &url,
            Method::Put,
            &format!("/{index}/_doc/{id}?refresh=true"),
            Some(format!(
                r#"{{"version": 1, "key": "k", "collection": "{c}", "value": {{}}}}"#
            )),
        )
        .await;
        assert!((200..300).contains(&status), "{answer}");
        let err = store.get(Some(&c), "k").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Deserialization, "{err}");
        assert_eq!(err.key(), Some("k"));
        assert!(err.to_string().contains("value"), "{err}");
        assert!(store.destroy_collection(&c).await.unwrap());
    }

    #[tokio::test]
    async fn auto_create_off_reports_the_missing_index() {
        let Some(url) = common::url() else { return };
        let store = ElasticsearchStore::builder()
            .url(&url)
            .index_prefix(format!("noauto-{}", unique_token()))
            .dialect(Dialect::OpenSearch)
            .auto_create(false)
            .build()
            .unwrap();
        let err = store
            .put(Some("c"), "k", obj(json!({})), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
        assert!(err.to_string().contains("auto_create"), "{err}");
    }

    #[tokio::test]
    async fn collections_lists_given_names_under_the_prefix() {
        let Some(url) = common::url() else { return };
        let prefix = format!("colls-{}", unique_token());
        let store = ElasticsearchStore::builder()
            .url(&url)
            .index_prefix(&prefix)
            .dialect(common::dialect(&url).await)
            .v1_sanitization()
            .build()
            .unwrap();
        for c in ["One", "two words", "three"] {
            store.put(Some(c), "k", obj(json!({})), None).await.unwrap();
        }
        let mut names = store.collections(None).await.unwrap();
        names.sort();
        assert_eq!(names, ["One", "three", "two words"]);
        assert_eq!(store.collections(Some(2)).await.unwrap().len(), 2);
        for c in ["One", "two words", "three"] {
            assert!(store.destroy_collection(c).await.unwrap());
        }
        assert!(store.collections(None).await.unwrap().is_empty());
        common::call(&url, Method::Delete, &format!("/{prefix}-*"), None).await;
    }
}
