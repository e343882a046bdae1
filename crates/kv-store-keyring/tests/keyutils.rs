//! The shared conformance suite on the kernel keyutils keyring (`KV_TEST_KEYUTILS=keyutils`,
//! set by `cargo xtask services up` where `keyctl` works): the process's session keyring, one
//! service name per run so runs never see each other.

mod common;

use std::sync::Arc;

use kv_core::KeyValue;

kv_core::conformance_tests!(
    keyutils,
    || async {
        let platform = common::platform_of("KV_TEST_KEYUTILS")?;
        Some(Arc::new(common::store(platform, common::service())) as Arc<dyn KeyValue>)
    },
    common::suite_config("KV_TEST_KEYUTILS")
);
