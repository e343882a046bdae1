//! kv's RedisStore next to the raw bb8-redis pool doing the same commands with the same bytes,
//! on the live server of `KV_TEST_REDIS_URL` (or `KV_BENCH_REDIS_URL`); skipped without one.
//!
//! Workload (shared/bench/WORKLOAD.md): collection `bench`, keys `user-0000042`, the 98-byte
//! value, batches of 100, 50 concurrent tasks (80 % get, 20 % put).
//!
//! `cargo bench -p kv-store-redis --bench redis`

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kv_core::codec::envelope;
use kv_core::{Entry, KeyValue, Object, Timestamp};
use kv_store_redis::bb8_redis::{bb8, RedisConnectionManager};
use kv_store_redis::RedisStore;
use serde_json::json;

const BATCH: usize = 100;
const TASKS: usize = 50;
const KEYS: usize = 5_000;

fn key(i: usize) -> String {
    format!("user-{i:07}")
}

fn value(i: usize) -> Object {
    let k = key(i);
    match json!({"name": k, "email": format!("{k}@example.com"), "age": 20 + i % 60, "tags": ["a", "b"], "active": true})
    {
        serde_json::Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// The exact bytes kv writes for `(bench, key(i))` (the raw client sends the same).
fn doc(i: usize) -> String {
    let entry = Entry {
        value: value(i),
        created_at: Some(Timestamp::now()),
        expires_at: None,
    };
    envelope::encode(&entry, Some((&key(i), "bench")))
}

type RawPool = bb8::Pool<RedisConnectionManager>;

async fn raw_pool(url: &str) -> RawPool {
    bb8::Pool::builder()
        .max_size(kv_store_redis::DEFAULT_POOL_SIZE)
        .test_on_check_out(false)
        .build(RedisConnectionManager::new(url).expect("URL"))
        .await
        .expect("pool")
}

fn bench(c: &mut Criterion) {
    let url = std::env::var("KV_BENCH_REDIS_URL")
        .or_else(|_| std::env::var("KV_TEST_REDIS_URL"))
        .ok();
    let Some(url) = url else {
        eprintln!("SKIPPED: set KV_TEST_REDIS_URL (cargo xtask services up redis)");
        return;
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let store = Arc::new(RedisStore::from_url(&url).expect("URL"));
    let raw = rt.block_on(raw_pool(&url));
    let docs: Arc<Vec<String>> = Arc::new((0..KEYS).map(doc).collect());
    rt.block_on(async {
        for chunk in (0..KEYS).collect::<Vec<_>>().chunks(BATCH) {
            let entries = chunk.iter().map(|&i| (key(i), value(i))).collect();
            store
                .put_many(Some("bench"), entries, None)
                .await
                .expect("seed");
        }
    });

    let mut g = c.benchmark_group("single");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function(BenchmarkId::new("get", "kv"), |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % KEYS;
            let store = Arc::clone(&store);
            async move { assert!(store.get(Some("bench"), &key(i)).await.unwrap().is_some()) }
        })
    });
    g.bench_function(BenchmarkId::new("get", "raw"), |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % KEYS;
            let raw = raw.clone();
            async move {
                let mut conn = raw.get().await.unwrap();
                let v: Option<Vec<u8>> = redis::cmd("GET")
                    .arg(format!("bench::{}", key(i)))
                    .query_async(&mut *conn)
                    .await
                    .unwrap();
                assert!(v.is_some());
            }
        })
    });
    g.bench_function(BenchmarkId::new("put", "kv"), |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % KEYS;
            let store = Arc::clone(&store);
            async move {
                store
                    .put(Some("bench"), &key(i), value(i), None)
                    .await
                    .unwrap()
            }
        })
    });
    g.bench_function(BenchmarkId::new("put", "raw"), |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % KEYS;
            let (raw, docs) = (raw.clone(), Arc::clone(&docs));
            async move {
                let mut conn = raw.get().await.unwrap();
                redis::cmd("SET")
                    .arg(format!("bench::{}", key(i)))
                    .arg(&docs[i])
                    .query_async::<()>(&mut *conn)
                    .await
                    .unwrap();
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("batch100");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut start = 0usize;
    g.bench_function(BenchmarkId::new("get_many", "kv"), |b| {
        b.to_async(&rt).iter(|| {
            start = (start + BATCH) % KEYS;
            let store = Arc::clone(&store);
            async move {
                let keys: Vec<String> = (start..start + BATCH).map(key).collect();
                let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
                let got = store.get_many(Some("bench"), &refs).await.unwrap();
                assert!(got.iter().all(Option::is_some));
            }
        })
    });
    g.bench_function(BenchmarkId::new("get_many", "raw"), |b| {
        b.to_async(&rt).iter(|| {
            start = (start + BATCH) % KEYS;
            let raw = raw.clone();
            async move {
                let keys: Vec<String> = (start..start + BATCH)
                    .map(|i| format!("bench::{}", key(i)))
                    .collect();
                let mut conn = raw.get().await.unwrap();
                let got: Vec<Option<Vec<u8>>> = redis::cmd("MGET")
                    .arg(&keys)
                    .query_async(&mut *conn)
                    .await
                    .unwrap();
                assert!(got.iter().all(Option::is_some));
            }
        })
    });
    g.bench_function(BenchmarkId::new("put_many", "kv"), |b| {
        b.to_async(&rt).iter(|| {
            start = (start + BATCH) % KEYS;
            let store = Arc::clone(&store);
            async move {
                let entries = (start..start + BATCH).map(|i| (key(i), value(i))).collect();
                store.put_many(Some("bench"), entries, None).await.unwrap();
            }
        })
    });
    g.bench_function(BenchmarkId::new("put_many", "raw"), |b| {
        b.to_async(&rt).iter(|| {
            start = (start + BATCH) % KEYS;
            let (raw, docs) = (raw.clone(), Arc::clone(&docs));
            async move {
                let mut cmd = redis::cmd("MSET");
                for i in start..start + BATCH {
                    cmd.arg(format!("bench::{}", key(i))).arg(&docs[i]);
                }
                let mut conn = raw.get().await.unwrap();
                cmd.query_async::<()>(&mut *conn).await.unwrap();
            }
        })
    });
    g.finish();

    // 50 tasks, 80 % get / 20 % put; one criterion iteration = TASKS * 20 operations.
    let mut g = c.benchmark_group("concurrent50");
    let per_task = 20usize;
    g.throughput(Throughput::Elements((TASKS * per_task) as u64));
    g.bench_function(BenchmarkId::new("mix", "kv"), |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let store = Arc::clone(&store);
            async move {
                let started = Instant::now();
                for _ in 0..iters {
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|t| {
                            let store = Arc::clone(&store);
                            tokio::spawn(async move {
                                for j in 0..per_task {
                                    let n = t + j * TASKS;
                                    let i = (n * 7919) % KEYS;
                                    if n.is_multiple_of(5) {
                                        store
                                            .put(Some("bench"), &key(i), value(i), None)
                                            .await
                                            .unwrap();
                                    } else {
                                        assert!(store
                                            .get(Some("bench"), &key(i))
                                            .await
                                            .unwrap()
                                            .is_some());
                                    }
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                }
                started.elapsed()
            }
        })
    });
    g.bench_function(BenchmarkId::new("mix", "raw"), |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (raw, docs) = (raw.clone(), Arc::clone(&docs));
            async move {
                let started = Instant::now();
                for _ in 0..iters {
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|t| {
                            let (raw, docs) = (raw.clone(), Arc::clone(&docs));
                            tokio::spawn(async move {
                                for j in 0..per_task {
                                    let n = t + j * TASKS;
                                    let i = (n * 7919) % KEYS;
                                    let mut conn = raw.get().await.unwrap();
                                    let k = format!("bench::{}", key(i));
                                    if n.is_multiple_of(5) {
                                        redis::cmd("SET")
                                            .arg(k)
                                            .arg(&docs[i])
                                            .query_async::<()>(&mut *conn)
                                            .await
                                            .unwrap();
                                    } else {
                                        let v: Option<Vec<u8>> = redis::cmd("GET")
                                            .arg(k)
                                            .query_async(&mut *conn)
                                            .await
                                            .unwrap();
                                        assert!(v.is_some());
                                    }
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                }
                started.elapsed()
            }
        })
    });
    g.finish();
    rt.block_on(async {
        let keys: Vec<String> = (0..KEYS).map(key).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let _ = store.delete_many(Some("bench"), &refs).await;
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
