//! Faults on a private `valkey-server` this test starts (and stops by its own PID): a restart
//! in the middle of a workload, and a wrong password.

mod common;

mod valkey {
    use std::time::{Duration, Instant};

    use crate::common::private::start;

    use kv_core::conformance::obj;
    use kv_core::{ErrorKind, KeyValue};
    use kv_store_valkey::ValkeyStore;
    use serde_json::json;

    #[tokio::test]
    async fn restart_mid_workload_recovers_without_rebuilding() {
        let port = kv_core::conformance::private_port();
        let Some(server) = start(port, &[]) else {
            return;
        };
        let store = ValkeyStore::builder()
            .url(format!("valkey://127.0.0.1:{port}/0"))
            .connect_timeout(Duration::from_millis(500))
            .command_timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        for i in 0..20 {
            store
                .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
                .await
                .unwrap();
        }
        drop(server);
        for i in 0..5 {
            let started = Instant::now();
            let err = store.get(Some("c"), &format!("k{i}")).await.unwrap_err();
            assert!(err.kind() == &ErrorKind::Connection, "{err}");
            assert!(err.is_retryable(), "{err}");
            assert!(err.to_string().contains(&format!("k{i}")), "{err}");
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "a call during the outage took {:?}",
                started.elapsed()
            );
        }
        let _server = start(port, &[]).unwrap();
        // Data is gone (no persistence) but the same store object serves again once fred has
        // reconnected (its reconnect policy waits at most 2 s between attempts).
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match store.get(Some("c"), "k0").await {
                Ok(value) => {
                    assert_eq!(value, None);
                    break;
                }
                Err(err) => {
                    assert!(err.is_retryable(), "{err}");
                    assert!(Instant::now() < deadline, "no recovery: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        for i in 0..20 {
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
                .into_iter()
                .flatten()
                .count(),
            2
        );
    }

    #[tokio::test]
    async fn wrong_password_is_a_clear_authentication_error() {
        let port = kv_core::conformance::private_port();
        let Some(_server) = start(port, &["--requirepass", "right-secret"]) else {
            return;
        };
        let store = ValkeyStore::builder()
            .url(format!("valkey://:wrong-secret@127.0.0.1:{port}/0"))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = store.get(Some("c"), "k").await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
        assert!(err.to_string().contains("authentication failed"), "{err}");
        assert!(!err.to_string().contains("wrong-secret"));
        assert!(!format!("{err:?}").contains("wrong-secret"));
        let good =
            ValkeyStore::from_url(&format!("valkey://:right-secret@127.0.0.1:{port}/0")).unwrap();
        good.put(Some("c"), "k", obj(json!({"a": 1})), None)
            .await
            .unwrap();
        assert_eq!(
            good.get(Some("c"), "k").await.unwrap(),
            Some(obj(json!({"a": 1})))
        );
    }
}
