//! The shared conformance suite on a real Vault-API server (`KV_TEST_VAULT_ADDR`,
//! `KV_TEST_VAULT_TOKEN`; OpenBao dev mode with KV v2 at `secret/`).

mod common;

use std::sync::Arc;

use kv_core::conformance::SuiteConfig;
use kv_core::KeyValue;

kv_core::conformance_tests!(
    vault,
    || async {
        let address = common::address()?;
        Some(Arc::new(common::store(&address)) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new()
        .raw(Arc::new(common::RawVault::from_env()))
        .skip(
            "corrupted_data__non_utf8",
            "Vault stores secrets as JSON strings: non-UTF-8 bytes cannot be written to it"
        )
);
