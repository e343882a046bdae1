//! The shared conformance suite on a real valkey-server (`KV_TEST_VALKEY_URL`) and on a
//! 3-master Valkey cluster (`KV_TEST_VALKEY_CLUSTER_URL`).
//!
//! `destroy()` removes every library-layout key of a database, so the suite's destroy test
//! would race with the other tests sharing the server: `tests/destroy.rs` runs it alone.

mod common;

use std::sync::Arc;

use kv_core::conformance::SuiteConfig;
use kv_core::KeyValue;
use kv_store_valkey::ValkeyStore;

const DESTROY_REASON: &str =
    "destroy() clears every library key of the database; tests/destroy.rs runs it alone";

kv_core::conformance_tests!(
    valkey,
    || async {
        let url = common::standalone()?;
        let store = ValkeyStore::from_url(&url).expect("valid KV_TEST_VALKEY_URL");
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new()
        .raw(Arc::new(common::RawValkey {
            variable: "KV_TEST_VALKEY_URL"
        }))
        .native_expiry_lag()
        .skip("destroy_store", DESTROY_REASON)
);

kv_core::conformance_tests!(
    valkey_cluster,
    || async {
        let url = common::cluster()?;
        let store = ValkeyStore::from_url(&url).expect("valid KV_TEST_VALKEY_CLUSTER_URL");
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new()
        .raw(Arc::new(common::RawValkey {
            variable: "KV_TEST_VALKEY_CLUSTER_URL"
        }))
        .native_expiry_lag()
        .skip("destroy_store", DESTROY_REASON)
);
