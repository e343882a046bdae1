//! Faults on a private `redis-server` this test starts (and stops by its own PID): a restart
//! in the middle of a workload, and a wrong password.

mod common;

mod redis {
    use std::time::Duration;

    use crate::common::private::start;

    use kv_core::conformance::obj;
    use kv_core::{ErrorKind, KeyValue};
    use kv_store_redis::RedisStore;
    use serde_json::json;

    #[tokio::test]
    async fn restart_mid_workload_recovers_without_rebuilding() {
        let port = kv_core::conformance::private_port();
        let Some(server) = start(port, &[]) else {
            return;
        };
        let store = RedisStore::builder()
            .url(format!("redis://127.0.0.1:{port}/0"))
            .connect_timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        for i in 0..20 {
            store
                .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
                .await
                .unwrap();
        }
        drop(server);
        for i in 0..20 {
            let err = store.get(Some("c"), &format!("k{i}")).await.unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
            assert!(err.is_retryable());
        }
        let _server = start(port, &[]).unwrap();
        // Data is gone (no persistence) but every call works again on the same store.
        for i in 0..20 {
            assert_eq!(store.get(Some("c"), &format!("k{i}")).await.unwrap(), None);
            store
                .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
                .await
                .unwrap();
        }
        assert_eq!(
            store
                .get_many(Some("c"), &["k1", "k2"])
                .await
                .unwrap()
                .len(),
            2
        );
    }

    #[tokio::test]
    async fn wrong_password_is_a_clear_authentication_error() {
        let port = kv_core::conformance::private_port();
        let Some(_server) = start(port, &["--requirepass", "right-secret"]) else {
            return;
        };
        let store =
            RedisStore::from_url(&format!("redis://:wrong-secret@127.0.0.1:{port}/0")).unwrap();
        let err = store.get(Some("c"), "k").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
        assert!(err.to_string().contains("authentication failed"), "{err}");
        assert!(!err.to_string().contains("wrong-secret"));
        assert!(!format!("{err:?}").contains("wrong-secret"));
        let good =
            RedisStore::from_url(&format!("redis://:right-secret@127.0.0.1:{port}/0")).unwrap();
        good.put(Some("c"), "k", obj(json!({"a": 1})), None)
            .await
            .unwrap();
    }
}
