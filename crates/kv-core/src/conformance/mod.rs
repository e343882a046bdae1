//! The shared conformance suite: every store and wrapper, ours or a user's, runs it with one line.
//!
//! ```ignore
//! use std::sync::Arc;
//! use kv_core::{conformance::SuiteConfig, KeyValue};
//!
//! kv_core::conformance_tests!(
//!     memory,
//!     || async { Some(Arc::new(kv_store_memory::MemoryStore::new()) as Arc<dyn KeyValue>) },
//!     SuiteConfig::new()
//! );
//! ```
//!
//! The macro stamps out one `#[tokio::test]` per test case and setup mode
//! (`memory::explicit_setup::test_get_put_get`, `memory::lazy_setup::test_get_put_get`, …).
//! A factory returning `None` skips (a missing server); see [`service_url`].

pub mod added;
pub mod capability;
mod cases;
pub mod data;
pub mod interop;
pub mod ported;
mod private_server;
pub mod robustness;

pub use cases::APPLY_TO_NULL_STORE;
pub use private_server::PrivateServer;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use crate::error::Result;
use crate::key_value::KeyValue;
use crate::Object;

/// Writes bytes into a store's backend behind its back, in the store's layout, so the suite
/// can check how corrupted data is reported.
#[async_trait]
pub trait RawAccess: Send + Sync {
    /// Stores `bytes` where the store would keep the envelope of `(collection, key)`.
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()>;

    /// Whether the backend still holds anything for `(collection, key)` (expired or not).
    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool>;
}

/// What the suite may expect of a store configuration.
#[derive(Clone)]
pub struct SuiteConfig {
    /// The store is bounded (≤ 500 entries per collection): run `test_not_unbounded`.
    pub bounded: bool,
    /// The store keeps nothing (NullStore): only tests that expect misses run.
    pub keeps_nothing: bool,
    /// Names of tests to skip, with the reason printed.
    pub skip: Vec<(&'static str, &'static str)>,
    /// Very long collection names (1 500 chars) are rejected with `InvalidKey` instead of stored.
    pub rejects_long_collections: bool,
    /// Very long keys (800 chars) are rejected with `InvalidKey` instead of stored.
    pub rejects_long_keys: bool,
    /// Collections with special characters are rejected with `InvalidKey` instead of stored.
    pub rejects_special_collections: bool,
    /// Raw access for corrupted-data tests.
    pub raw: Option<Arc<dyn RawAccess>>,
    /// Deadline of one test.
    pub deadline: Duration,
    /// The store's native expiry may lag `expires_at` (Redis, Memcached): deletes right after expiry may report `true`.
    pub native_expiry_lag: bool,
}

impl Default for SuiteConfig {
    fn default() -> Self {
        SuiteConfig {
            bounded: false,
            keeps_nothing: false,
            skip: Vec::new(),
            rejects_long_collections: false,
            rejects_long_keys: false,
            rejects_special_collections: false,
            raw: None,
            deadline: Duration::from_secs(60),
            native_expiry_lag: false,
        }
    }
}

impl SuiteConfig {
    /// The defaults: unbounded, stores everything, 10 s deadline.
    pub fn new() -> Self {
        Self::default()
    }
    /// Marks the configuration bounded (runs `test_not_unbounded`).
    pub fn bounded(mut self) -> Self {
        self.bounded = true;
        self
    }
    /// Marks a store that keeps nothing.
    pub fn keeps_nothing(mut self) -> Self {
        self.keeps_nothing = true;
        self
    }
    /// Skips a test by name (without the `test_` prefix or with it) and says why.
    pub fn skip(mut self, test: &'static str, reason: &'static str) -> Self {
        self.skip.push((test, reason));
        self
    }
    /// Sets the raw accessor.
    pub fn raw(mut self, raw: Arc<dyn RawAccess>) -> Self {
        self.raw = Some(raw);
        self
    }
    /// Sets the per-test deadline.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
    /// Expects `InvalidKey` for the long-collection test.
    pub fn rejects_long_collections(mut self) -> Self {
        self.rejects_long_collections = true;
        self
    }
    /// Expects `InvalidKey` for the long-key test.
    pub fn rejects_long_keys(mut self) -> Self {
        self.rejects_long_keys = true;
        self
    }
    /// Expects `InvalidKey` for the special-character collection test.
    pub fn rejects_special_collections(mut self) -> Self {
        self.rejects_special_collections = true;
        self
    }
    /// Declares a native expiry that may lag `expires_at` by under a second.
    pub fn native_expiry_lag(mut self) -> Self {
        self.native_expiry_lag = true;
        self
    }
}

/// Per-test context: a unique token for collection names and the configuration.
#[derive(Clone)]
pub struct TestCtx {
    /// 8 hex characters unique to this test run.
    pub token: String,
    /// The suite configuration.
    pub config: SuiteConfig,
    /// The running test's name.
    pub test_name: &'static str,
}

impl TestCtx {
    /// A context with a fresh token.
    pub fn new(test_name: &'static str, config: SuiteConfig) -> Self {
        TestCtx {
            token: unique_token(),
            config,
            test_name,
        }
    }

    /// `"{name}-{token}"`: a collection no other test uses.
    pub fn collection(&self, name: &str) -> String {
        format!("{name}-{}", self.token)
    }

    /// Prints a skip line and returns `true` when this test must be skipped for `reason`.
    pub fn skip_if(&self, condition: bool, reason: &str) -> bool {
        if condition {
            println!("SKIPPED {}: {reason}", self.test_name);
        }
        condition
    }
}

/// 8 lower-case hex characters, unique within and across processes in practice.
pub fn unique_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!(
        "{nanos}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    crate::sanitize::sha256_hex(&seed)[..8].to_owned()
}

