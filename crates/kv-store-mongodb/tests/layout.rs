//! Raw document layout (`wire-format.md` §5.4, `conformance.md` §5 "MongoDB") checked through a
//! plain driver client on the server of `KV_TEST_MONGODB_URL`, in a database of its own.

mod common;

/// Named `mongodb` so `cargo xtask test mongodb` runs these.
mod mongodb {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use ::mongodb::bson::{doc, oid::ObjectId, Binary, Bson, DateTime, Document};
    use ::mongodb::Collection;
    use futures::TryStreamExt;
    use kv_core::conformance::obj;
    use kv_core::{ErrorKind, KeyValue, Timestamp};
    use kv_store_mongodb::MongoDBStore;
    use serde_json::json;

    struct Fixture {
        store: MongoDBStore,
        raw: super::common::RawMongo,
    }

    impl Fixture {
        async fn new() -> Option<Fixture> {
            let url = super::common::url()?;
            let db = super::common::run_db();
            let store = MongoDBStore::builder()
                .url(&url)
                .db_name(&db)
                .build()
                .unwrap();
            Some(Fixture {
                store,
                raw: super::common::RawMongo {
                    url,
                    db,
                    names: None,
                },
            })
        }

        async fn coll(&self, name: &str) -> Collection<Document> {
            self.raw.collection(name).await
        }

        async fn doc(&self, collection: &str, key: &str) -> Document {
            self.coll(collection)
                .await
                .find_one(doc! {"key": key})
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("no document for {collection}/{key}"))
        }

