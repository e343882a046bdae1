//! The diskcache `Settings` table, the schema and the per-connection pragmas (diskcache 5.6.3).

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::Connection;

/// diskcache's default `size_limit` (1 GiB).
pub(crate) const DEFAULT_SIZE_LIMIT: i64 = 1 << 30;

/// How a full cache chooses rows to evict (diskcache's `eviction_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionPolicy {
    /// Never evict (py-key-value without `max_size`).
    None,
    /// Oldest `store_time` first (diskcache's default; py-key-value with `max_size`).
    LeastRecentlyStored,
    /// Oldest `access_time` first (reads update `access_time`).
    LeastRecentlyUsed,
    /// Lowest `access_count` first (reads increment `access_count`).
    LeastFrequentlyUsed,
}

impl EvictionPolicy {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "none" => EvictionPolicy::None,
            "least-recently-stored" => EvictionPolicy::LeastRecentlyStored,
            "least-recently-used" => EvictionPolicy::LeastRecentlyUsed,
            "least-frequently-used" => EvictionPolicy::LeastFrequentlyUsed,
            _ => return None,
        })
    }

    /// The name stored in `Settings`.
    pub fn as_str(self) -> &'static str {
        match self {
            EvictionPolicy::None => "none",
            EvictionPolicy::LeastRecentlyStored => "least-recently-stored",
            EvictionPolicy::LeastRecentlyUsed => "least-recently-used",
            EvictionPolicy::LeastFrequentlyUsed => "least-frequently-used",
        }
    }

    fn index(self) -> Option<&'static str> {
        match self {
            EvictionPolicy::None => None,
            EvictionPolicy::LeastRecentlyStored => {
                Some("CREATE INDEX IF NOT EXISTS Cache_store_time ON Cache (store_time)")
            }
            EvictionPolicy::LeastRecentlyUsed => {
                Some("CREATE INDEX IF NOT EXISTS Cache_access_time ON Cache (access_time)")
            }
            EvictionPolicy::LeastFrequentlyUsed => {
                Some("CREATE INDEX IF NOT EXISTS Cache_access_count ON Cache (access_count)")
            }
        }
    }

    /// The `ORDER BY` column of eviction.
    pub(crate) fn order_column(self) -> Option<&'static str> {
        match self {
            EvictionPolicy::None => None,
            EvictionPolicy::LeastRecentlyStored => Some("store_time"),
            EvictionPolicy::LeastRecentlyUsed => Some("access_time"),
            EvictionPolicy::LeastFrequentlyUsed => Some("access_count"),
        }
    }
}

/// The settings of one open cache that this crate honours.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) min_file_size: usize,
    pub(crate) policy: EvictionPolicy,
    pub(crate) size_limit: i64,
    pub(crate) cull_limit: i64,
    /// `sqlite_*` settings, applied as pragmas on every connection.
    pub(crate) pragmas: Vec<(String, Value)>,
}

const METADATA: [&str; 4] = ["count", "size", "hits", "misses"];

fn defaults() -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("statistics", Value::Integer(0));
    put("tag_index", Value::Integer(0));
    put(
        "eviction_policy",
        Value::Text("least-recently-stored".into()),
    );
    put("size_limit", Value::Integer(DEFAULT_SIZE_LIMIT));
    put("cull_limit", Value::Integer(10));
    put("sqlite_auto_vacuum", Value::Integer(1));
    put("sqlite_cache_size", Value::Integer(8192));
    put("sqlite_journal_mode", Value::Text("wal".into()));
    put("sqlite_mmap_size", Value::Integer(1 << 26));
    put("sqlite_synchronous", Value::Integer(1));
    put("disk_min_file_size", Value::Integer(1 << 15));
    put("disk_pickle_protocol", Value::Integer(5));
    m
}

fn as_i64(v: Option<&Value>, default: i64) -> i64 {
    match v {
        Some(Value::Integer(i)) => *i,
        Some(Value::Real(f)) => *f as i64,
        Some(Value::Text(t)) => t.trim().parse().unwrap_or(default),
        _ => default,
    }
}

/// Reads `Settings` (empty if the table does not exist yet).
pub(crate) fn read_current(conn: &Connection) -> BTreeMap<String, Value> {
    let Ok(mut stmt) = conn.prepare("SELECT key, value FROM Settings") else {
        return BTreeMap::new();
    };
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Value>(1)?)));
    match rows {
        Ok(rows) => rows.filter_map(|r| r.ok()).collect(),
        Err(_) => BTreeMap::new(),
    }
}

/// Applies one `sqlite_*` setting as a pragma, the way diskcache's `reset()` does.
pub(crate) fn apply_pragma(conn: &Connection, key: &str, value: &Value) -> rusqlite::Result<()> {
    let Some(pragma) = key.strip_prefix("sqlite_") else {
        return Ok(());
    };
    let literal = match value {
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) if t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => t.clone(),
        _ => return Ok(()),
    };
    if !pragma
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Ok(());
    }
    // Some pragmas (journal_mode) return a row; step through whatever comes back.
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma} = {literal}"))?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// Applies the per-connection pragmas of `settings`.
pub(crate) fn apply_pragmas(conn: &Connection, settings: &Settings) -> rusqlite::Result<()> {
    for (key, value) in &settings.pragmas {
        apply_pragma(conn, key, value)?;
    }
    Ok(())
}

