//! Medians of the repetitions and the JSON lines of WORKLOAD.md §6.

use serde_json::{json, Value};

use crate::{Profile, BATCH, CONCURRENCY};

/// One phase of one repetition.
#[derive(Debug, Clone)]
pub struct PhaseResult {
    /// `put`, `put_ttl`, `get`, `get_many`, `put_many`, `put_many_ttl` or `concurrent`.
    pub op: &'static str,
    /// Keys per second.
    pub ops_per_sec: f64,
    /// Median call latency (single-op phases only).
    pub p50_us: Option<f64>,
    /// 99th percentile call latency (single-op phases only).
    pub p99_us: Option<f64>,
}

/// The medians of a run, one [`PhaseResult`] per phase, plus every repetition's figure.
#[derive(Debug, Clone)]
pub struct Report {
    /// `kv` or `raw`.
    pub implementation: &'static str,
    /// The store's name (`memory`, `redis`, ...).
    pub store: String,
    /// The profile run.
    pub profile: Profile,
    /// Median of each phase.
    pub phases: Vec<PhaseResult>,
    /// ops/s of every repetition, per phase (same order as `phases`).
    pub runs: Vec<Vec<f64>>,
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

impl Report {
    pub(crate) fn from_runs(
        implementation: &'static str,
        store: &str,
        profile: Profile,
        runs: Vec<Vec<PhaseResult>>,
    ) -> Report {
        let first = runs.first().cloned().unwrap_or_default();
        let mut phases = Vec::with_capacity(first.len());
        let mut all = Vec::with_capacity(first.len());
        for (i, phase) in first.iter().enumerate() {
            let column = |f: fn(&PhaseResult) -> Option<f64>| -> Vec<f64> {
                runs.iter().filter_map(|r| r.get(i).and_then(f)).collect()
            };
            let ops = column(|p| Some(p.ops_per_sec));
            let p50 = column(|p| p.p50_us);
            let p99 = column(|p| p.p99_us);
            phases.push(PhaseResult {
                op: phase.op,
                ops_per_sec: median(&ops),
                p50_us: (!p50.is_empty()).then(|| median(&p50)),
                p99_us: (!p99.is_empty()).then(|| median(&p99)),
            });
            all.push(ops);
        }
        Report {
            implementation,
            store: store.to_owned(),
            profile,
            phases,
            runs: all,
        }
    }

    /// One JSON object per phase, in WORKLOAD.md §6 format.
    pub fn lines(&self) -> Vec<Value> {
        self.phases
            .iter()
            .zip(&self.runs)
            .map(|(phase, runs)| {
                let batch = if phase.op.contains("many") { BATCH } else { 1 };
                let concurrent = phase.op == "concurrent";
                let mut line = json!({
                    "impl": self.implementation, "store": self.store, "op": phase.op,
                    "ops_per_sec": phase.ops_per_sec,
                    "n": if concurrent { self.profile.m } else { self.profile.n },
                    "calls_per_sec": phase.ops_per_sec / batch as f64, "runs": runs,
                    "batch": batch, "concurrency": if concurrent { CONCURRENCY } else { 1 },
                    "ttl": if phase.op.ends_with("ttl") { json!(3600) } else { json!(null) },
                    "profile": self.profile.name, "version": env!("CARGO_PKG_VERSION"),
                });
                if let (Some(p50), Some(p99)) = (phase.p50_us, phase.p99_us) {
                    line["p50_us"] = json!(p50);
                    line["p99_us"] = json!(p99);
                }
                line
            })
            .collect()
    }

    /// [`Report::lines`] as newline-terminated text.
    pub fn json_lines(&self) -> String {
        self.lines().iter().map(|l| format!("{l}\n")).collect()
    }

    /// A small table for a terminal: op, ops/s, p50 and p99.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<14} {:>12} {:>10} {:>10}\n",
            "op", "ops/s", "p50 us", "p99 us"
        );
        let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
        for p in &self.phases {
            out.push_str(&format!(
                "{:<14} {:>12.0} {:>10} {:>10}\n",
                p.op,
                p.ops_per_sec,
                fmt(p.p50_us),
                fmt(p.p99_us)
            ));
        }
        out
    }
}
