//! Faults on a private osmem server this test starts (and stops by its own PID) on a free port:
//! a restart in the middle of a workload must give retryable `Connection` errors within a
//! bounded time, and the same store object must work again once the server is back.
//!
//! The server binary comes from `KV_TEST_OSMEM_BIN` (written by `cargo xtask services up`) or
//! `osmem-server` on PATH; without either the test prints `SKIPPED`.

mod elasticsearch {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use kv_core::conformance::{obj, private_port, PrivateServer as Server};
    use kv_core::{ErrorKind, KeyValue};
    use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
    use serde_json::json;

    fn binary() -> Option<String> {
        if let Ok(bin) = std::env::var("KV_TEST_OSMEM_BIN") {
            if !bin.is_empty() {
                return Some(bin);
            }
        }
        let on_path = Command::new("osmem-server")
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        on_path.then(|| "osmem-server".to_owned())
    }

    fn start(bin: &str, port: u16) -> Server {
        let mut command = Command::new(bin);
        let addr = format!("127.0.0.1:{port}");
        command.args(["-addr", &addr, "-no-stdin-watch", "-no-ja"]);
        Server::start(command, port, Duration::from_secs(20)).expect("osmem starts")
    }

    #[tokio::test]
    async fn restart_mid_workload_recovers_without_rebuilding() {
        let Some(bin) = binary() else {
            println!("SKIPPED: neither KV_TEST_OSMEM_BIN nor osmem-server on PATH");
            return;
        };
        let port = private_port();
        let server = start(&bin, port);
        let store = ElasticsearchStore::builder()
            .url(format!("http://127.0.0.1:{port}"))
            .index_prefix("faults")
            .dialect(Dialect::OpenSearch)
            .request_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        for i in 0..20 {
            store
                .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
                .await
                .unwrap();
        }
        drop(server);
        let started = Instant::now();
        for i in 0..20 {
            let err = store.get(Some("c"), &format!("k{i}")).await.unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
            assert!(err.is_retryable(), "{err}");
            assert_eq!(err.collection(), Some("c"), "{err}");
            assert_eq!(err.key(), Some(format!("k{i}").as_str()), "{err}");
        }
        let err = store.get_many(Some("c"), &["k1", "k2"]).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
        let err = store
            .put(Some("c"), "k1", obj(json!({"x": 1})), None)
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "errors took {:?}",
            started.elapsed()
        );
        let _server = start(&bin, port);
        // osmem keeps nothing across restarts, but every call works again on the same store.
        for i in 0..20 {
            assert_eq!(store.get(Some("c"), &format!("k{i}")).await.unwrap(), None);
            store
                .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
                .await
                .unwrap();
        }
        let got = store.get_many(Some("c"), &["k1", "k2"]).await.unwrap();
        assert_eq!(got[1], Some(obj(json!({"i": 2}))));
        assert_eq!(store.keys(Some("c"), None).await.unwrap().len(), 20);
    }

    /// A server that is down at first use fails the collection setup: kv-core reports setup
    /// failures as `Setup` (keeping the cause); once set up, outages are `Connection` (above).
    #[tokio::test]
    async fn unreachable_server_at_first_use_names_the_cause() {
        let port = private_port();
        let store =
            ElasticsearchStore::opensearch(&format!("http://127.0.0.1:{port}"), "nobody").unwrap();
        let err = store.get(Some("c"), "k").await.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Setup | ErrorKind::Connection),
            "{err}"
        );
        assert!(err.to_string().contains("cannot reach the server"), "{err}");
        assert_eq!(err.operation(), Some("get"), "{err}");
        assert_eq!(err.collection(), Some("c"), "{err}");
        assert_eq!(err.key(), Some("k"), "{err}");
    }
}