        async fn drop_db(self) {
            let client = super::common::plain(&self.raw.url).await;
            client.database(&self.raw.db).drop().await.unwrap();
        }
    }

    fn fields(doc: &Document) -> BTreeSet<&str> {
        doc.keys().map(String::as_str).collect()
    }

    fn millis(at: Timestamp) -> i64 {
        at.unix_micros().div_euclid(1000)
    }

    #[tokio::test]
    async fn document_without_ttl_has_the_py_key_value_shape() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        let before = Timestamp::now();
        fx.store
            .put(
                Some("test"),
                "test_key",
                obj(json!({"test": "value", "n": 5, "big": 1_i64 << 40})),
                None,
            )
            .await
            .unwrap();
        let after = Timestamp::now();
        let doc = fx.doc("test", "test_key").await;
        assert_eq!(
            fields(&doc),
            BTreeSet::from(["_id", "key", "collection", "version", "value", "created_at"])
        );
        assert!(matches!(doc.get("_id"), Some(Bson::ObjectId(_))), "{doc}");
        assert_eq!(doc.get_str("key").unwrap(), "test_key");
        assert_eq!(doc.get_str("collection").unwrap(), "test");
        assert_eq!(doc.get("version"), Some(&Bson::Int32(1)));
        let object = doc
            .get_document("value")
            .unwrap()
            .get_document("object")
            .unwrap();
        assert_eq!(object.get("test"), Some(&Bson::String("value".into())));
        assert_eq!(object.get("n"), Some(&Bson::Int32(5)));
        assert_eq!(object.get("big"), Some(&Bson::Int64(1 << 40)));
        let created = doc.get_datetime("created_at").unwrap().timestamp_millis();
        assert!(
            (millis(before)..=millis(after)).contains(&created),
            "created_at {created} outside [{}, {}]",
            millis(before),
            millis(after)
        );
        fx.drop_db().await;
    }

    #[tokio::test]
    async fn ttl_is_a_date_rounded_up_and_overwriting_without_ttl_removes_it() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        let ttl = Duration::from_secs(10);
        let before = Timestamp::now();
        fx.store
            .put(Some("test"), "k", obj(json!({"a": 1})), Some(ttl))
            .await
            .unwrap();
        let after = Timestamp::now();
        let doc = fx.doc("test", "k").await;
        let expires = doc.get_datetime("expires_at").unwrap().timestamp_millis();
        let lowest = before.checked_add(ttl).unwrap();
        let highest = after.checked_add(ttl).unwrap();
        assert!(
            expires * 1000 >= lowest.unix_micros() && expires <= millis(highest) + 1,
            "expires_at {expires} not in [{lowest}, {highest}] rounded up"
        );
        let (_, left) = fx.store.ttl(Some("test"), "k").await.unwrap().unwrap();
        let left = left.expect("ttl lost");
        assert!(left > Duration::from_secs(9) && left <= ttl, "{left:?}");

        fx.store
            .put(Some("test"), "k", obj(json!({"a": 2})), None)
            .await
            .unwrap();
        let doc = fx.doc("test", "k").await;
        assert!(!doc.contains_key("expires_at"), "old expiry kept: {doc}");
        assert_eq!(
            fx.store.ttl(Some("test"), "k").await.unwrap(),
            Some((obj(json!({"a": 2})), None))
        );

        // The same through put_many.
        let items = vec![("m".to_owned(), obj(json!({"i": 1})))];
        fx.store
            .put_many(Some("test"), items.clone(), Some(ttl))
            .await
            .unwrap();
        assert!(fx.doc("test", "m").await.contains_key("expires_at"));
        fx.store.put_many(Some("test"), items, None).await.unwrap();
        assert!(!fx.doc("test", "m").await.contains_key("expires_at"));
        let count = fx
            .coll("test")
            .await
            .count_documents(doc! {})
            .await
            .unwrap();
        assert_eq!(count, 2, "upserts must replace, not add documents");
        fx.drop_db().await;
    }

    #[tokio::test]
    async fn collection_setup_creates_the_key_and_ttl_indexes() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        fx.store
            .put(Some("indexed"), "k", obj(json!({})), None)
            .await
            .unwrap();
        let indexes: Vec<_> = fx
            .coll("indexed")
            .await
            .list_indexes()
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let key = indexes.iter().find(|i| i.keys == doc! {"key": 1});
        let ttl = indexes.iter().find(|i| i.keys == doc! {"expires_at": 1});
        assert!(key.is_some(), "no {{key: 1}} index in {indexes:?}");
        let ttl = ttl.unwrap_or_else(|| panic!("no {{expires_at: 1}} index in {indexes:?}"));
        let expire_after = ttl.options.as_ref().and_then(|o| o.expire_after);
        assert_eq!(expire_after, Some(Duration::ZERO), "{ttl:?}");
        fx.drop_db().await;
    }

    #[tokio::test]
    async fn v1_collection_names_and_raw_rejections() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        let special = "test_collection!@#$%^&*()";
        let long = "test_collection".repeat(100);
        for name in [special, long.as_str(), "nul\0name"] {
            let err = fx
                .store
                .put(Some(name), "k", obj(json!({})), None)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{err}");
            assert_eq!(err.collection(), Some(name), "{err}");
        }
        if !super::common::accepts_any_collection_name(&fx.raw.url, &fx.raw.db).await {
            println!(
                "SKIPPED the V1 half: the server refuses V1 names such as S_test_collection_-daf4a2ec"
            );
            fx.drop_db().await;
            return;
        }

        let v1 = MongoDBStore::builder()
            .url(&fx.raw.url)
            .db_name(&fx.raw.db)
            .v1_collection_names()
            .build()
            .unwrap();
        v1.put(Some(special), "test_key", obj(json!({"v": 1})), None)
            .await
            .unwrap();
        let doc = fx.doc("S_test_collection_-daf4a2ec", "test_key").await;
        assert_eq!(
            doc.get_str("collection").unwrap(),
            special,
            "the given name is recorded"
        );
        assert_eq!(
            v1.get(Some(special), "test_key").await.unwrap(),
            Some(obj(json!({"v": 1})))
        );
        fx.drop_db().await;
    }

    #[tokio::test]
    async fn u64_above_i64_max_is_a_serialization_error() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        let err = fx
            .store
            .put(Some("test"), "big", obj(json!({"n": u64::MAX})), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Serialization, "{err}");
        assert_eq!(err.key(), Some("big"), "{err}");
        let err = fx
            .store
            .put_many(
                Some("test"),
                vec![("big".into(), obj(json!({"n": u64::MAX})))],
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Serialization, "{err}");
        assert_eq!(fx.store.get(Some("test"), "big").await.unwrap(), None);
        fx.drop_db().await;
    }

    /// Documents as pymongo writes them (millisecond dates, `$set` field order) are read; expired
    /// ones never come back, whatever the TTL monitor has done so far.
    #[tokio::test]
    async fn python_style_documents_are_read_and_expired_ones_hidden() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        fx.store
            .put(Some("py"), "seed", obj(json!({})), None)
            .await
            .unwrap();
        let now = DateTime::now().timestamp_millis();
        let coll = fx.coll("py").await;
        let docs = [
            doc! {"key": "future", "version": 1, "value": {"object": {"a": 1}}, "collection": "py",
            "created_at": DateTime::from_millis(now), "expires_at": DateTime::from_millis(now + 3_600_000)},
            doc! {"key": "past", "version": 1, "value": {"object": {"a": 2}}, "collection": "py",
            "created_at": DateTime::from_millis(now - 7_200_000), "expires_at": DateTime::from_millis(now - 3_600_000)},
            doc! {"key": "plain", "version": 1, "value": {"object": {"l": [1, 2.5, "x", null, {"d": true}]}}, "collection": "py",
            "created_at": DateTime::from_millis(now)},
        ];
        coll.insert_many(docs).await.unwrap();
        let (value, ttl) = fx.store.ttl(Some("py"), "future").await.unwrap().unwrap();
        assert_eq!(value, obj(json!({"a": 1})));
        let ttl = ttl.unwrap();
        assert!(
            ttl > Duration::from_secs(3590) && ttl <= Duration::from_secs(3600),
            "{ttl:?}"
        );
        assert_eq!(
            fx.store.get(Some("py"), "plain").await.unwrap(),
            Some(obj(json!({"l": [1, 2.5, "x", null, {"d": true}]})))
        );
        assert_eq!(fx.store.get(Some("py"), "past").await.unwrap(), None);
        let many = fx
            .store
            .get_many(Some("py"), &["past", "future", "nope"])
            .await
            .unwrap();
        assert_eq!(many, vec![None, Some(obj(json!({"a": 1}))), None]);
        let keys = fx.store.keys(Some("py"), None).await.unwrap();
        let keys: BTreeSet<_> = keys.iter().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["seed", "future", "plain"]));
        assert!(!fx.store.delete(Some("py"), "past").await.unwrap());
        fx.drop_db().await;
    }

    /// BSON values JSON has no equivalent for are `Deserialization` errors naming the key (a NaN
    /// double is covered by the unit tests: nx-27017 refuses to store one).
    #[tokio::test]
    async fn bson_types_without_json_equivalent_are_deserialization_errors() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        fx.store
            .put(Some("odd"), "seed", obj(json!({})), None)
            .await
            .unwrap();
        let coll = fx.coll("odd").await;
        let odd = [
            ("date", Bson::DateTime(DateTime::now())),
            ("oid", Bson::ObjectId(ObjectId::new())),
            (
                "binary",
                Bson::Binary(Binary {
                    subtype: ::mongodb::bson::spec::BinarySubtype::Generic,
                    bytes: vec![1, 2],
                }),
            ),
        ];
        for (key, value) in odd {
            coll.insert_one(doc! {"key": key, "version": 1, "value": {"object": {"x": value}}})
                .await
                .unwrap();
            let err = fx.store.get(Some("odd"), key).await.unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::Deserialization, "{key}: {err}");
            assert_eq!(err.key(), Some(key), "{err}");
            assert_eq!(err.collection(), Some("odd"), "{err}");
            let err = fx
                .store
                .get_many(Some("odd"), &["seed", key])
                .await
                .unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::Deserialization, "{key}: {err}");
        }
        fx.drop_db().await;
    }

    #[tokio::test]
    async fn auto_create_off_names_the_missing_collection() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        let strict = MongoDBStore::builder()
            .url(&fx.raw.url)
            .db_name(&fx.raw.db)
            .auto_create(false)
            .build()
            .unwrap();
        let err = strict.get(Some("absent"), "k").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
        assert!(
            err.to_string()
                .contains("Collection 'absent' does not exist"),
            "{err}"
        );
        let client = super::common::plain(&fx.raw.url).await;
        let db = client.database(&fx.raw.db);
        db.create_collection("absent").await.unwrap();
        strict
            .put(Some("absent"), "k", obj(json!({"ok": true})), None)
            .await
            .unwrap();
        assert_eq!(
            strict.get(Some("absent"), "k").await.unwrap(),
            Some(obj(json!({"ok": true})))
        );
        let names = db.list_collection_names().await.unwrap();
        assert!(names.contains(&"absent".to_owned()));
        fx.drop_db().await;
    }

    #[tokio::test]
    async fn destroy_collection_drops_it_and_the_next_use_recreates_it() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        fx.store
            .put(Some("gone"), "k", obj(json!({"a": 1})), None)
            .await
            .unwrap();
        assert!(fx.store.destroy_collection("gone").await.unwrap());
        let client = super::common::plain(&fx.raw.url).await;
        let names = client
            .database(&fx.raw.db)
            .list_collection_names()
            .await
            .unwrap();
        assert!(!names.contains(&"gone".to_owned()), "{names:?}");
        assert!(!fx.store.destroy_collection("gone").await.unwrap());
        assert_eq!(fx.store.get(Some("gone"), "k").await.unwrap(), None);
        fx.store
            .put(Some("gone"), "k", obj(json!({"a": 2})), None)
            .await
            .unwrap();
        assert_eq!(
            fx.store.get(Some("gone"), "k").await.unwrap(),
            Some(obj(json!({"a": 2})))
        );
        let indexes = fx.coll("gone").await.list_index_names().await.unwrap();
        assert!(indexes.len() >= 3, "indexes not re-created: {indexes:?}");
        fx.drop_db().await;
    }

    #[tokio::test]
    async fn a_user_client_survives_close() {
        let Some(fx) = Fixture::new().await else {
            return;
        };
        let client = super::common::plain(&fx.raw.url).await;
        let store = MongoDBStore::builder()
            .client(client.clone())
            .db_name(&fx.raw.db)
            .build()
            .unwrap();
        store
            .put(Some("c"), "k", obj(json!({"a": 1})), None)
            .await
            .unwrap();
        store.close().await.unwrap();
        let err = store.get(Some("c"), "k").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
        let found = client
            .database(&fx.raw.db)
            .collection::<Document>("c")
            .find_one(doc! {"key": "k"})
            .await
            .unwrap();
        assert!(
            found.is_some(),
            "the user's client stopped working after close()"
        );
        fx.store.close().await.unwrap();
        fx.drop_db().await;
    }
}
