//! The harness on a real MemoryStore: every phase runs, misses fail the run.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kv_bench::{run, KvWorkload, Profile, Workload};
use kv_core::{Object, Result};

#[tokio::test]
async fn every_phase_reports_with_the_workload_format() {
    let store = Arc::new(kv_store_memory::MemoryStore::new());
    let report = run(
        Arc::new(KvWorkload::new(store.clone())),
        "kv",
        "memory",
        &Profile::TINY,
    )
    .await
    .unwrap();
    let ops: Vec<&str> = report.phases.iter().map(|p| p.op).collect();
    assert_eq!(
        ops,
        [
            "put",
            "put_ttl",
            "get",
            "get_many",
            "put_many",
            "put_many_ttl",
            "concurrent"
        ]
    );
    let lines = report.lines();
    assert_eq!(lines[0]["impl"], "kv");
    assert_eq!(lines[0]["store"], "memory");
    assert_eq!(lines[0]["runs"].as_array().unwrap().len(), 3);
    assert!(lines[0]["p99_us"].as_f64().unwrap() >= lines[0]["p50_us"].as_f64().unwrap());
    assert_eq!(lines[3]["batch"], 100);
    assert_eq!(lines[6]["concurrency"], 50);
    assert!(report.phases.iter().all(|p| p.ops_per_sec > 0.0));
    // The repetition cleans up after itself.
    use kv_core::KeyValue;
    assert_eq!(
        store.get(Some("bench"), "user-0000001").await.unwrap(),
        None
    );
}

/// A store that forgets every other write: the harness must notice the misses.
struct Forgetful(
    Arc<kv_store_memory::MemoryStore>,
    std::sync::atomic::AtomicU64,
);

#[async_trait]
impl Workload for Forgetful {
    async fn put(&self, key: &str, value: Object, ttl: Option<Duration>) -> Result<()> {
        if self
            .1
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(2)
        {
            KvWorkload::new(self.0.clone()).put(key, value, ttl).await?;
        }
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<bool> {
        KvWorkload::new(self.0.clone()).get(key).await
    }
    async fn get_many(&self, keys: &[String]) -> Result<usize> {
        KvWorkload::new(self.0.clone()).get_many(keys).await
    }
    async fn put_many(&self, entries: Vec<(String, Object)>, ttl: Option<Duration>) -> Result<()> {
        KvWorkload::new(self.0.clone()).put_many(entries, ttl).await
    }
    async fn delete_many(&self, keys: &[String]) -> Result<()> {
        KvWorkload::new(self.0.clone()).delete_many(keys).await
    }
}

#[tokio::test]
async fn a_miss_fails_the_run() {
    let store = Arc::new(kv_store_memory::MemoryStore::new());
    let forgetful = Forgetful(store, Default::default());
    let err = run(Arc::new(forgetful), "raw", "memory", &Profile::TINY)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("benchmark miss"), "{err}");
}
