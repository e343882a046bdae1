//! RocksDBStore put/get/put_many/get_many on the workload of bench/WORKLOAD.md (collection
//! "bench", keys `user-0000042`, the 5-field value built inside the timed loop, batches of 100)
//! on a fresh temporary directory with py-key-value's settings (WAL on, no fsync per write),
//! next to the raw `rust-rocksdb` calls on the same bytes (`raw_*`) to show the library's
//! overhead. Runtime: tokio multi-thread (the default a user gets).

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kv_core::{KeyValue, Object};
use kv_store_rocksdb::rust_rocksdb::WriteBatch;
use kv_store_rocksdb::RocksDBStore;
use serde_json::json;

const N: u64 = 20_000;

fn key(i: u64) -> String {
    format!("user-{i:07}")
}

fn value(i: u64) -> Object {
    let k = key(i);
    let v = json!({"name": k, "email": format!("{k}@example.com"), "age": 20 + i % 60, "tags": ["a", "b"], "active": true});
    v.as_object().cloned().unwrap_or_default()
}

/// The bytes the store writes for `key(i)` (229-byte envelope after the tag).
fn raw_pair(i: u64) -> (Vec<u8>, Vec<u8>) {
    let k = key(i);
    let v = format!(
        r#"{{"collection": "bench", "created_at": "2025-01-01T00:00:00.000001+00:00", "key": "{k}", "value": {{"active": true, "age": {}, "email": "{k}@example.com", "name": "{k}", "tags": ["a", "b"]}}, "version": 1}}"#,
        20 + i % 60
    );
    let mut value = vec![0x01];
    value.extend_from_slice(v.as_bytes());
    (kv_store_rocksdb::layout::key_bytes("bench", &k), value)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(RocksDBStore::new(tmp.path().join("store")));
    rt.block_on(async {
        store.setup().await.expect("setup");
        for i in 0..N {
            store
                .put(Some("bench"), &key(i), value(i), None)
                .await
                .expect("put");
        }
    });
    let raw_tmp = tempfile::tempdir().expect("temp dir");
    let raw = kv_store_rocksdb::open_rocksdict_db(raw_tmp.path()).expect("raw db");
    for i in 0..N {
        let (k, v) = raw_pair(i);
        raw.put(k, v).expect("raw put");
    }

    let mut group = c.benchmark_group("rocksdb");
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
    group.bench_function("raw_put", |b| {
        b.iter(|| {
            i = (i + 1) % N;
            let (k, v) = raw_pair(i);
            raw.put(k, v).expect("raw put")
        })
    });
    group.bench_function("raw_get", |b| {
        b.iter(|| {
            i = (i + 1) % N;
            let k = kv_store_rocksdb::layout::key_bytes("bench", &key(i));
            assert!(raw.get_pinned(k).expect("raw get").is_some());
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
    group.bench_function("raw_put_many_100", |b| {
        b.iter(|| {
            i = (i + 100) % (N - 100);
            let mut batch = WriteBatch::default();
            for j in i..i + 100 {
                let (k, v) = raw_pair(j);
                batch.put(k, v);
            }
            raw.write(&batch).expect("raw write")
        })
    });
    group.bench_function("raw_get_many_100", |b| {
        b.iter(|| {
            i = (i + 100) % (N - 100);
            let keys: Vec<Vec<u8>> = (i..i + 100)
                .map(|j| kv_store_rocksdb::layout::key_bytes("bench", &key(j)))
                .collect();
            let got = raw.batched_multi_get_pinned(&keys, false);
            assert!(got.iter().all(|r| matches!(r, Ok(Some(_)))));
        })
    });
    group.finish();
    drop(raw);
    rt.block_on(store.close()).expect("close");
}

criterion_group!(benches, bench);
criterion_main!(benches);
