//! The shared conformance suite on a real memcached (`KV_TEST_MEMCACHED`), twice: plain keys
//! (long names are `InvalidKey`) and the MemcachedV1 key strategy (long names round-trip).
//!
//! `destroy()` is `flush_all`, offered only with `exclusive_server(true)`; these stores share a
//! server with every other test, so they do not claim it (the suite then checks that it is
//! `Unsupported`). The destroy test runs in `tests/exclusive.rs` on a memcached of its own.

mod common;

use std::sync::Arc;

use kv_core::conformance::SuiteConfig;
use kv_core::KeyValue;
use kv_store_memcached::{KeyStrategy, MemcachedStore};

fn raw(keys: KeyStrategy) -> Arc<common::RawMemcached> {
    let addr = std::env::var("KV_TEST_MEMCACHED").unwrap_or_default();
    Arc::new(common::RawMemcached::new(&addr, keys))
}

kv_core::conformance_tests!(
    memcached,
    || async {
        let addr = common::addr()?;
        let store = MemcachedStore::new(&addr).expect("valid KV_TEST_MEMCACHED");
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new()
        .rejects_long_collections()
        .rejects_long_keys()
        .native_expiry_lag()
        .raw(raw(KeyStrategy::Passthrough))
);

kv_core::conformance_tests!(
    memcached_v1,
    || async {
        let addr = common::addr()?;
        let store = MemcachedStore::builder()
            .address(addr)
            .v1_keys(true)
            .build()
            .expect("valid KV_TEST_MEMCACHED");
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new()
        .native_expiry_lag()
        .raw(raw(KeyStrategy::v1()))
);
