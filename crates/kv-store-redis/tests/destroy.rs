//! `destroy()` on databases of its own (the suite's test plus the foreign-key rule of
//! conformance.md §6.2): a foreign key and a `C::K` key holding non-envelope text survive.

mod common;

mod redis {
    use std::sync::Arc;

    use kv_core::conformance::{capability, run_case, SuiteConfig};
    use kv_core::KeyValue;
    use kv_store_redis::RedisStore;

    use super::common;

    async fn store_on(db: u32) -> Option<Arc<dyn KeyValue>> {
        let url = common::with_db(&common::url()?, db);
        Some(Arc::new(RedisStore::from_url(&url).ok()?) as Arc<dyn KeyValue>)
    }

    async fn suite_destroy(db: u32, explicit: bool) {
        run_case(
            "test_destroy_store",
            explicit,
            || store_on(db),
            SuiteConfig::new(),
            |s, ctx| Box::pin(capability::destroy_store(s, ctx)),
        )
        .await;
    }

    #[tokio::test]
    async fn destroy_store_explicit_setup() {
        suite_destroy(12, true).await;
    }

    #[tokio::test]
    async fn destroy_store_lazy_setup() {
        suite_destroy(11, false).await;
    }

    #[tokio::test]
    async fn destroy_keeps_foreign_keys() {
        let Some(url) = common::url() else { return };
        let url = common::with_db(&url, 10);
        let mut plain = common::plain(&url).await;
        redis::cmd("SET")
            .arg("other")
            .arg("foreign")
            .query_async::<()>(&mut plain)
            .await
            .unwrap();
        redis::cmd("SET")
            .arg("c::text")
            .arg("not an envelope")
            .query_async::<()>(&mut plain)
            .await
            .unwrap();
        redis::cmd("HSET")
            .arg("c::hash")
            .arg("f")
            .arg("v")
            .query_async::<()>(&mut plain)
            .await
            .unwrap();
        let store = RedisStore::from_url(&url).unwrap();
        store
            .put(Some("c"), "mine", kv_core::Object::new(), None)
            .await
            .unwrap();
        assert!(store.destroy().await.unwrap());
        assert!(!store.destroy().await.unwrap());
        for (key, kept) in [
            ("other", true),
            ("c::text", true),
            ("c::hash", true),
            ("c::mine", false),
        ] {
            let n: u32 = redis::cmd("EXISTS")
                .arg(key)
                .query_async(&mut plain)
                .await
                .unwrap();
            assert_eq!(n == 1, kept, "{key}");
        }
        redis::cmd("DEL")
            .arg("other")
            .arg("c::text")
            .arg("c::hash")
            .query_async::<()>(&mut plain)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn exclusive_database_flushes() {
        let Some(url) = common::url() else { return };
        let url = common::with_db(&url, 9);
        let mut plain = common::plain(&url).await;
        redis::cmd("SET")
            .arg("other")
            .arg("foreign")
            .query_async::<()>(&mut plain)
            .await
            .unwrap();
        let store = RedisStore::builder()
            .url(&url)
            .exclusive_database(true)
            .build()
            .unwrap();
        assert!(store.destroy().await.unwrap());
        let size: u32 = redis::cmd("DBSIZE").query_async(&mut plain).await.unwrap();
        assert_eq!(size, 0);
        assert!(!store.destroy().await.unwrap());
    }
}
