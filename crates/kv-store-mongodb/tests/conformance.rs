//! The shared conformance suite on a MongoDB server (`KV_TEST_MONGODB_URL`), in a database of
//! its own per run: once with unsanitized collection names (names MongoDB refuses are
//! `InvalidKey`), once with the MongoDB V1 collection strategy (every name round-trips).

mod common;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kv_core::conformance::SuiteConfig;
use kv_core::KeyValue;
use kv_store_mongodb::MongoDBStore;

/// The database of this test run.
fn db() -> &'static str {
    static DB: OnceLock<String> = OnceLock::new();
    DB.get_or_init(common::run_db)
}

fn config() -> SuiteConfig {
    SuiteConfig::new()
        .raw(Arc::new(common::RawMongo::from_env(db())))
        .deadline(Duration::from_secs(20))
        .skip(
            "corrupted_data__integer_out_of_range",
            "JSON reads 2^70 as a double and a BSON double is a valid value; BSON types JSON \
             lacks inside value.object are checked in tests/layout.rs",
        )
        .skip(
            "foreign_envelopes_accepted",
            "MongoDB documents hold the value as a BSON document (value.object), never as a \
             JSON string; py-style documents with millisecond and future/past dates are \
             checked in tests/layout.rs",
        )
}

fn store(v1: bool) -> Option<Arc<dyn KeyValue>> {
    let url = common::url()?;
    let mut builder = MongoDBStore::builder().url(url).db_name(db());
    if v1 {
        builder = builder.v1_collection_names();
    }
    Some(Arc::new(builder.build().expect("valid KV_TEST_MONGODB_URL")) as Arc<dyn KeyValue>)
}

kv_core::conformance_tests!(
    mongodb,
    || async { store(false) },
    config()
        .rejects_long_collections()
        .rejects_special_collections()
);

/// The same suite through `MongoDBV1Collection` names (`v1::mongodb::…`).
mod v1 {
    use super::*;

    kv_core::conformance_tests!(mongodb, || async { store(true) }, config());
}
