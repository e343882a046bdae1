//! Entry rows of the diskcache `Cache` table: read, upsert, delete, cull and evict exactly as
//! diskcache 5.6.3 does for `raw = 1` text keys (wire-format §5.12). Blocking code.

use std::io::Write;
use std::path::{Path, MAIN_SEPARATOR};
use std::time::{SystemTime, UNIX_EPOCH};

use kv_core::codec::envelope;
use kv_core::{Entry, Error, ErrorKind, Result, Timestamp};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use crate::cache::Cache;
use crate::error;
use crate::settings::EvictionPolicy;

/// diskcache `MODE_RAW`: the value column holds the value.
pub const MODE_RAW: i64 = 1;
/// diskcache `MODE_TEXT`: the value lives in a UTF-8 file named by `filename`.
pub const MODE_TEXT: i64 = 3;

const SELECT_LIVE: &str = "SELECT rowid, expire_time, mode, filename, value FROM Cache \
     WHERE key = ? AND raw = 1 AND (expire_time IS NULL OR expire_time > ?)";

/// Now as diskcache's `time.time()`.
pub(crate) fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// An `expire_time` (REAL epoch seconds) as a timestamp, to the nearest microsecond.
pub(crate) fn expire_timestamp(secs: f64) -> Option<Timestamp> {
    if secs.is_nan() {
        return None;
    }
    if secs <= 0.0 {
        return Some(Timestamp::UNIX_EPOCH);
    }
    Timestamp::from_unix_micros((secs * 1e6).round() as i64)
}

/// A value ready for the `Cache` table: inline text or an already written `.val` file.
#[derive(Debug)]
pub(crate) enum Stored {
    /// `mode = 1`, `value` = the text.
    Inline(String),
    /// `mode = 3`, `filename` relative to the cache directory, `size` in bytes.
    File { filename: String, size: i64 },
}

/// One row to write.
#[derive(Debug)]
pub(crate) struct NewRow {
    pub(crate) key: String,
    pub(crate) expire_time: Option<f64>,
    pub(crate) stored: Stored,
}

impl Cache {
    /// Prepares a row for `doc`, writing the value file first when the text is long
    /// (`chars >= disk_min_file_size`; the envelope is ASCII, so chars = bytes).
    pub(crate) fn prepare(&self, key: String, doc: String, entry: &Entry) -> Result<NewRow> {
        let expire_time = entry.expires_at.map(Timestamp::unix_seconds_f64);
        // diskcache would store it and evict it (and older rows) at once; refuse it instead.
        let row_size = doc.len().saturating_add(key.len());
        if self.settings.policy != EvictionPolicy::None
            && i64::try_from(row_size).unwrap_or(i64::MAX) > self.settings.size_limit
        {
            return Err(Error::new(
                ErrorKind::ValueTooLarge,
                format!(
                    "entry of {row_size} bytes exceeds the cache's size limit of {} bytes",
                    self.settings.size_limit
                ),
            ));
        }
        let stored = if doc.chars().count() < self.settings.min_file_size {
            Stored::Inline(doc)
        } else {
            let (filename, size) = self.write_file(doc.as_bytes())?;
            Stored::File { filename, size }
        };
        Ok(NewRow {
            key,
            expire_time,
            stored,
        })
    }

