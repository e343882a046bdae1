//! `kv copy`: entries with their remaining TTL, from one store to another.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use kv::{KeyValue, Object};
use tokio::task::JoinSet;

use crate::commands::open;

const BATCH: usize = 100;

pub async fn run(from: &str, to: &str, collections: &[String]) -> Result<ExitCode, String> {
    let source = open(from)?;
    let target = open(to)?;
    let names = if collections.is_empty() {
        source.collections(None).await.map_err(|e| {
            format!(
                "the source cannot list its collections ({}); name them with --collection",
                e.message()
            )
        })?
    } else {
        collections.to_vec()
    };
    let started = Instant::now();
    let progress = progress_bar();
    let (mut copied, mut with_ttl) = (0usize, 0usize);
    for collection in &names {
        let keys = source.keys(Some(collection), None).await.map_err(|e| {
            format!(
                "cannot list the keys of collection '{collection}' in the source: {}",
                e.message()
            )
        })?;
        progress.inc_length(keys.len() as u64);
        for chunk in keys.chunks(BATCH) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let entries = source
                .ttl_many(Some(collection), &refs)
                .await
                .map_err(|e| e.to_string())?;
            let mut plain: Vec<(String, Object)> = Vec::new();
            let mut expiring: Vec<(String, Object, Duration)> = Vec::new();
            for (key, entry) in chunk.iter().zip(entries) {
                match entry {
                    Some((value, None)) => plain.push((key.clone(), value)),
                    Some((value, Some(ttl))) => expiring.push((key.clone(), value, ttl)),
                    None => {} // expired or deleted since the listing
                }
            }
            copied += plain.len() + expiring.len();
            with_ttl += expiring.len();
            target
                .put_many(Some(collection), plain, None)
                .await
                .map_err(|e| e.to_string())?;
            put_each_with_ttl(&target, collection, expiring).await?;
            progress.inc(chunk.len() as u64);
        }
    }
    progress.finish_and_clear();
    let _ = source.close().await;
    let _ = target.close().await;
    println!(
        "copied {copied} entries ({with_ttl} with a TTL) in {} collection{} in {:.1}s",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Entries with a TTL each keep their own remaining time, so they are written one by one,
/// up to one batch concurrently.
async fn put_each_with_ttl(
    target: &Arc<dyn KeyValue>,
    collection: &str,
    entries: Vec<(String, Object, Duration)>,
) -> Result<(), String> {
    let mut tasks = JoinSet::new();
    for (key, value, ttl) in entries {
        let target = Arc::clone(target);
        let collection = collection.to_owned();
        tasks.spawn(async move { target.put(Some(&collection), &key, value, Some(ttl)).await });
    }
    while let Some(result) = tasks.join_next().await {
        result
            .map_err(|e| format!("a copy task failed: {e}"))?
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} entries ({per_sec}, eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}
