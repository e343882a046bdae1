//! Faults on a private MongoDB stand-in this test starts (and stops through its own child
//! handle): the server stopped in the middle of a workload, then restarted on the same port.
//!
//! The server is nx-27017 (`spec/test-services.md` §3.4) in memory: the binary named by
//! `KV_TEST_NX_27017` (set by `cargo xtask services up mongodb`), else `nx-27017` on PATH.

/// Named `mongodb` so `cargo xtask test mongodb` runs it.
mod mongodb {
    use std::process::Command;
    use std::time::{Duration, Instant};

    use kv_core::conformance::{obj, private_port, PrivateServer as Server};
    use kv_core::{ErrorKind, KeyValue};
    use kv_store_mongodb::MongoDBStore;
    use serde_json::json;

    fn binary() -> String {
        std::env::var("KV_TEST_NX_27017")
            .ok()
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| "nx-27017".into())
    }

    fn command(port: u16) -> Command {
        let mut command = Command::new(binary());
        command
            .args([
                "--host",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "--data-dir",
                "memory",
            ])
            .args(["--log-file", "/dev/null"]);
        command
    }

    fn skip_or_fail(e: &std::io::Error) {
        if std::env::var("KV_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
            panic!("nx-27017 cannot be started ({e}) and KV_REQUIRE_SERVICES=1");
        }
        println!("SKIPPED: nx-27017 is not on PATH and KV_TEST_NX_27017 is unset");
    }

    /// A private server on a free port (tried again on another port if it dies at start).
    fn start() -> Option<(Server, u16)> {
        match Server::start_on_free_port(command, Duration::from_secs(30)) {
            Ok(started) => Some(started),
            Err(e) => {
                skip_or_fail(&e);
                None
            }
        }
    }

    /// The server again on `port` (a restart).
    fn restart(port: u16) -> Option<Server> {
        match Server::start(command(port), port, Duration::from_secs(30)) {
            Ok(server) => Some(server),
            Err(e) => {
                skip_or_fail(&e);
                None
            }
        }
    }

    #[tokio::test]
    async fn restart_mid_workload_recovers_without_rebuilding() {
        let Some((server, port)) = start() else {
            return;
        };
        let store = MongoDBStore::builder()
            .url(format!("mongodb://127.0.0.1:{port}/?directConnection=true"))
            .server_selection_timeout(Duration::from_millis(500))
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
        for i in 0..5 {
            let started = Instant::now();
            let err = store.get(Some("c"), &format!("k{i}")).await.unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
            assert!(err.is_retryable(), "{err}");
            assert_eq!(err.collection(), Some("c"), "{err}");
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{:?}",
                started.elapsed()
            );
            let err = store
                .put_many(Some("c"), vec![("x".into(), obj(json!({})))], None)
                .await
                .unwrap_err();
            assert!(err.is_retryable(), "{err}");
        }
        let _server = restart(port).unwrap();
        // Data is gone (in-memory server) but every call works again on the same store.
        let mut recovered = false;
        for _ in 0..50 {
            if store.get(Some("c"), "k0").await.is_ok() {
                recovered = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(recovered, "the store did not recover after the restart");
        for i in 0..20 {
            assert_eq!(store.get(Some("c"), &format!("k{i}")).await.unwrap(), None);
            store
                .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
                .await
                .unwrap();
        }
        let got = store.get_many(Some("c"), &["k1", "k2"]).await.unwrap();
        assert_eq!(
            got,
            vec![Some(obj(json!({"i": 1}))), Some(obj(json!({"i": 2})))]
        );
        assert_eq!(
            store
                .delete_many(Some("c"), &["k1", "k2", "k3"])
                .await
                .unwrap(),
            3
        );
        store.close().await.unwrap();
    }

    #[tokio::test]
    async fn unreachable_server_is_a_retryable_connection_error() {
        let port = private_port();
        let store = MongoDBStore::builder()
            .url(format!("mongodb://127.0.0.1:{port}/?directConnection=true"))
            .server_selection_timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let err = store.get(Some("c"), "k").await.unwrap_err();
        // Collection setup (listCollections) is the first thing to reach the server.
        assert!(
            matches!(err.kind(), ErrorKind::Connection | ErrorKind::Setup),
            "{err}"
        );
        assert!(err.to_string().contains("server selection"), "{err}");
    }
}
