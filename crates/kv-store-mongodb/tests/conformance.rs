//! The shared conformance suite on a MongoDB server (`KV_TEST_MONGODB_URL`), in a database of
//! its own per run.
//!
//! - `mongodb::…`: on a server that takes any collection name (real mongod), the store with
//!   unsanitized names, where names MongoDB refuses must be `InvalidKey`. nx-27017 accepts
//!   only `[A-Za-z_][A-Za-z0-9_]*` and the suite's collections are `name-<token>`, so there the
//!   suite runs through a test-only injective identifier strategy (`common::IdentifierNames`)
//!   and every name round-trips; the `InvalidKey` checks are in `tests/layout.rs`.
//! - `mongodb_v1::…`: the MongoDB V1 collection strategy; its names contain `-`, so it runs
//!   only where the server takes them (skipped with a message on nx-27017).

mod common;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kv_core::conformance::SuiteConfig;
use kv_core::sanitize::SanitizationStrategy;
use kv_core::KeyValue;
use kv_store_mongodb::MongoDBStore;

/// The database of this test run.
fn db() -> &'static str {
    static DB: OnceLock<String> = OnceLock::new();
    DB.get_or_init(common::run_db)
}

/// Whether the server takes any collection name (probed once; `false` without a server).
fn any_names() -> bool {
    static ANSWER: OnceLock<bool> = OnceLock::new();
    *ANSWER.get_or_init(|| {
        let Ok(url) = std::env::var("KV_TEST_MONGODB_URL") else {
            return false;
        };
        // The suite's tests run on their own runtimes: probe on a private one.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("probe runtime");
        let handle = std::thread::spawn(move || {
            runtime.block_on(common::accepts_any_collection_name(&url, db()))
        });
        handle.join().unwrap_or(false)
    })
}

fn base_config(names: Option<Arc<dyn SanitizationStrategy>>) -> SuiteConfig {
    SuiteConfig::new()
        .raw(Arc::new(common::RawMongo::from_env(db(), names)))
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

fn plain_config() -> SuiteConfig {
    if any_names() {
        base_config(None)
            .rejects_long_collections()
            .rejects_special_collections()
    } else {
        stand_in(base_config(Some(Arc::new(common::IdentifierNames))))
    }
}

/// What nx-27017 (Python on SQLite) cannot do; real mongod runs these.
fn stand_in(config: SuiteConfig) -> SuiteConfig {
    config
        .skip(
            "bad_input__key_with_nul",
            "nx-27017 stores a key containing NUL but never finds it again (real mongod does)",
        )
        .skip(
            "corrupted_data__expires_at_number",
            "nx-27017 removes a document whose expires_at is a number (or a boolean, or a \
             numeric string) as soon as it is written, so there is nothing left to read; real \
             mongod keeps it and the read must fail with Deserialization",
        )
        .skip(
            "bad_input__batch_of_10000",
            "nx-27017 takes longer than the 20 s deadline for 10 000 upserts and blocks every \
             other client meanwhile (one event loop on SQLite); real mongod runs it",
        )
}

fn plain_store() -> Option<Arc<dyn KeyValue>> {
    let url = common::url()?;
    let mut builder = MongoDBStore::builder().url(url).db_name(db());
    if !any_names() {
        builder = builder.collection_strategy(common::IdentifierNames);
    }
    Some(Arc::new(builder.build().expect("valid KV_TEST_MONGODB_URL")) as Arc<dyn KeyValue>)
}

fn v1_store() -> Option<Arc<dyn KeyValue>> {
    let url = common::url()?;
    if !any_names() {
        println!("SKIPPED: the server refuses the '-' of V1 collection names (nx-27017)");
        return None;
    }
    let store = MongoDBStore::builder()
        .url(url)
        .db_name(db())
        .v1_collection_names()
        .build()
        .expect("valid KV_TEST_MONGODB_URL");
    Some(Arc::new(store) as Arc<dyn KeyValue>)
}

kv_core::conformance_tests!(mongodb, || async { plain_store() }, plain_config());

// The same suite through `MongoDBV1Collection` names (`mongodb_v1::…`, its own row in
// `cargo xtask test`).
kv_core::conformance_tests!(
    mongodb_v1,
    || async { v1_store() },
    base_config(Some(Arc::new(kv_store_mongodb::mongodb_v1_collection())))
);
