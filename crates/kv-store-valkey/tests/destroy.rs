//! `destroy()` alone (the suite's test plus the foreign-key rule of conformance.md §6.2):
//! standalone on databases of its own, the cluster (database 0 only) one test at a time.

mod common;

use std::sync::Arc;

use fred::prelude::{ClientLike, KeysInterface, Value};
use kv_core::conformance::{capability, run_case, SuiteConfig};
use kv_core::KeyValue;
use kv_store_valkey::ValkeyStore;

/// Tests on the cluster share its only database: one at a time.
static CLUSTER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn suite_destroy(url: Option<String>, explicit: bool) {
    let Some(url) = url else { return };
    run_case(
        "test_destroy_store",
        explicit,
        || async { Some(Arc::new(ValkeyStore::from_url(&url).ok()?) as Arc<dyn KeyValue>) },
        SuiteConfig::new(),
        |s, ctx| Box::pin(capability::destroy_store(s, ctx)),
    )
    .await;
}

async fn keeps_foreign_keys(url: Option<String>) {
    let Some(url) = url else { return };
    let plain = common::plain(&url).await;
    let u = kv_core::conformance::unique_token();
    let (other, text, hash, mine) = (
        format!("other-{u}"),
        format!("c-{u}::text"),
        format!("c-{u}::hash"),
        format!("c-{u}::mine"),
    );
    let () = plain
        .set(&other, "foreign", None, None, false)
        .await
        .unwrap();
    let () = plain
        .set(&text, "not an envelope", None, None, false)
        .await
        .unwrap();
    let _: Value = plain
        .custom(
            fred::cmd!("HSET"),
            vec![hash.clone(), "f".into(), "v".into()],
        )
        .await
        .unwrap();
    let store = ValkeyStore::from_url(&url).unwrap();
    store
        .put(
            Some(&format!("c-{u}")),
            "mine",
            kv_core::Object::new(),
            None,
        )
        .await
        .unwrap();
    assert!(store.destroy().await.unwrap());
    for (key, kept) in [(&other, true), (&text, true), (&hash, true), (&mine, false)] {
        let n: u32 = plain.exists(key.as_str()).await.unwrap();
        assert_eq!(n == 1, kept, "{key}");
    }
    for key in [other, text, hash] {
        let _: u32 = plain.del(key).await.unwrap();
    }
    plain.quit().await.unwrap();
}

mod valkey {
    use super::*;

    #[tokio::test]
    async fn destroy_store_explicit_setup() {
        suite_destroy(common::standalone().map(|u| common::with_db(&u, 12)), true).await;
    }

    #[tokio::test]
    async fn destroy_store_lazy_setup() {
        suite_destroy(common::standalone().map(|u| common::with_db(&u, 11)), false).await;
    }

    #[tokio::test]
    async fn destroy_keeps_foreign_keys() {
        keeps_foreign_keys(common::standalone().map(|u| common::with_db(&u, 10))).await;
    }

    #[tokio::test]
    async fn exclusive_database_flushes() {
        let Some(url) = common::standalone().map(|u| common::with_db(&u, 9)) else {
            return;
        };
        let plain = common::plain(&url).await;
        let () = plain
            .set("other", "foreign", None, None, false)
            .await
            .unwrap();
        let store = ValkeyStore::builder()
            .url(&url)
            .exclusive_database(true)
            .build()
            .unwrap();
        assert!(store.destroy().await.unwrap());
        let size: u32 = plain
            .custom(fred::cmd!("DBSIZE"), Vec::<Value>::new())
            .await
            .unwrap();
        assert_eq!(size, 0);
        assert!(!store.destroy().await.unwrap());
    }
}

mod valkey_cluster {
    use super::*;

    #[tokio::test]
    async fn destroy_store_explicit_setup() {
        let _one = CLUSTER.lock().await;
        suite_destroy(common::cluster(), true).await;
    }

    #[tokio::test]
    async fn destroy_store_lazy_setup() {
        let _one = CLUSTER.lock().await;
        suite_destroy(common::cluster(), false).await;
    }

    #[tokio::test]
    async fn destroy_keeps_foreign_keys() {
        let _one = CLUSTER.lock().await;
        keeps_foreign_keys(common::cluster()).await;
    }
}
