//! The shared conformance suite on MemoryStore (bounded at 500; and unbounded with compact
//! values), SimpleStore (bounded at 500) and NullStore.

use std::sync::Arc;

use kv_core::conformance::SuiteConfig;
use kv_core::KeyValue;
use kv_store_memory::{MemoryStore, NullStore, SimpleStore};

kv_core::conformance_tests!(
    memory,
    || async {
        let store = MemoryStore::builder()
            .max_entries_per_collection(500)
            .build();
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new().bounded()
);

kv_core::conformance_tests!(
    memory_compact,
    || async { Some(Arc::new(MemoryStore::builder().compact(true).build()) as Arc<dyn KeyValue>) },
    SuiteConfig::new()
);

kv_core::conformance_tests!(
    simple,
    || async { Some(Arc::new(SimpleStore::with_max_entries(500)) as Arc<dyn KeyValue>) },
    // One shared bound for all collections: 1 000 puts evict, as the suite expects.
    SuiteConfig::new().bounded()
);

kv_core::conformance_tests!(
    null,
    || async { Some(Arc::new(NullStore::new()) as Arc<dyn KeyValue>) },
    SuiteConfig::new().keeps_nothing()
);
