//! The standard benchmark workload (`bench/WORKLOAD.md` of the shared spec), written once.
//!
//! A [`Workload`] is the five calls the workload makes (put, get, get_many, put_many,
//! delete_many). [`KvWorkload`] drives any [`kv_core::KeyValue`]; each backend crate's
//! `<backend>_raw_workload` example implements the trait on the bare client crate with the same commands
//! and bytes. [`run`] performs the repetitions and phases and returns a [`Report`] whose
//! [`Report::json_lines`] are the lines of WORKLOAD.md §6.
//!
//! ```
//! use std::sync::Arc;
//! use kv_bench::{run, KvWorkload, Profile};
//!
//! # #[tokio::main] async fn main() -> kv_core::Result<()> {
//! let store = Arc::new(kv_store_memory::MemoryStore::new());
//! let report = run(Arc::new(KvWorkload::new(store)), "kv", "memory", &Profile::TINY).await?;
//! assert_eq!(report.phases.len(), 7);
//! println!("{}", report.json_lines());
//! # Ok(()) }
//! ```

mod load;
mod phases;
pub mod raw;
mod report;
mod workload;

pub use load::{load_rss, peak_rss_bytes, rss_bytes};
pub use phases::run;
pub use report::{PhaseResult, Report};
pub use workload::{key, value, KvWorkload, Workload};

use std::time::Duration;

/// The collection every call uses.
pub const COLLECTION: &str = "bench";
/// Keys per `get_many` / `put_many` call.
pub const BATCH: u64 = 100;
/// Tasks of the concurrent phase.
pub const CONCURRENCY: u64 = 50;
/// The TTL of the `*_ttl` phases.
pub const TTL: Duration = Duration::from_secs(3600);
/// First index of the warm-up keys.
pub const WARM: u64 = 9_000_000;
/// Repetitions per run; the median is reported.
pub const REPETITIONS: usize = 3;

/// Sizes of one run: N keys per phase, M ops in the concurrent phase, W warm-up ops.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// `full`, `quick` or `tiny`.
    pub name: &'static str,
    /// Keys per phase.
    pub n: u64,
    /// Operations of the concurrent phase.
    pub m: u64,
    /// Warm-up operations per phase.
    pub w: u64,
}

impl Profile {
    /// WORKLOAD.md's default profile.
    pub const FULL: Profile = Profile {
        name: "full",
        n: 20_000,
        m: 40_000,
        w: 2_000,
    };
    /// WORKLOAD.md's `--quick` profile.
    pub const QUICK: Profile = Profile {
        name: "quick",
        n: 5_000,
        m: 10_000,
        w: 500,
    };
    /// A few hundred operations: for tests of the harness itself, not for numbers.
    pub const TINY: Profile = Profile {
        name: "tiny",
        n: 200,
        m: 400,
        w: 100,
    };

    /// `QUICK` when `quick`, else `FULL`.
    pub fn pick(quick: bool) -> Profile {
        if quick {
            Profile::QUICK
        } else {
            Profile::FULL
        }
    }
}
