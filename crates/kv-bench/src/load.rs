//! Memory use of a large load: peak RSS of this process against the size of the JSON stored.

use std::time::Instant;

use kv_core::Result;
use serde_json::{json, Value};

use crate::workload::{key, value, Workload};
use crate::BATCH;

/// The process's peak resident set size in bytes (`VmHWM`), where the OS reports it (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    resident("VmHWM:")
}

/// The process's current resident set size in bytes (`VmRSS`), where the OS reports it.
pub fn rss_bytes() -> Option<u64> {
    resident("VmRSS:")
}

fn resident(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Writes `entries` values (`value(i)`, no TTL) in batches of [`BATCH`], checks a sample reads
/// back, and reports the RSS growth against the compact JSON size of the values written, as
/// one JSON line (`op: "load_rss"`).
pub async fn load_rss(
    workload: &dyn Workload,
    implementation: &str,
    store: &str,
    entries: u64,
) -> Result<Value> {
    let before = rss_bytes();
    let mut json_bytes: u64 = 0;
    let started = Instant::now();
    for start in (0..entries).step_by(BATCH as usize) {
        let batch: Vec<_> = (start..(start + BATCH).min(entries))
            .map(|i| {
                let v = value(i);
                json_bytes += serde_json::to_vec(&v).map_or(0, |b| b.len() as u64);
                (key(i), v)
            })
            .collect();
        workload.put_many(batch, None).await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    for i in (0..entries).step_by((entries / 100).max(1) as usize) {
        if !workload.get(&key(i)).await? {
            return Err(kv_core::Error::new(
                kv_core::ErrorKind::MissingKey,
                format!("load_rss: {} missing after the load", key(i)),
            ));
        }
    }
    let peak = peak_rss_bytes();
    let growth = match (peak, before) {
        (Some(p), Some(b)) => Some(p.saturating_sub(b)),
        _ => None,
    };
    Ok(json!({
        "impl": implementation, "store": store, "op": "load_rss", "entries": entries,
        "json_bytes": json_bytes, "rss_before_bytes": before, "peak_rss_bytes": peak,
        "rss_growth_bytes": growth,
        "rss_per_json_byte": growth.map(|g| g as f64 / json_bytes.max(1) as f64),
        "load_seconds": seconds, "version": env!("CARGO_PKG_VERSION"),
    }))
}
