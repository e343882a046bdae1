//! The shared conformance suite on a real Redis server (`KV_TEST_REDIS_URL`).
//!
//! `destroy()` removes every library-layout key of a database, so the suite's destroy test
//! would race with the other tests sharing the database: it runs in `tests/destroy.rs` on a
//! database of its own instead.

mod common;

use std::sync::Arc;

use kv_core::conformance::SuiteConfig;
use kv_core::KeyValue;
use kv_store_redis::RedisStore;

kv_core::conformance_tests!(
    redis,
    || async {
        let url = common::url()?;
        let store = RedisStore::from_url(&url).expect("valid KV_TEST_REDIS_URL");
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new()
        .raw(Arc::new(common::RawRedis::from_env()))
        .native_expiry_lag()
        .skip(
            "destroy_store",
            "destroy() clears every library key of the database; tests/destroy.rs runs it on a database of its own"
        )
);
