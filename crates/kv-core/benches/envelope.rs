//! Envelope encode/decode of the benchmark workload's value (bench/WORKLOAD.md).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kv_core::codec::envelope;
use kv_core::{Entry, Timestamp};
use serde_json::json;
use std::hint::black_box;
use std::time::Duration;

fn workload_entry(i: u64) -> Entry {
    let key = format!("user-{i:07}");
    let value = json!({"name": key, "email": format!("{key}@example.com"), "age": 20 + i % 60, "tags": ["a", "b"], "active": true});
    Entry::new(
        value.as_object().cloned().unwrap_or_default(),
        Timestamp::now(),
        Some(Duration::from_secs(3600)),
    )
    .expect("valid ttl")
}

fn bench(c: &mut Criterion) {
    let entry = workload_entry(42);
    let text = envelope::encode(&entry, Some(("user-0000042", "bench")));
    let mut group = c.benchmark_group("envelope");
    group.throughput(Throughput::Elements(1));
    group.bench_function("encode", |b| {
        b.iter(|| envelope::encode(black_box(&entry), Some(("user-0000042", "bench"))))
    });
    group.bench_function("decode", |b| {
        b.iter(|| envelope::decode(black_box(text.as_bytes())))
    });
    group.bench_function("canonical_json", |b| {
        b.iter(|| kv_core::to_canonical_json(black_box(&entry.value)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
