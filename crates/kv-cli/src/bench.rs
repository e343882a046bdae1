//! `kv bench`: the standard workload (bench/WORKLOAD.md, implemented in `kv-bench`) on one store.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use kv::KeyValue;
use kv_bench::{KvWorkload, Profile};

fn store_name(url: &str) -> &str {
    url.split("://").next().unwrap_or("store")
}

fn write(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => Ok(()),
    }
}

pub async fn run(
    store: Arc<dyn KeyValue>,
    url: &str,
    quick: bool,
    json_path: Option<&Path>,
) -> Result<ExitCode, String> {
    let workload = Arc::new(KvWorkload::new(Arc::clone(&store)));
    let report = kv_bench::run(workload, "kv", store_name(url), &Profile::pick(quick))
        .await
        .map_err(|e| e.to_string())?;
    print!("{}", report.table());
    write(json_path, &report.json_lines())?;
    let _ = store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `kv bench --load N`: the RSS of a large load (one `load_rss` JSON line).
pub async fn load(
    store: Arc<dyn KeyValue>,
    url: &str,
    entries: u64,
    json_path: Option<&Path>,
) -> Result<ExitCode, String> {
    let workload = KvWorkload::new(Arc::clone(&store));
    let line = kv_bench::load_rss(&workload, "kv", store_name(url), entries)
        .await
        .map_err(|e| e.to_string())?;
    println!("{line}");
    write(json_path, &format!("{line}\n"))?;
    let _ = store.close().await;
    Ok(ExitCode::SUCCESS)
}
