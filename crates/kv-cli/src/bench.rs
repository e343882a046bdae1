//! `kv bench`: the standard workload (bench/WORKLOAD.md) against one store.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kv::{KeyValue, Object};
use serde_json::{json, Value};

const COLLECTION: &str = "bench";
const BATCH: u64 = 100;
const CONCURRENCY: u64 = 50;
const TTL: Duration = Duration::from_secs(3600);
const WARM: u64 = 9_000_000;
const REPETITIONS: usize = 3;

/// N keys per phase, M ops in the concurrent phase, W warm-up ops.
struct Profile {
    name: &'static str,
    n: u64,
    m: u64,
    w: u64,
}

fn key(i: u64) -> String {
    format!("user-{i:07}")
}

/// The workload's value, built field by field (as a Python dict literal is).
fn value(i: u64) -> Object {
    let name = key(i);
    let mut map = Object::new();
    map.insert("active".to_owned(), Value::Bool(true));
    map.insert("age".to_owned(), Value::from(20 + i % 60));
    map.insert(
        "email".to_owned(),
        Value::String(format!("{name}@example.com")),
    );
    map.insert("name".to_owned(), Value::String(name));
    map.insert(
        "tags".to_owned(),
        Value::Array(vec![Value::from("a"), Value::from("b")]),
    );
    map
}

struct Phase {
    op: &'static str,
    ops_per_sec: f64,
    p50_us: Option<f64>,
    p99_us: Option<f64>,
}

type Store = Arc<dyn KeyValue>;

fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort_unstable();
    let i = ((q * samples.len() as f64) as usize).min(samples.len().saturating_sub(1));
    samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

