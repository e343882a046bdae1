//! The seven phases of one repetition (WORKLOAD.md §4) and the repetitions of a run.

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kv_core::{Error, ErrorKind, Result};

use crate::report::{PhaseResult, Report};
use crate::workload::{key, value, Workload};
use crate::{Profile, BATCH, CONCURRENCY, REPETITIONS, TTL, WARM};

type Shared = Arc<dyn Workload>;

fn miss(what: &str) -> Error {
    Error::new(ErrorKind::MissingKey, format!("benchmark miss: {what}"))
}

fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort_unstable();
    let i = ((q * samples.len() as f64) as usize).min(samples.len().saturating_sub(1));
    samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

/// put, put_ttl or get: one call at a time, each call timed.
async fn single(w: &Shared, op: &'static str, range: Range<u64>, warm: u64) -> Result<PhaseResult> {
    let read = op == "get";
    let ttl = (op == "put_ttl").then_some(TTL);
    for i in WARM..WARM + warm {
        if read {
            w.get(&key(i)).await?;
        } else {
            w.put(&key(i), value(i), ttl).await?;
        }
    }
    let count = range.end - range.start;
    let mut latencies = Vec::with_capacity(count as usize);
    let started = Instant::now();
    for i in range {
        let t = Instant::now();
        if read {
            if !w.get(&key(i)).await? {
                return Err(miss(&key(i)));
            }
        } else {
            w.put(&key(i), value(i), ttl).await?;
        }
        latencies.push(t.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(PhaseResult {
        op,
        ops_per_sec: count as f64 / elapsed,
        p50_us: Some(percentile(&mut latencies, 0.5)),
        p99_us: Some(percentile(&mut latencies, 0.99)),
    })
}

async fn batch_call(w: &Shared, op: &str, keys: Range<u64>) -> Result<()> {
    let must_hit = keys.start < WARM;
    let count = (keys.end - keys.start) as usize;
    if op == "get_many" {
        let names: Vec<String> = keys.map(key).collect();
        if w.get_many(&names).await? != count && must_hit {
            return Err(miss("get_many"));
        }
        Ok(())
    } else {
        let ttl = (op == "put_many_ttl").then_some(TTL);
        w.put_many(keys.map(|i| (key(i), value(i))).collect(), ttl)
            .await
    }
}

fn batches(range: Range<u64>) -> impl Iterator<Item = Range<u64>> {
    (range.start..range.end)
        .step_by(BATCH as usize)
        .map(move |s| s..(s + BATCH).min(range.end))
}

/// get_many, put_many or put_many_ttl: batches of [`BATCH`] keys, one call at a time.
async fn batched(
    w: &Shared,
    op: &'static str,
    range: Range<u64>,
    warm: u64,
) -> Result<PhaseResult> {
    for batch in batches(WARM..WARM + warm) {
        batch_call(w, op, batch).await?;
    }
    let count = range.end - range.start;
    let started = Instant::now();
    for batch in batches(range) {
        batch_call(w, op, batch).await?;
    }
    Ok(PhaseResult {
        op,
        ops_per_sec: count as f64 / started.elapsed().as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}

/// One task of the concurrent phase: 1 put in 5, the rest gets that must hit.
async fn mix(w: Shared, ops: Vec<u64>, index: impl Fn(u64) -> u64) -> Result<()> {
    for j in ops {
        let i = index(j);
        if j.is_multiple_of(5) {
            w.put(&key(i), value(i), None).await?;
        } else if !w.get(&key(i)).await? {
            return Err(miss(&key(i)));
        }
    }
    Ok(())
}

async fn concurrent(w: &Shared, p: &Profile) -> Result<PhaseResult> {
    let (n, warm) = (p.n, p.w);
    let spawn_all = |total: u64, warm_up: bool| {
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..CONCURRENCY {
            let ops: Vec<u64> = (t..total).step_by(CONCURRENCY as usize).collect();
            let w = Arc::clone(w);
            tasks.spawn(async move {
                if warm_up {
                    mix(w, ops, move |j| WARM + j % warm).await
                } else {
                    mix(w, ops, move |j| (j * 7919) % n).await
                }
            });
        }
        tasks
    };
    let join = |mut tasks: tokio::task::JoinSet<Result<()>>| async move {
        while let Some(r) = tasks.join_next().await {
            r.map_err(|e| Error::backend(false, format!("benchmark task failed: {e}")))??;
        }
        Ok::<(), Error>(())
    };
    join(spawn_all(warm.max(2 * CONCURRENCY), true)).await?;
    let started = Instant::now();
    join(spawn_all(p.m, false)).await?;
    Ok(PhaseResult {
        op: "concurrent",
        ops_per_sec: p.m as f64 / started.elapsed().as_secs_f64(),
        p50_us: None,
        p99_us: None,
    })
}

/// Removes every key a repetition writes (before and after it).
async fn clean(w: &Shared, p: &Profile) -> Result<()> {
    for range in [0..4 * p.n, WARM..WARM + p.w.max(2 * CONCURRENCY)] {
        for s in (range.start..range.end).step_by(1000) {
            let keys: Vec<String> = (s..(s + 1000).min(range.end)).map(key).collect();
            w.delete_many(&keys).await?;
        }
    }
    Ok(())
}

/// One repetition, cleaned after it; `first` also cleans before (what an earlier run left), the
/// later ones start from the previous repetition's cleaning.
async fn repetition(w: &Shared, p: &Profile, first: bool) -> Result<Vec<PhaseResult>> {
    if first {
        clean(w, p).await?;
    }
    let n = p.n;
    let phases = vec![
        single(w, "put", 0..n, p.w).await?,
        single(w, "put_ttl", n..2 * n, p.w).await?,
        single(w, "get", 0..n, p.w).await?,
        batched(w, "get_many", 0..n, p.w).await?,
        batched(w, "put_many", 2 * n..3 * n, p.w).await?,
        batched(w, "put_many_ttl", 3 * n..4 * n, p.w).await?,
        concurrent(w, p).await?,
    ];
    clean(w, p).await?;
    Ok(phases)
}

/// Runs [`REPETITIONS`] repetitions of the workload; `implementation` (`kv`, `raw`) and `store`
/// (`redis`, ...) label the report. Progress goes to stderr.
pub async fn run(
    workload: Shared,
    implementation: &'static str,
    store: &str,
    profile: &Profile,
) -> Result<Report> {
    workload.setup().await?;
    let mut runs = Vec::with_capacity(REPETITIONS);
    for r in 0..REPETITIONS {
        eprintln!(
            "{implementation} bench {store}: repetition {}/{REPETITIONS} ({} profile)",
            r + 1,
            profile.name
        );
        runs.push(repetition(&workload, profile, r == 0).await?);
    }
    Ok(Report::from_runs(implementation, store, *profile, runs))
}
