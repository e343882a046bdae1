//! DiskStore put/get/put_many/get_many on the workload of bench/WORKLOAD.md (collection "bench",
//! keys `user-0000042`, the 5-field value built inside the timed loop, batches of 100), on a fresh
//! temporary directory with py-key-value's settings (WAL, synchronous NORMAL, no eviction).
//! Runtime: tokio multi-thread (the default a user gets).

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kv_core::{KeyValue, Object};
use kv_store_disk::DiskStore;
use serde_json::json;

const N: u64 = 5_000;

fn key(i: u64) -> String {
    format!("user-{i:07}")
}

fn value(i: u64) -> Object {
    let k = key(i);
    let v = json!({"name": k, "email": format!("{k}@example.com"), "age": 20 + i % 60, "tags": ["a", "b"], "active": true});
    v.as_object().cloned().unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(DiskStore::new(tmp.path()));
    rt.block_on(async {
        store.setup().await.expect("setup");
        for i in 0..N {
            store
                .put(Some("bench"), &key(i), value(i), None)
                .await
                .expect("put");
        }
    });
    let mut group = c.benchmark_group("disk");
    group.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    group.bench_function("put", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % N;
            let store = Arc::clone(&store);
            async move {
                store
                    .put(Some("bench"), &key(i), value(i), None)
                    .await
                    .expect("put")
            }
        })
    });
    group.bench_function("get", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % N;
            let store = Arc::clone(&store);
            async move {
                let got = store.get(Some("bench"), &key(i)).await.expect("get");
                assert!(got.is_some());
            }
        })
    });
    group.throughput(Throughput::Elements(100));
    group.bench_function("put_many_100", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 100) % (N - 100);
            let store = Arc::clone(&store);
            let start = i;
            async move {
                let entries = (start..start + 100).map(|j| (key(j), value(j))).collect();
                store
                    .put_many(Some("bench"), entries, None)
                    .await
                    .expect("put_many")
            }
        })
    });
    group.bench_function("get_many_100", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 100) % (N - 100);
            let store = Arc::clone(&store);
            let start = i;
            async move {
                let keys: Vec<String> = (start..start + 100).map(key).collect();
                let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
                let got = store
                    .get_many(Some("bench"), &refs)
                    .await
                    .expect("get_many");
                assert!(got.iter().all(Option::is_some));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