async fn single(
    store: &Store,
    op: &'static str,
    range: std::ops::Range<u64>,
    w: u64,
) -> kv::Result<Phase> {
    let read = op == "get";
    let ttl = (op == "put_ttl").then_some(TTL);
    for i in WARM..WARM + w {
        if read {
            store.get(Some(COLLECTION), &key(i)).await?;
        } else {
            store.put(Some(COLLECTION), &key(i), value(i), ttl).await?;
        }
    }
    let count = range.end - range.start;
    let mut latencies = Vec::with_capacity(count as usize);

    let started = Instant::now();
    for i in range {
        let t = Instant::now();
        if read {
            if store.get(Some(COLLECTION), &key(i)).await?.is_none() {
                return Err(kv::Error::new(
                    kv::ErrorKind::MissingKey,
                    format!("benchmark miss on {}", key(i)),
                ));
            }
        } else {
            store.put(Some(COLLECTION), &key(i), value(i), ttl).await?;
        }
        latencies.push(t.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Phase {
        op,
        ops_per_sec: count as f64 / elapsed,
        p50_us: Some(percentile(&mut latencies, 0.5)),
        p99_us: Some(percentile(&mut latencies, 0.99)),
    })
}

async fn batch_call(store: &Store, op: &str, start: u64, end: u64) -> kv::Result<()> {
    let keys: Vec<String> = (start..end).map(key).collect();
    if op == "get_many" {
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let got = store.get_many(Some(COLLECTION), &refs).await?;
        if start < WARM && got.iter().any(Option::is_none) {
            return Err(kv::Error::new(
                kv::ErrorKind::MissingKey,
                "benchmark miss in get_many",
            ));
        }
    } else {
        let ttl = (op == "put_many_ttl").then_some(TTL);
        let entries = keys.into_iter().zip((start..end).map(value)).collect();
        store.put_many(Some(COLLECTION), entries, ttl).await?;
    }
    Ok(())
}

async fn batched(
    store: &Store,
    op: &'static str,
    range: std::ops::Range<u64>,
    w: u64,
) -> kv::Result<Phase> {
    let mut s = WARM;
    while s < WARM + w {
        batch_call(store, op, s, (s + BATCH).min(WARM + w)).await?;
        s += BATCH;
    }
    let count = range.end - range.start;
    let started = Instant::now();
    let mut s = range.start;
    while s < range.end {
        batch_call(store, op, s, (s + BATCH).min(range.end)).await?;
        s += BATCH;
    }
    Ok(Phase {
        op,
        ops_per_sec: count as f64 / started.elapsed().as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}

async fn mix(store: Store, ops: Vec<u64>, index: impl Fn(u64) -> u64) -> kv::Result<()> {
    for j in ops {
        let i = index(j);
        if j % 5 == 0 {
            store.put(Some(COLLECTION), &key(i), value(i), None).await?;
        } else if store.get(Some(COLLECTION), &key(i)).await?.is_none() {
            return Err(kv::Error::new(
                kv::ErrorKind::MissingKey,
                format!("benchmark miss on {}", key(i)),
            ));
        }
    }
    Ok(())
}

async fn concurrent(store: &Store, p: &Profile) -> kv::Result<Phase> {
    let (n, w) = (p.n, p.w);
    let warm_ops = w.max(2 * CONCURRENCY);
    let run = |total: u64, warm: bool| {
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..CONCURRENCY {
            let ops: Vec<u64> = (t..total).step_by(CONCURRENCY as usize).collect();
            let store = Arc::clone(store);
            tasks.spawn(async move {
                if warm {
                    mix(store, ops, move |j| WARM + j % w).await
                } else {
                    mix(store, ops, move |j| (j * 7919) % n).await
                }
            });
        }
        tasks
    };
    let mut warmup = run(warm_ops, true);
    while let Some(r) = warmup.join_next().await {
        r.map_err(|e| kv::Error::backend(false, e.to_string()))??;
    }
    let started = Instant::now();
    let mut timed = run(p.m, false);
    while let Some(r) = timed.join_next().await {
        r.map_err(|e| kv::Error::backend(false, e.to_string()))??;
    }
    Ok(Phase {
        op: "concurrent",
        ops_per_sec: p.m as f64 / started.elapsed().as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}

async fn clean(store: &Store, p: &Profile) -> kv::Result<()> {
    let ranges = [(0, 4 * p.n), (WARM, WARM + p.w.max(2 * CONCURRENCY))];
    for (start, end) in ranges {
        let mut s = start;
        while s < end {
            let keys: Vec<String> = (s..(s + 1000).min(end)).map(key).collect();
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            store.delete_many(Some(COLLECTION), &refs).await?;
            s += 1000;
        }
    }
    Ok(())
}

async fn repetition(store: &Store, p: &Profile) -> kv::Result<Vec<Phase>> {
    clean(store, p).await?;
    let n = p.n;
    let phases = vec![
        single(store, "put", 0..n, p.w).await?,
        single(store, "put_ttl", n..2 * n, p.w).await?,
        single(store, "get", 0..n, p.w).await?,
        batched(store, "get_many", 0..n, p.w).await?,
        batched(store, "put_many", 2 * n..3 * n, p.w).await?,
        batched(store, "put_many_ttl", 3 * n..4 * n, p.w).await?,
        concurrent(store, p).await?,
    ];
    clean(store, p).await?;
    Ok(phases)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

pub async fn run(
    store: Store,
    url: &str,
    quick: bool,
    json_path: Option<&Path>,
) -> Result<ExitCode, String> {
    let profile = if quick {
        Profile {
            name: "quick",
            n: 5_000,
            m: 10_000,
            w: 500,
        }
    } else {
        Profile {
            name: "full",
            n: 20_000,
            m: 40_000,
            w: 2_000,
        }
    };
    store.setup().await.map_err(|e| e.to_string())?;
    let mut runs: Vec<Vec<Phase>> = Vec::new();
    for r in 0..REPETITIONS {
        eprintln!(
            "kv bench: repetition {}/{REPETITIONS} ({} profile)",
            r + 1,
            profile.name
        );
        runs.push(
            repetition(&store, &profile)
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    let store_name = url.split("://").next().unwrap_or("store");
    let mut lines = String::new();
    println!(
        "{:<14} {:>12} {:>10} {:>10}",
        "op", "ops/s", "p50 us", "p99 us"
    );
    for (index, first) in runs[0].iter().enumerate() {
        let mut values: Vec<f64> = runs.iter().map(|r| r[index].ops_per_sec).collect();
        let all = values.clone();
        let ops = median(&mut values);
        let p50 = first.p50_us.map(|_| {
            median(
                &mut runs
                    .iter()
                    .filter_map(|r| r[index].p50_us)
                    .collect::<Vec<_>>(),
            )
        });
        let p99 = first.p99_us.map(|_| {
            median(
                &mut runs
                    .iter()
                    .filter_map(|r| r[index].p99_us)
                    .collect::<Vec<_>>(),
            )
        });
        let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
        println!(
            "{:<14} {:>12.0} {:>10} {:>10}",
            first.op,
            ops,
            fmt(p50),
            fmt(p99)
        );
        let batch = if first.op.contains("many") { BATCH } else { 1 };
        let mut line = json!({
            "impl": "kv", "store": store_name, "op": first.op, "ops_per_sec": ops,
            "n": if first.op == "concurrent" { profile.m } else { profile.n },
            "calls_per_sec": ops / batch as f64, "runs": all, "batch": batch,
            "concurrency": if first.op == "concurrent" { CONCURRENCY } else { 1 },
            "ttl": if first.op.ends_with("ttl") { json!(3600) } else { json!(null) },
            "profile": profile.name, "version": env!("CARGO_PKG_VERSION"),
        });
        if let (Some(p50), Some(p99)) = (p50, p99) {
            line["p50_us"] = json!(p50);
            line["p99_us"] = json!(p99);
        }
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    if let Some(path) = json_path {
        std::fs::write(path, lines).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let _ = store.close().await;
    Ok(ExitCode::SUCCESS)
}
