//! memcached restarted in the middle of a workload (a private server on a free port, killed by
//! PID): calls during the outage fail fast with retryable `Connection`/`Timeout` errors, and the
//! same store object serves again after the restart without being rebuilt.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kv_core::conformance::obj;
use kv_core::{ErrorKind, KeyValue};
use kv_store_memcached::MemcachedStore;
use serde_json::json;

fn memcached_installed() -> bool {
    std::process::Command::new("memcached")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// One round of every operation kind; returns the first error.
async fn workload(store: &MemcachedStore, i: usize) -> kv_core::Result<()> {
    let key = format!("k{}", i % 20);
    store
        .put(Some("w"), &key, obj(json!({"i": i})), None)
        .await?;
    store.get(Some("w"), &key).await?;
    store
        .put_many(
            Some("w"),
            vec![
                ("a".into(), obj(json!({"i": i}))),
                ("b".into(), obj(json!({}))),
            ],
            None,
        )
        .await?;
    store.get_many(Some("w"), &["a", "b", "missing"]).await?;
    store.delete(Some("w"), "b").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_recovers_after_a_restart() {
    if !memcached_installed() {
        assert!(
            std::env::var("KV_REQUIRE_SERVICES").map_or(true, |v| v != "1"),
            "memcached is not installed and KV_REQUIRE_SERVICES=1"
        );
        println!("SKIPPED: memcached is not installed");
        return;
    }
    let mut server = common::PrivateServer::start();
    let store = Arc::new(
        MemcachedStore::builder()
            .address(server.addr())
            .pool_size(4)
            .connect_timeout(Duration::from_secs(1))
            .command_timeout(Duration::from_secs(2))
            .build()
            .unwrap(),
    );
    // Warm the pool with several connections, in parallel.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { workload(&store, i).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }

    server.stop();
    let mut outage_errors = 0;
    for i in 0..10 {
        let started = Instant::now();
        let Err(err) = workload(&store, i).await else {
            let listening = std::net::TcpStream::connect(server.addr()).is_ok();
            panic!("outage call {i} succeeded (something listens on the port: {listening})");
        };
        // Bounded by the connect and command timeouts, with room for a loaded machine.
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "an outage call took {:?}",
            started.elapsed()
        );
        assert!(err.is_retryable(), "not retryable: {err}");
        assert!(
            matches!(err.kind(), ErrorKind::Connection | ErrorKind::Timeout),
            "{err}"
        );
        outage_errors += 1;
    }
    assert_eq!(outage_errors, 10);

    server.spawn();
    // The same store serves again: the first call after the restart already succeeds, since
    // connections opened before the outage were retired when it was seen.
    for i in 0..20 {
        workload(&store, i)
            .await
            .unwrap_or_else(|e| panic!("call {i} after the restart failed: {e}"));
    }
    assert_eq!(
        store.get(Some("w"), "a").await.unwrap(),
        Some(obj(json!({"i": 19})))
    );
    store.close().await.unwrap();
}

/// A command that misses its deadline is `Timeout`; the connection it ran on is discarded and
/// the next call works (memcached paused with SIGSTOP, then resumed with SIGCONT).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timed_out_connection_is_not_reused() {
    if !memcached_installed() {
        println!("SKIPPED: memcached is not installed");
        return;
    }
    let server = common::PrivateServer::start();
    let store = MemcachedStore::builder()
        .address(server.addr())
        .pool_size(1)
        .command_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    store
        .put(Some("t"), "k", obj(json!({"v": 1})), None)
        .await
        .unwrap();
    server.signal("-STOP");
    wait_until_stopped(&server.pid().to_string());
    let err = store.get(Some("t"), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
    assert!(err.is_retryable());
    server.signal("-CONT");
    // With a pool of one, reusing the cancelled connection would read the stale reply or fail
    // to parse it. A call may still miss the short deadline on a loaded machine: that is a
    // `Timeout` and is tried again; any other error or a wrong value fails the test.
    for i in 0..5 {
        let put = patiently(|| store.put(Some("t"), "k", obj(json!({"v": i})), None)).await;
        put.unwrap_or_else(|e| panic!("put {i} after the pause: {e}"));
        let got = patiently(|| store.get(Some("t"), "k")).await;
        assert_eq!(
            got.unwrap_or_else(|e| panic!("get {i} after the pause: {e}")),
            Some(obj(json!({"v": i})))
        );
    }
}

/// Runs `call` until it returns anything but a `Timeout` error, at most 20 times.
async fn patiently<T, F, Fut>(mut call: F) -> kv_core::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = kv_core::Result<T>>,
{
    let mut tries = 1;
    loop {
        match call().await {
            Err(e) if e.kind() == &ErrorKind::Timeout && tries < 20 => tries += 1,
            other => return other,
        }
    }
}

/// Waits (bounded) until the kernel reports every thread of the process stopped: `kill -STOP`
/// returns before a busy machine has scheduled the target's threads to act on the signal.
fn wait_until_stopped(pid: &str) {
    let stopped = |stat: String| {
        // The state is the first field after the parenthesised command name.
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        matches!(state, Some('T' | 't'))
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return; // no procfs here: nothing to wait on
        };
        let all = tasks
            .filter_map(|t| t.ok())
            .all(|t| stopped(std::fs::read_to_string(t.path().join("stat")).unwrap_or_default()));
        if all {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "memcached {pid} did not stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
