//! Helpers for the `<backend>_raw_workload` examples: the bytes kv would store, and their `main`.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use kv_core::codec::envelope;
use kv_core::{Entry, Object, Result, Timestamp};

use crate::{run, Profile, Workload, COLLECTION};

/// The envelope kv writes for `key` in [`COLLECTION`] (the same bytes, so the raw client moves
/// exactly what kv moves), and the TTL in milliseconds the server is given.
pub fn envelope_bytes(key: &str, value: Object, ttl: Option<Duration>) -> (String, Option<u64>) {
    let now = Timestamp::now();
    let entry = Entry {
        value,
        created_at: Some(now),
        expires_at: ttl.and_then(|t| now.checked_add(t)),
    };
    let millis = ttl.map(|t| t.as_millis().max(1) as u64);
    (envelope::encode(&entry, Some((key, COLLECTION))), millis)
}

/// `C::K` for the workload's collection (the Redis, Valkey and Memcached key).
pub fn compound(key: &str) -> String {
    kv_core::compound_key(COLLECTION, key)
}

/// `main` of a `<backend>_raw_workload` example: `raw_workload URL OUT.jsonl [--quick]`. Builds the
/// workload with `make(url)` on a multi-thread runtime, runs it, prints the table and writes
/// the JSON lines (`impl: "raw"`) to `OUT.jsonl`.
pub fn example_main<F, Fut>(store: &str, make: F) -> ExitCode
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<Arc<dyn Workload>>>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [url, out] = positional.as_slice() else {
        eprintln!("usage: raw_workload URL OUT.jsonl [--quick]");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("raw_workload: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        let workload = make(url.to_string()).await?;
        run(workload, "raw", store, &Profile::pick(quick)).await
    });
    match result {
        Ok(report) => {
            print!("{}", report.table());
            if let Err(e) = std::fs::write(&out, report.json_lines()) {
                eprintln!("raw_workload: cannot write {}: {e}", out.display());
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("raw_workload: {e}");
            ExitCode::FAILURE
        }
    }
}
