//! Overhead of each wrapper over a bare MemoryStore: `get` (hit) and `put` of a small value,
//! ns per operation. Compare every `<wrapper>/get` with `bare/get`.

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use kv_core::{KeyValue, Object};
use kv_store_memory::MemoryStore;
use kv_wrappers::*;
use serde_json::json;

fn value() -> Object {
    json!({"name": "user-0000001", "email": "user-0000001@example.com", "age": 42, "tags": ["a", "b"], "active": true})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn seeded() -> Arc<MemoryStore> {
    let store = Arc::new(MemoryStore::new());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(store.put(Some("bench"), "hit", value(), None))
        .expect("seed");
    store
}

fn stores() -> Vec<(&'static str, Arc<dyn KeyValue>)> {
    let m = MemoryStore::new;
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, Arc<dyn KeyValue>)> = vec![
        ("bare", Arc::new(m())),
        (
            "timeout",
            Arc::new(Timeout::new(m(), Duration::from_secs(5))),
        ),
        ("prefix_keys", Arc::new(PrefixKeys::new(m(), "p"))),
        (
            "prefix_collections",
            Arc::new(PrefixCollections::new(m(), "p")),
        ),
        (
            "single_collection",
            Arc::new(SingleCollection::new(m(), "all")),
        ),
        // Silent mode over a pre-seeded store: `get` hits, `put` is a no-op.
        (
            "read_only",
            Arc::new(ReadOnly::new(seeded()).raise_on_write(false)),
        ),
        ("statistics", Arc::new(Statistics::new(m()))),
        ("retry", Arc::new(Retry::new(m(), RetryPolicy::default()))),
        (
            "concurrency_limit",
            Arc::new(ConcurrencyLimit::new(m(), 64)),
        ),
        ("tracing_no_subscriber", Arc::new(Tracing::new(m()))),
        ("logging_no_subscriber", Arc::new(Logging::new(m()))),
        (
            "limit_size",
            Arc::new(LimitSize::new(m()).max_size(Some(1 << 20))),
        ),
        (
            "ttl_clamp",
            Arc::new(TtlClamp::new(m(), Duration::ZERO, Duration::from_secs(3600)).expect("clamp")),
        ),
        (
            "passthrough_cache",
            Arc::new(PassthroughCache::new(m(), m())),
        ),
        (
            "compression_min0",
            Arc::new(Compression::new(m()).min_size_to_compress(0)),
        ),
        ("compression_default", Arc::new(Compression::new(m()))),
        (
            "encryption",
            Arc::new(
                Encryption::fernet(m(), vec![FernetKey::generate().expect("key")]).expect("fernet"),
            ),
        ),
        (
            "production_stack",
            Arc::new(Statistics::new(Retry::new(
                Timeout::new(
                    Compression::new(
                        Encryption::fernet(m(), vec![FernetKey::generate().expect("key")])
                            .expect("fernet"),
                    ),
                    Duration::from_secs(5),
                ),
                RetryPolicy::default(),
            ))),
        ),
    ];
    #[cfg(feature = "metrics")]
    v.push(("metrics_no_recorder", Arc::new(Metrics::new(m()))));
    v
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("wrappers");
    for (name, store) in stores() {
        rt.block_on(store.put(Some("bench"), "hit", value(), None))
            .expect("seed");
        let s = Arc::clone(&store);
        group.bench_function(format!("{name}/get"), |b| {
            b.to_async(&rt).iter(|| {
                let s = Arc::clone(&s);
                async move { s.get(Some("bench"), "hit").await.expect("get") }
            })
        });
        let s = Arc::clone(&store);
        group.bench_function(format!("{name}/put"), |b| {
            b.to_async(&rt).iter(|| {
                let s = Arc::clone(&s);
                async move { s.put(Some("bench"), "w", value(), None).await.expect("put") }
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
