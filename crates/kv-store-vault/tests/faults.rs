//! Faults on a private OpenBao/Vault dev server this test starts (and stops by its own PID):
//! the server stopped in the middle of a workload, then restarted on the same port; and a
//! server that accepts connections but never answers.
//!
//! The binary comes from `KV_TEST_VAULT_BIN` (set by `cargo xtask services up vault`), else
//! `bao` or `vault` on PATH; without one the tests print `SKIPPED`.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kv_core::conformance::obj;
use kv_core::{ErrorKind, KeyValue};
use kv_store_vault::VaultStore;
use serde_json::json;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

fn binary() -> Option<PathBuf> {
    let found = std::env::var_os("KV_TEST_VAULT_BIN")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| on_path("bao"))
        .or_else(|| on_path("vault"));
    if found.is_none() {
        println!("SKIPPED: no OpenBao/Vault binary (KV_TEST_VAULT_BIN, `bao` or `vault` on PATH)");
    }
    found
}

/// A port whose successor (the dev server's cluster port) is free too.
fn free_port_pair() -> u16 {
    for _ in 0..50 {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no two consecutive free ports");
}

fn start(binary: &PathBuf, port: u16) -> Server {
    let child = Command::new(binary)
        .args([
            "server",
            "-dev",
            "-dev-root-token-id=root",
            &format!("-dev-listen-address=127.0.0.1:{port}"),
            "-dev-no-store-token",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the dev server");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    // Ready when the KV v2 mount answers (the dev server mounts it after listening).
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let request = "GET /v1/secret/config HTTP/1.0\r\nX-Vault-Token: root\r\n\r\n";
            let mut reply = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut reply).is_ok()
                && reply.starts_with("HTTP/1.0 200")
            {
                return server;
            }
        }
        assert!(
            Instant::now() < deadline,
            "private dev server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn server_stopped_mid_workload_then_restarted() {
    let Some(binary) = binary() else {
        return;
    };
    let port = free_port_pair();
    let server = start(&binary, port);
    let store = VaultStore::builder()
        .address(format!("http://127.0.0.1:{port}"))
        .token("root")
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    for i in 0..10 {
        store
            .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
            .await
            .unwrap();
    }
    drop(server);
    let started = Instant::now();
    for i in 0..10 {
        let err = store.get(Some("c"), &format!("k{i}")).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
        assert!(err.is_retryable(), "{err}");
        assert_eq!(err.operation(), Some("get"));
        assert_eq!(err.collection(), Some("c"));
        assert_eq!(err.key(), Some(format!("k{i}").as_str()));
    }
    let err = store
        .put(Some("c"), "k", obj(json!({"i": 0})), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "errors took {:?}",
        started.elapsed()
    );

    let _server = start(&binary, port);
    // The dev server keeps nothing across restarts, but the same store works again.
    for i in 0..10 {
        assert_eq!(store.get(Some("c"), &format!("k{i}")).await.unwrap(), None);
        store
            .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
            .await
            .unwrap();
    }
    let got = store
        .get_many(Some("c"), &["k1", "k2", "nope"])
        .await
        .unwrap();
    assert_eq!(got[0], Some(obj(json!({"i": 1}))));
    assert_eq!(got[1], Some(obj(json!({"i": 2}))));
    assert_eq!(got[2], None);
}

#[tokio::test]
async fn silent_server_is_a_timeout() {
    // Accepts connections (the kernel backlog) but never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let store = VaultStore::builder()
        .address(format!("http://127.0.0.1:{port}"))
        .token("root")
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = store.get(Some("c"), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(listener);
}