/// The value of a server variable (`KV_TEST_REDIS_URL`, …) for a network store's tests.
///
/// `None` (after printing why) when it is unset; with `KV_REQUIRE_SERVICES=1` a missing
/// variable panics, so CI cannot pass by skipping.
pub fn service_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            if std::env::var("KV_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
                panic!("{variable} is not set and KV_REQUIRE_SERVICES=1: the server for this backend is required");
            }
            println!(
                "SKIPPED: {variable} is not set (start the servers with `cargo xtask services up`)"
            );
            None
        }
    }
}

/// A loopback port for a server a test starts (and may restart on the same port) itself.
///
/// Ports from the OS (`bind(":0")`) come from the ephemeral range, where the client's own
/// outgoing connections also take their local ports: a restart on such a port can find it
/// taken. These come from below that range (20000..32000), spread by process id and start time so
/// parallel test processes rarely pick the same one, and are checked free before they are returned.
pub fn private_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    const BASE: u16 = 20_000;
    const SPAN: u16 = 12_000;
    // Spread by process id and start time: neighbouring pids alone would give neighbouring
    // starts, and this process's later ports (steps of 7) would be a neighbour's first ones.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mixed = std::process::id()
        .wrapping_mul(2_654_435_761)
        .wrapping_add(nanos);
    let start = (mixed % u32::from(SPAN)) as u16;
    for _ in 0..SPAN {
        let offset = (start + NEXT.fetch_add(7, Ordering::Relaxed)) % SPAN;
        let port = BASE + offset;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {BASE}..{}", BASE + SPAN)
}

/// The fixtures written by py-key-value (`shared/fixtures`): `$KV_FIXTURES_DIR`, else the
/// `shared/fixtures` found beside one of the ancestors of the package directory that cargo
/// gives at run time (`CARGO_MANIFEST_DIR`), else of `start` (pass `env!("CARGO_MANIFEST_DIR")`).
///
/// The run-time directory comes first because cargo reuses a test binary built in another
/// clone that shares the target directory, and the path compiled into it names that clone.
pub fn fixtures_dir(start: &std::path::Path) -> std::path::PathBuf {
    if let Ok(dir) = std::env::var("KV_FIXTURES_DIR") {
        return dir.into();
    }
    let run_time = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    run_time
        .iter()
        .flat_map(|dir| dir.ancestors())
        .chain(start.ancestors())
        .map(|a| a.join("shared").join("fixtures"))
        .find(|candidate| candidate.join("MANIFEST.md").exists())
        .unwrap_or_else(|| {
            panic!(
                "shared/fixtures not found beside {}; set KV_FIXTURES_DIR",
                start.display()
            )
        })
}

/// A boxed test body.
pub type CaseFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// Runs one case against a fresh store: optional explicit setup, the body under the deadline,
/// then `close()`. Panics (fails the test) on any error.
pub async fn run_case<F, Fut, C>(
    name: &'static str,
    explicit_setup: bool,
    factory: F,
    config: SuiteConfig,
    case: C,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<Arc<dyn KeyValue>>>,
    C: FnOnce(Arc<dyn KeyValue>, TestCtx) -> CaseFuture,
{
    let short = name.trim_start_matches("test_");
    if let Some((_, reason)) = config
        .skip
        .iter()
        .find(|(t, _)| *t == name || *t == short || name.starts_with(&format!("{}__", t)))
    {
        println!("SKIPPED {name}: {reason}");
        return;
    }
    if config.keeps_nothing && !APPLY_TO_NULL_STORE.contains(&name) {
        println!("SKIPPED {name}: the store keeps nothing");
        return;
    }
    let Some(store) = factory().await else {
        return;
    };
    if explicit_setup {
        store
            .setup()
            .await
            .unwrap_or_else(|e| panic!("{name}: setup failed: {e}"));
    }
    let deadline = config.deadline;
    let ctx = TestCtx::new(name, config);
    match tokio::time::timeout(deadline, case(Arc::clone(&store), ctx)).await {
        Err(_) => panic!("{name}: did not finish within {deadline:?}"),
        Ok(Err(e)) => panic!("{name}: {e}"),
        Ok(Ok(())) => {}
    }
    store
        .close()
        .await
        .unwrap_or_else(|e| panic!("{name}: close failed: {e}"));
}

/// A JSON object literal, for tests: `obj(json!({"a": 1}))`.
pub fn obj(value: serde_json::Value) -> Object {
    match value {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Stamps out the whole suite for a store factory: `conformance_tests!(module, factory, config)`.
///
/// `factory` is an expression evaluating to `Fn() -> impl Future<Output = Option<Arc<dyn KeyValue>>>`;
/// it is called once per test. `config` is a [`SuiteConfig`] expression.
#[macro_export]
macro_rules! conformance_tests {
    ($module:ident, $factory:expr, $config:expr) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $crate::__conformance_mode!(explicit_setup, true, $factory, $config);
            $crate::__conformance_mode!(lazy_setup, false, $factory, $config);
        }
    };
    ($module:ident, $factory:expr) => {
        $crate::conformance_tests!($module, $factory, $crate::conformance::SuiteConfig::new());
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    ($explicit:expr, $factory:expr, $config:expr; $($name:ident => $module:ident :: $case:ident $(($arg:expr))?),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::conformance::run_case(
                    stringify!($name),
                    $explicit,
                    $factory,
                    $config,
                    |store, ctx| ::std::boxed::Box::pin(async move {
                        $crate::conformance::$module::$case(store, ctx $(, $arg)?).await
                    }),
                )
                .await;
            }
        )*
    };
}
