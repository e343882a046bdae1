//! The shared conformance suite on two independent DynamoDB-compatible servers: moto_server
//! (`KV_TEST_DYNAMODB_ENDPOINT`, module `dynamodb`) and dynalite (`KV_TEST_DYNALITE_ENDPOINT`,
//! module `dynalite`). Each test process uses one table per server, created by the first store.

mod common;

use std::sync::Arc;
use std::time::Duration;

use kv_core::conformance::SuiteConfig;

/// Emulator-backed DynamoDB gets the 20 s deadline of `spec/conformance.md` §1.
fn config(variable: &'static str) -> SuiteConfig {
    SuiteConfig::new()
        .raw(Arc::new(common::RawDynamo::new(variable)))
        .deadline(Duration::from_secs(20))
}

kv_core::conformance_tests!(
    dynamodb,
    || common::store(common::MOTO),
    config(common::MOTO)
);

kv_core::conformance_tests!(
    dynalite,
    || common::store(common::DYNALITE),
    config(common::DYNALITE)
);
