//! `exclusive_server(true)`: `destroy()` is `flush_all`, so it runs on a memcached of this
//! test's own (started on a free port, killed by PID), never on the shared server.

mod common;

use std::sync::Arc;

use kv_core::conformance::{capability, ported, SuiteConfig, TestCtx};
use kv_core::{ErrorKind, KeyValue};
use kv_store_memcached::MemcachedStore;

fn memcached_installed() -> bool {
    std::process::Command::new("memcached")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_on_an_exclusive_server() {
    if !memcached_installed() {
        assert!(
            std::env::var("KV_REQUIRE_SERVICES").map_or(true, |v| v != "1"),
            "memcached is not installed and KV_REQUIRE_SERVICES=1"
        );
        println!("SKIPPED: memcached is not installed");
        return;
    }
    let server = common::PrivateServer::start();
    let store: Arc<dyn KeyValue> = Arc::new(
        MemcachedStore::builder()
            .address(server.addr())
            .exclusive_server(true)
            .build()
            .unwrap(),
    );
    assert!(store.capabilities().destroy);
    let ctx = TestCtx::new("test_destroy_store", SuiteConfig::new());
    capability::destroy_store(Arc::clone(&store), ctx)
        .await
        .unwrap();
    let ctx = TestCtx::new("test_store", SuiteConfig::new());
    ported::store_protocol(Arc::clone(&store), ctx)
        .await
        .unwrap();
    store.close().await.unwrap();
}

#[tokio::test]
async fn destroy_is_unsupported_on_a_shared_server() {
    let store = MemcachedStore::new("127.0.0.1:1").unwrap();
    assert!(!store.capabilities().destroy);
    assert!(store.capabilities().put_if_absent);
    let err = store.destroy().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Unsupported);
}