    fn write_file(&self, bytes: &[u8]) -> Result<(String, i64)> {
        let mut random = [0u8; 16];
        getrandom::getrandom(&mut random)
            .map_err(|e| Error::backend(false, format!("no randomness for a file name: {e}")))?;
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let sub = self.dir.join(&hex[0..2]).join(&hex[2..4]);
        let filename = format!(
            "{}{MAIN_SEPARATOR}{}{MAIN_SEPARATOR}{}.val",
            &hex[0..2],
            &hex[2..4],
            &hex[4..]
        );
        let full = self.dir.join(&filename);
        let mut last_err = None;
        for _ in 0..10 {
            let _ = std::fs::create_dir_all(&sub);
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&full)
            {
                Ok(mut file) => {
                    file.write_all(bytes)
                        .map_err(|e| error::io("writing a value file", e))?;
                    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
                    return Ok((filename, size));
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(error::io(
            "creating a value file",
            last_err.unwrap_or_else(|| std::io::Error::other("unknown")),
        ))
    }

    /// Removes a value file and its two (then empty) parent directories, ignoring errors.
    pub(crate) fn remove_file(&self, filename: &str) {
        let full = self.dir.join(filename);
        let _ = std::fs::remove_file(&full);
        let mut dir = full.parent();
        for _ in 0..2 {
            let Some(d) = dir else { break };
            if d == self.dir || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }

    fn decode_row(&self, row: &Row<'_>) -> Result<Option<Entry>> {
        let expire_time: Option<f64> = row.get(1).map_err(error::sqlite)?;
        let mode: i64 = row.get(2).map_err(error::sqlite)?;
        let mut entry = match mode {
            MODE_RAW => match row.get_ref(4).map_err(error::sqlite)? {
                ValueRef::Text(text) => envelope::decode(text)?,
                other => {
                    return Err(Error::deserialization(format!(
                        "diskcache row holds a {:?} value in mode 1, not the envelope text",
                        other.data_type()
                    )))
                }
            },
            MODE_TEXT => {
                let filename: Option<String> = row.get(3).map_err(error::sqlite)?;
                let Some(filename) = filename else {
                    return Err(Error::deserialization(
                        "diskcache row in mode 3 has no filename",
                    ));
                };
                match std::fs::read(self.dir.join(Path::new(&filename))) {
                    Ok(bytes) => envelope::decode(&bytes)?,
                    // Deleted by another process between the SELECT and the read.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(error::io("reading a value file", e)),
                }
            }
            other => {
                return Err(Error::deserialization(format!(
                    "diskcache row has mode {other} (2 = binary, 4 = pickle), which this store never reads"
                )))
            }
        };
        entry.clamp_expiry(expire_time.and_then(expire_timestamp));
        Ok(Some(entry))
    }

    /// `Cache.get(key, expire_time=True)`: the live row's entry.
    pub(crate) fn get(&self, conn: &mut Connection, key: &str) -> Result<Option<Entry>> {
        if let Some(update) = self.read_update() {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(error::sqlite)?;
            let found = self.get_with(&tx, key, Some(update))?;
            tx.commit().map_err(error::sqlite)?;
            return Ok(found);
        }
        self.get_with(conn, key, None)
    }

    /// Reads many keys, one slot per key.
    pub(crate) fn get_many(
        &self,
        conn: &mut Connection,
        keys: &[String],
    ) -> Result<Vec<Option<Entry>>> {
        let update = self.read_update();
        let tx = conn
            .transaction_with_behavior(if update.is_some() {
                TransactionBehavior::Immediate
            } else {
                TransactionBehavior::Deferred
            })
            .map_err(error::sqlite)?;
        let out = keys
            .iter()
            .map(|k| self.get_with(&tx, k, update))
            .collect::<Result<Vec<_>>>()?;
        tx.commit().map_err(error::sqlite)?;
        Ok(out)
    }

    /// Reads of a foreign cache with an access-based policy update the row, like diskcache.
    fn read_update(&self) -> Option<EvictionPolicy> {
        match self.settings.policy {
            p @ (EvictionPolicy::LeastRecentlyUsed | EvictionPolicy::LeastFrequentlyUsed) => {
                Some(p)
            }
            _ => None,
        }
    }

    fn get_with(
        &self,
        conn: &Connection,
        key: &str,
        update: Option<EvictionPolicy>,
    ) -> Result<Option<Entry>> {
        let now = now_secs();
        let mut stmt = conn.prepare_cached(SELECT_LIVE).map_err(error::sqlite)?;
        let mut rows = stmt.query(params![key, now]).map_err(error::sqlite)?;
        let Some(row) = rows.next().map_err(error::sqlite)? else {
            return Ok(None);
        };
        let entry = self.decode_row(row)?;
        if let (Some(update), Some(_)) = (update, &entry) {
            let rowid: i64 = row.get(0).map_err(error::sqlite)?;
            let result = if update == EvictionPolicy::LeastRecentlyUsed {
                conn.prepare_cached("UPDATE Cache SET access_time = ? WHERE rowid = ?")
                    .and_then(|mut s| s.execute(params![now_secs(), rowid]))
            } else {
                conn.prepare_cached(
                    "UPDATE Cache SET access_count = access_count + 1 WHERE rowid = ?",
                )
                .and_then(|mut s| s.execute([rowid]))
            };
            result.map_err(error::sqlite)?;
        }
        Ok(entry)
    }

    /// `Cache.set` for each row in one `BEGIN IMMEDIATE` transaction (upsert, then cull, per row).
    pub(crate) fn put_many(&self, conn: &mut Connection, rows: Vec<NewRow>) -> Result<()> {
        let result = self.put_many_inner(conn, &rows);
        if result.is_err() {
            self.discard(&rows);
        }
        result
    }

    fn put_many_inner(&self, conn: &mut Connection, rows: &[NewRow]) -> Result<()> {
        let base = now_secs();
        let mut cleanup = Vec::new();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(error::sqlite)?;
        for (i, row) in rows.iter().enumerate() {
            // Like diskcache's successive `set` calls: strictly increasing store times, so
            // least-recently-stored eviction keeps a batch's last rows.
            let now = base + i as f64 * 1e-6;
            upsert(&tx, row, now, &mut cleanup)?;
            self.cull(&tx, now, base, &mut cleanup)?;
        }
        tx.commit().map_err(error::sqlite)?;
        for filename in cleanup {
            self.remove_file(&filename);
        }
        Ok(())
    }

    /// Writes `row` only if no live entry exists under its key; `true` iff written.
    pub(crate) fn put_if_absent(
        &self,
        conn: &mut Connection,
        row: NewRow,
        now: Timestamp,
    ) -> Result<bool> {
        let rows = [row];
        let result = (|| {
            let secs = now_secs();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(error::sqlite)?;
            if self.live_row(&tx, &rows[0].key, secs, now)?.is_some() {
                return Ok(false);
            }
            let mut cleanup = Vec::new();
            upsert(&tx, &rows[0], secs, &mut cleanup)?;
            self.cull(&tx, secs, secs, &mut cleanup)?;
            tx.commit().map_err(error::sqlite)?;
            for filename in cleanup {
                self.remove_file(&filename);
            }
            Ok(true)
        })();
        if !matches!(result, Ok(true)) {
            self.discard(&rows);
        }
        result
    }

    fn discard(&self, rows: &[NewRow]) {
        for row in rows {
            if let Stored::File { filename, .. } = &row.stored {
                self.remove_file(filename);
            }
        }
    }

    /// The row of `key` if it holds an entry live at `now`: `(rowid, filename, live)`.
    /// Rows that cannot be decoded count as live (they are entries, if corrupted ones).
    fn live_row(
        &self,
        conn: &Connection,
        key: &str,
        secs: f64,
        now: Timestamp,
    ) -> Result<Option<(i64, Option<String>)>> {
        Ok(self
            .row_state(conn, key, secs, now)?
            .filter(|(_, _, live)| *live)
            .map(|(rowid, filename, _)| (rowid, filename)))
    }

    fn row_state(
        &self,
        conn: &Connection,
        key: &str,
        secs: f64,
        now: Timestamp,
    ) -> Result<Option<(i64, Option<String>, bool)>> {
        let mut stmt = conn.prepare_cached(SELECT_LIVE).map_err(error::sqlite)?;
        let mut rows = stmt.query(params![key, secs]).map_err(error::sqlite)?;
        let Some(row) = rows.next().map_err(error::sqlite)? else {
            return Ok(None);
        };
        let rowid: i64 = row.get(0).map_err(error::sqlite)?;
        let filename: Option<String> = row.get(3).map_err(error::sqlite)?;
        let live = match self.decode_row(row) {
            Ok(Some(entry)) => entry.is_live(now),
            Ok(None) => false,
            Err(_) => true,
        };
        Ok(Some((rowid, filename, live)))
    }

    /// `Cache.delete` for each key in one transaction; counts the keys that held a live entry.
    /// Rows whose envelope already expired are removed too but not counted.
    pub(crate) fn delete_many(
        &self,
        conn: &mut Connection,
        keys: &[String],
        now: Timestamp,
    ) -> Result<usize> {
        let secs = now_secs();
        let mut cleanup = Vec::new();
        let mut count = 0;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(error::sqlite)?;
        for key in keys {
            if let Some((rowid, filename, live)) = self.row_state(&tx, key, secs, now)? {
                tx.prepare_cached("DELETE FROM Cache WHERE rowid = ?")
                    .and_then(|mut s| s.execute([rowid]))
                    .map_err(error::sqlite)?;
                cleanup.extend(filename);
                count += usize::from(live);
            }
        }
        tx.commit().map_err(error::sqlite)?;
        for filename in cleanup {
            self.remove_file(&filename);
        }
        Ok(count)
    }

    /// Row keys starting with `prefix` whose entries are live (or unreadable: those are listed,
    /// and a later read reports them), in key order, at most `limit`.
    pub(crate) fn keys_with_prefix(
        &self,
        conn: &mut Connection,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>> {
        // TEXT keys compare bytewise: [prefix, prefix with its last byte + 1) is the prefix range.
        let mut upper = prefix.as_bytes().to_vec();
        if let Some(last) = upper.last_mut() {
            *last += 1;
        }
        let upper = String::from_utf8(upper).map_err(|e| Error::backend(false, e.to_string()))?;
        let tx = conn.transaction().map_err(error::sqlite)?;
        let candidates: Vec<String> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT key FROM Cache WHERE raw = 1 AND typeof(key) = 'text' \
                     AND key >= ?1 AND key < ?2 AND (expire_time IS NULL OR expire_time > ?3) \
                     ORDER BY key",
                )
                .map_err(error::sqlite)?;
            let rows = stmt
                .query_map(params![prefix, upper, now_secs()], |r| {
                    r.get::<_, String>(0)
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(error::sqlite)?;
            rows
        };
        let mut out = Vec::new();
        for key in candidates {
            if out.len() >= limit {
                break;
            }
            match self.get_with(&tx, &key, None) {
                Ok(None) => {}
                Ok(Some(_)) | Err(_) => out.push(key),
            }
        }
        tx.commit().map_err(error::sqlite)?;
        Ok(out)
    }

    /// The distinct `collection` parts of `collection::key` row keys, at most `limit`.
    pub(crate) fn collection_prefixes(
        &self,
        conn: &mut Connection,
        limit: usize,
    ) -> Result<Vec<String>> {
        let mut stmt = conn
            .prepare_cached(
                "SELECT DISTINCT substr(key, 1, instr(key, '::') - 1) FROM Cache \
                 WHERE raw = 1 AND typeof(key) = 'text' AND instr(key, '::') > 0 ORDER BY 1 LIMIT ?1",
            )
            .map_err(error::sqlite)?;
        let names = stmt
            .query_map([limit as i64], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(error::sqlite)?;
        Ok(names)
    }

    /// Removes every row whose `expire_time` has passed (diskcache's `expire()`).
    pub(crate) fn expire_all(&self, conn: &mut Connection) -> Result<usize> {
        let now = now_secs();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(error::sqlite)?;
        let filenames = {
            let mut stmt = tx
                .prepare(
                    "SELECT filename FROM Cache WHERE expire_time IS NOT NULL AND expire_time < ?",
                )
                .map_err(error::sqlite)?;
            let names = stmt
                .query_map([now], |r| r.get::<_, Option<String>>(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(error::sqlite)?;
            names
        };
        let removed = tx
            .execute(
                "DELETE FROM Cache WHERE expire_time IS NOT NULL AND expire_time < ?",
                [now],
            )
            .map_err(error::sqlite)?;
        tx.commit().map_err(error::sqlite)?;
        for filename in filenames.into_iter().flatten() {
            self.remove_file(&filename);
        }
        Ok(removed)
    }

    /// diskcache's `_cull`: up to `cull_limit` expired rows, then (policy permitting and the
    /// cache at or over `size_limit`) up to the rest of the budget by policy, among rows stored
    /// before `older_than` (the start of the current write: one transaction does not free pages,
    /// so a batch would otherwise evict its own rows).
    fn cull(
        &self,
        conn: &Connection,
        now: f64,
        older_than: f64,
        cleanup: &mut Vec<String>,
    ) -> Result<()> {
        let mut limit = self.settings.cull_limit;
        if limit == 0 {
            return Ok(());
        }
        let expired = select_filenames(
            conn,
            "SELECT rowid, filename FROM Cache WHERE expire_time IS NOT NULL AND expire_time < ? \
             ORDER BY expire_time LIMIT ?",
            params![now, limit],
        )?;
        if !expired.is_empty() {
            delete_rows(conn, &expired, cleanup)?;
            limit -= expired.len() as i64;
            if limit <= 0 {
                return Ok(());
            }
        }
        let Some(column) = self.settings.policy.order_column() else {
            return Ok(());
        };
        if self.volume(conn)? < self.settings.size_limit {
            return Ok(());
        }
        let victims = select_filenames(
            conn,
            &format!(
                "SELECT rowid, filename FROM Cache WHERE store_time < ? \
                 ORDER BY {column}, rowid LIMIT ?"
            ),
            params![older_than, limit],
        )?;
        delete_rows(conn, &victims, cleanup)
    }

    /// `page_count × page_size + Settings.size` (diskcache's `volume()`).
    fn volume(&self, conn: &Connection) -> Result<i64> {
        let pages: i64 = conn
            .prepare_cached("PRAGMA page_count")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(error::sqlite)?;
        let size: i64 = conn
            .prepare_cached("SELECT value FROM Settings WHERE key = 'size'")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, Option<i64>>(0)))
            .optional()
            .map_err(error::sqlite)?
            .flatten()
            .unwrap_or(0);
        Ok(pages.saturating_mul(self.page_size).saturating_add(size))
    }
}

fn select_filenames(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<(i64, Option<String>)>> {
    let mut stmt = conn.prepare_cached(sql).map_err(error::sqlite)?;
    let rows = stmt
        .query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(error::sqlite)?;
    Ok(rows)
}

fn delete_rows(
    conn: &Connection,
    rows: &[(i64, Option<String>)],
    cleanup: &mut Vec<String>,
) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("DELETE FROM Cache WHERE rowid = ?")
        .map_err(error::sqlite)?;
    for (rowid, filename) in rows {
        stmt.execute([rowid]).map_err(error::sqlite)?;
        cleanup.extend(filename.clone());
    }
    Ok(())
}

/// diskcache's SELECT-then-UPDATE-or-INSERT of `Cache.set` (the old file goes to `cleanup`).
fn upsert(conn: &Connection, row: &NewRow, now: f64, cleanup: &mut Vec<String>) -> Result<()> {
    let (size, mode, filename, value): (i64, i64, Option<&str>, Option<&str>) = match &row.stored {
        Stored::Inline(text) => (0, MODE_RAW, None, Some(text.as_str())),
        Stored::File { filename, size } => (*size, MODE_TEXT, Some(filename.as_str()), None),
    };
    let existing: Option<(i64, Option<String>)> = conn
        .prepare_cached("SELECT rowid, filename FROM Cache WHERE key = ? AND raw = 1")
        .and_then(|mut s| {
            s.query_row([&row.key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(error::sqlite)?;
    match existing {
        Some((rowid, old_filename)) => {
            cleanup.extend(old_filename);
            conn.prepare_cached(
                "UPDATE Cache SET store_time = ?, expire_time = ?, access_time = ?, \
                 access_count = ?, tag = ?, size = ?, mode = ?, filename = ?, value = ? \
                 WHERE rowid = ?",
            )
            .and_then(|mut s| {
                s.execute(params![
                    now,
                    row.expire_time,
                    now,
                    0,
                    None::<&str>,
                    size,
                    mode,
                    filename,
                    value,
                    rowid
                ])
            })
            .map_err(error::sqlite)?;
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO Cache( key, raw, store_time, expire_time, access_time, \
                 access_count, tag, size, mode, filename, value) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.key,
                    1,
                    now,
                    row.expire_time,
                    now,
                    0,
                    None::<&str>,
                    size,
                    mode,
                    filename,
                    value
                ])
            })
            .map_err(error::sqlite)?;
        }
    }
    Ok(())
}
