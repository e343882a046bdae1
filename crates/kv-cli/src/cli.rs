//! The command line contract (scripts rely on it: keep it exact).

use clap::{Parser, Subcommand};

/// Default store: an embedded disk store in `./kv-data` (a memory store when built without disk).
pub const DEFAULT_STORE: &str = if cfg!(feature = "disk") {
    "disk://./kv-data"
} else {
    "memory://"
};

/// Inspect, copy and benchmark kv stores.
#[derive(Parser, Debug)]
#[command(name = "kv", version, about)]
pub struct Cli {
    /// Store URL (memory://, disk://DIR, redis://HOST:PORT/DB, ...).
    #[arg(long, global = true, env = "KV_STORE", default_value = DEFAULT_STORE)]
    pub store: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Store a JSON object (`-` reads it from stdin).
    Put {
        collection: String,
        key: String,
        json: String,
        /// Time to live in seconds (fractions allowed).
        #[arg(long, allow_negative_numbers = true)]
        ttl: Option<f64>,
    },
    /// Print the value as compact JSON; exit 1 if missing.
    Get { collection: String, key: String },
    /// Print {"value": ..., "ttl": seconds-or-null}; exit 1 if missing.
    Ttl { collection: String, key: String },
    /// Delete an entry; prints true or false.
    Delete { collection: String, key: String },
    /// List the keys of a collection, one per line.
    Keys {
        collection: String,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// List collections, one per line.
    Collections {
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Copy entries (with their remaining TTL) from one store to another.
    Copy {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Collections to copy (default: every collection the source lists).
        #[arg(long = "collection")]
        collections: Vec<String>,
    },
    /// Run the standard benchmark workload against the store and print a table.
    Bench {
        /// The smaller profile (5 000 keys).
        #[arg(long)]
        quick: bool,
        /// Also write one JSON line per operation to this file.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
        /// Instead of the workload: load this many entries and report the peak RSS of this
        /// process against the JSON size stored (one `load_rss` line).
        #[arg(long, value_name = "ENTRIES")]
        load: Option<u64>,
    },
}
