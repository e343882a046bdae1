//! Faults on a private dynalite this test starts (and stops by its own child handle): the
//! server killed in the middle of a workload (typed retryable `Connection` errors within a
//! bounded time, then recovery on the same store object once it is back on the same port and
//! data directory), and a frozen server (`Timeout`). The binary comes from
//! `KV_TEST_DYNALITE_BIN` (written by `cargo xtask services up dynamodb`); without it (e.g. the
//! Docker CI, whose servers are containers) the tests print that they skipped.

mod common;

mod dynamodb {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::{Duration, Instant};

    use kv_core::conformance::{obj, private_port, unique_token, PrivateServer as Server};
    use kv_core::{ErrorKind, KeyValue};
    use kv_store_dynamodb::DynamoDBStore;
    use serde_json::json;

    /// The dynalite executable, or `None` after printing why the test skips.
    fn binary() -> Option<String> {
        match std::env::var("KV_TEST_DYNALITE_BIN") {
            Ok(path) if !path.is_empty() => Some(path),
            _ => {
                println!("SKIPPED: KV_TEST_DYNALITE_BIN is not set (no local dynalite to start)");
                None
            }
        }
    }

    fn start(binary: &str, port: u16, data: &Path) -> Server {
        let mut command = Command::new(binary);
        command
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--path"])
            .arg(data)
            .args([
                "--createTableMs",
                "0",
                "--deleteTableMs",
                "0",
                "--updateTableMs",
                "0",
            ]);
        Server::start(command, port, Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"))
    }

    struct TempDir(PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn store(port: u16) -> DynamoDBStore {
        super::common::builder(&format!("http://127.0.0.1:{port}"), "faults")
            .connect_timeout(Duration::from_millis(500))
            .attempt_timeout(Duration::from_secs(1))
            .operation_timeout(Duration::from_secs(4))
            .max_attempts(2)
            .build()
            .unwrap()
    }

    /// Every call fails within this bound while the server is down or frozen.
    const BOUND: Duration = Duration::from_secs(6);

    #[tokio::test]
    async fn restart_mid_workload_recovers_on_the_same_store() {
        let Some(binary) = binary() else {
            return;
        };
        let data = TempDir(std::env::temp_dir().join(format!("kv-dynalite-{}", unique_token())));
        let port = private_port();
        let server = start(&binary, port, &data.0);
        let store = store(port);
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
            assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
            assert!(err.is_retryable(), "{err}");
            assert_eq!(err.operation(), Some("get"), "{err}");
            assert_eq!(err.collection(), Some("c"), "{err}");
            assert_eq!(err.key(), Some(format!("k{i}").as_str()), "{err}");
            assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
        }
        let err = store
            .put_many(Some("c"), vec![("x".into(), obj(json!({})))], None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");

        let _server = start(&binary, port, &data.0);
        // The same store object works again, and the data survived (dynalite's --path).
        for i in 0..20 {
            assert_eq!(
                store.get(Some("c"), &format!("k{i}")).await.unwrap(),
                Some(obj(json!({"i": i})))
            );
        }
        store
            .put(Some("c"), "after", obj(json!({"ok": true})), None)
            .await
            .unwrap();
        assert_eq!(
            store
                .get_many(Some("c"), &["k1", "after"])
                .await
                .unwrap()
                .len(),
            2
        );
    }

    #[tokio::test]
    async fn frozen_server_is_a_timeout() {
        let Some(binary) = binary() else {
            return;
        };
        let data = TempDir(std::env::temp_dir().join(format!("kv-dynalite-{}", unique_token())));
        let port = private_port();
        let server = start(&binary, port, &data.0);
        let store = store(port);
        store
            .put(Some("c"), "k", obj(json!({"a": 1})), None)
            .await
            .unwrap();
        server.signal("-STOP");
        let started = Instant::now();
        let result = store.get(Some("c"), "k").await;
        server.signal("-CONT");
        let err = result.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
        assert!(err.is_retryable());
        assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
        assert_eq!(
            store.get(Some("c"), "k").await.unwrap(),
            Some(obj(json!({"a": 1})))
        );
    }

    /// A setup that fails (server down) is retried by the next call on the same store.
    #[tokio::test]
    async fn setup_failure_is_retried() {
        let Some(binary) = binary() else {
            return;
        };
        let data = TempDir(std::env::temp_dir().join(format!("kv-dynalite-{}", unique_token())));
        let port = private_port();
        let store = store(port);
        let err = store.get(Some("c"), "k").await.unwrap_err();
        // Unreachable during setup: the same retryable outage as later on.
        assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
        assert!(err.is_retryable());
        assert!(err.to_string().contains("cannot reach DynamoDB"), "{err}");
        let _server = start(&binary, port, &data.0);
        assert_eq!(store.get(Some("c"), "k").await.unwrap(), None);
    }
}
