//! The shared conformance suite on a real server.
//!
//! - `elasticsearch`: `KV_TEST_ELASTICSEARCH_URL` (or `KV_TEST_OPENSEARCH_URL`) in the dialect
//!   the server accepts: OpenSearch (`value.flat`, `flat_object`) on OpenSearch and on the
//!   osmem stand-in, Elasticsearch (`value.flattened`) on Elasticsearch.
//! - `elasticsearch_flattened`: the Elasticsearch `flattened` dialect, forced, on
//!   `KV_TEST_ELASTICSEARCH_FLATTENED_URL`: needs a real Elasticsearch (docker-compose); prints
//!   `SKIPPED` otherwise, even under `KV_REQUIRE_SERVICES=1`, because no stand-in exists.
//!
//! Corrupted-data cases whose payload no index mapping accepts (not JSON, not an object, a
//! string or number `value`, an unparsable date, a non-finite float) cannot exist in these
//! stores: the server refuses to index them, so they are skipped with that reason.

mod common;

use std::sync::Arc;

use kv_core::conformance::SuiteConfig;
use kv_core::KeyValue;
use kv_store_elasticsearch::{Dialect, ElasticsearchStore};

const REFUSED: &str = "the server refuses to index such a document (the index mapping or JSON parser rejects it), so it cannot exist in the store";

fn config() -> SuiteConfig {
    SuiteConfig::new()
        // osmem needs 7-14 s for one 10 000-document `_bulk` on a loaded 2-core machine.
        .deadline(common::SLOW_SERVER)
        .raw(Arc::new(common::RawDocs::from_env()))
        .skip("corrupted_data__not_json", REFUSED)
        .skip("corrupted_data__array", REFUSED)
        .skip("corrupted_data__value_number", REFUSED)
        .skip("corrupted_data__value_string_array", REFUSED)
        .skip("corrupted_data__created_at_unparsable", REFUSED)
        .skip("corrupted_data__float_out_of_range", REFUSED)
        .skip("corrupted_data__nan", REFUSED)
        .skip("corrupted_data__non_utf8", REFUSED)
        .skip(
            "bad_input__value_16_mib",
            "osmem indexes a 16 MiB string in a flat_object field without bound (killed by the OOM killer at 22 GB RSS); run it against a real Elasticsearch/OpenSearch",
        )
        .skip(
            "foreign_envelopes_accepted",
            "a string `value` is refused by the index mapping; the other foreign forms run in tests/documents.rs",
        )
}

kv_core::conformance_tests!(
    elasticsearch,
    || async {
        let url = common::url()?;
        Some(Arc::new(common::store(&url).await) as Arc<dyn KeyValue>)
    },
    config()
);

kv_core::conformance_tests!(
    elasticsearch_flattened,
    || async {
        let url = common::optional_url(
            "KV_TEST_ELASTICSEARCH_FLATTENED_URL",
            "the `flattened` dialect needs a real Elasticsearch, e.g. from docker-compose",
        )?;
        let store = ElasticsearchStore::builder()
            .url(&url)
            .index_prefix("kv-rs-conformance-flattened")
            .dialect(Dialect::Elasticsearch)
            .v1_sanitization()
            .request_timeout(common::SLOW_SERVER)
            .build()
            .expect("valid configuration");
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new().deadline(common::SLOW_SERVER)
);