/// Creates or updates the cache in `conn` like diskcache's `Cache.__init__`, with this project's
/// `max_size` choice, and returns the settings in force. `page_size` applies only to a database
/// that has no pages yet (SQLite cannot change it later in WAL mode).
pub(crate) fn initialize(
    conn: &Connection,
    max_size: Option<u64>,
    page_size: u32,
) -> rusqlite::Result<Settings> {
    let current = read_current(conn);
    let mut sets = defaults();
    sets.extend(current.clone());
    match max_size.filter(|m| *m > 0) {
        Some(max) => {
            sets.insert(
                "size_limit".into(),
                Value::Integer(i64::try_from(max).unwrap_or(i64::MAX)),
            );
            // diskcache keeps a foreign cache's policy; a cache without eviction gets LRS.
            let policy = match sets.get("eviction_policy") {
                Some(Value::Text(t)) => EvictionPolicy::parse(t),
                _ => None,
            };
            if matches!(policy, None | Some(EvictionPolicy::None)) {
                sets.insert(
                    "eviction_policy".into(),
                    Value::Text(EvictionPolicy::LeastRecentlyStored.as_str().into()),
                );
            }
        }
        None => {
            sets.insert("eviction_policy".into(), Value::Text("none".into()));
        }
    }
    for key in METADATA {
        sets.remove(key);
    }
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    if pages == 0 {
        conn.execute_batch(&format!("PRAGMA page_size = {page_size}"))?;
    }
    // Pragmas before any table is created (auto_vacuum only works on an empty database).
    for (key, value) in &sets {
        apply_pragma(conn, key, value)?;
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        conn.execute(
            "CREATE TABLE IF NOT EXISTS Settings ( key TEXT NOT NULL UNIQUE, value)",
            [],
        )?;
        for (key, value) in &sets {
            conn.execute(
                "INSERT OR REPLACE INTO Settings VALUES (?, ?)",
                rusqlite::params![key, value],
            )?;
        }
        for key in METADATA {
            conn.execute(
                "INSERT OR IGNORE INTO Settings VALUES (?, 0)",
                rusqlite::params![key],
            )?;
        }
        conn.execute_batch(SCHEMA)?;
        if let Some(Value::Text(policy)) = sets.get("eviction_policy") {
            if let Some(index) = EvictionPolicy::parse(policy).and_then(EvictionPolicy::index) {
                conn.execute(index, [])?;
            }
        }
        if as_i64(sets.get("tag_index"), 0) != 0 {
            conn.execute(
                "CREATE INDEX IF NOT EXISTS Cache_tag_rowid ON Cache(tag, rowid)",
                [],
            )?;
        } else {
            conn.execute("DROP INDEX IF EXISTS Cache_tag_rowid", [])?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    Ok(from_map(&sets))
}

fn from_map(sets: &BTreeMap<String, Value>) -> Settings {
    let policy = match sets.get("eviction_policy") {
        Some(Value::Text(t)) => EvictionPolicy::parse(t).unwrap_or(EvictionPolicy::None),
        _ => EvictionPolicy::None,
    };
    Settings {
        min_file_size: usize::try_from(as_i64(sets.get("disk_min_file_size"), 1 << 15).max(0))
            .unwrap_or(usize::MAX),
        policy,
        size_limit: as_i64(sets.get("size_limit"), DEFAULT_SIZE_LIMIT),
        cull_limit: as_i64(sets.get("cull_limit"), 10).max(0),
        pragmas: sets
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "sqlite_cache_size" | "sqlite_mmap_size" | "sqlite_synchronous"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

/// The tables, indexes and triggers (diskcache writes the trigger literals in double quotes;
/// single quotes are equivalent and also work with `SQLITE_DQS=0`).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS Cache ( rowid INTEGER PRIMARY KEY, key BLOB, raw INTEGER, store_time REAL, expire_time REAL, access_time REAL, access_count INTEGER DEFAULT 0, tag BLOB, size INTEGER DEFAULT 0, mode INTEGER DEFAULT 0, filename TEXT, value BLOB);
CREATE UNIQUE INDEX IF NOT EXISTS Cache_key_raw ON Cache(key, raw);
CREATE INDEX IF NOT EXISTS Cache_expire_time ON Cache (expire_time);
CREATE TRIGGER IF NOT EXISTS Settings_count_insert AFTER INSERT ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value + 1 WHERE key = 'count'; END;
CREATE TRIGGER IF NOT EXISTS Settings_count_delete AFTER DELETE ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value - 1 WHERE key = 'count'; END;
CREATE TRIGGER IF NOT EXISTS Settings_size_insert AFTER INSERT ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value + NEW.size WHERE key = 'size'; END;
CREATE TRIGGER IF NOT EXISTS Settings_size_update AFTER UPDATE ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value + NEW.size - OLD.size WHERE key = 'size'; END;
CREATE TRIGGER IF NOT EXISTS Settings_size_delete AFTER DELETE ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value - OLD.size WHERE key = 'size'; END;
";
