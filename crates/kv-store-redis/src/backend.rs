//! [`RedisBackend`]: the raw entry operations on Redis (`wire-format.md` §5.1).

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use kv_core::{
    async_trait, Backend, Capabilities, Entry, Error, Name, Result, Stability, Timestamp,
};
use parking_lot::RwLock;

use crate::config::{OwnPoolSpec, PoolSpec};
use crate::layout::{self, collection_pattern, decode, encode, entry_px, redis_key};
use crate::pool::{Guard, Pool};

/// Keys per `SCAN` round.
const SCAN_COUNT: usize = 1000;

/// The Redis backend behind [`RedisStore`](crate::RedisStore).
pub struct RedisBackend {
    pool: RwLock<PoolState>,
    command_timeout: Duration,
    exclusive_database: bool,
}

enum PoolState {
    Pending(Box<OwnPoolSpec>),
    Ready(Pool),
    Closed,
}

impl fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pool = match &*self.pool.read() {
            PoolState::Pending(_) => "own pool (not connected yet)",
            PoolState::Ready(Pool::Owned(..)) => "own pool",
            PoolState::Ready(Pool::User(_)) => "user pool",
            PoolState::Closed => "closed",
        };
        f.debug_struct("RedisBackend")
            .field("pool", &pool)
            .field("command_timeout", &self.command_timeout)
            .field("exclusive_database", &self.exclusive_database)
            .finish()
    }
}

impl RedisBackend {
    pub(crate) fn new(pool: PoolSpec, command_timeout: Duration, exclusive_database: bool) -> Self {
        let state = match pool {
            PoolSpec::Own(spec) => PoolState::Pending(spec),
            PoolSpec::User(pool) => PoolState::Ready(Pool::User(pool)),
        };
        RedisBackend {
            pool: RwLock::new(state),
            command_timeout,
            exclusive_database,
        }
    }

    fn pool(&self) -> Result<Pool> {
        if let PoolState::Ready(pool) = &*self.pool.read() {
            return Ok(pool.clone());
        }
        let mut state = self.pool.write();
        match std::mem::replace(&mut *state, PoolState::Closed) {
            PoolState::Pending(spec) => {
                let pool = spec.build();
                *state = PoolState::Ready(pool.clone());
                Ok(pool)
            }
            PoolState::Ready(pool) => {
                *state = PoolState::Ready(pool.clone());
                Ok(pool)
            }
            PoolState::Closed => Err(Error::setup("store is closed")),
        }
    }

    /// One `SCAN … MATCH pattern` pass to the end (or until `limit` keys), calling `batch`
    /// with each round's keys.
    async fn scan<F>(&self, conn: &mut Guard<'_>, pattern: &str, mut batch: F) -> Result<()>
    where
        F: FnMut(Vec<Vec<u8>>, Vec<Option<Vec<u8>>>) -> bool,
    {
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<Vec<u8>>) = conn
                .query(
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(SCAN_COUNT),
                )
                .await?;
            if !keys.is_empty() {
                let values: Vec<Option<Vec<u8>>> =
                    conn.query(redis::cmd("MGET").arg(&keys)).await?;
                if !batch(keys, values) {
                    return Ok(());
                }
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    /// Deletes `keys` with one `DEL`; returns how many existed.
    async fn del(conn: &mut Guard<'_>, keys: &[Vec<u8>]) -> Result<usize> {
        if keys.is_empty() {
            return Ok(0);
        }
        conn.query(redis::cmd("DEL").arg(keys)).await
    }

    async fn scan_delete<P>(&self, pattern: &str, mut keep: P) -> Result<bool>
    where
        P: FnMut(&[u8]) -> bool,
    {
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        let mut doomed = Vec::new();
        self.scan(&mut conn, pattern, |keys, values| {
            for (key, value) in keys.into_iter().zip(values) {
                if let Some(value) = value {
                    if !keep(&value) {
                        doomed.push(key);
                    }
                }
            }
            true
        })
        .await?;
        let mut removed = 0;
        for chunk in doomed.chunks(SCAN_COUNT) {
            removed += Self::del(&mut conn, chunk).await?;
        }
        Ok(removed > 0)
    }
}

#[async_trait]
impl Backend for RedisBackend {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn stability(&self) -> Stability {
        Stability::Stable
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            keys: true,
            destroy: true,
            destroy_collection: true,
            put_if_absent: true,
            ..Capabilities::NONE
        }
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        let value: Option<Vec<u8>> = conn
            .query(redis::cmd("GET").arg(redis_key(collection, key)))
            .await?;
        drop(conn);
        decode(value.as_deref())
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let mut cmd = redis::cmd("MGET");
        for key in keys {
            cmd.arg(redis_key(collection, key));
        }
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        let values: Vec<Option<Vec<u8>>> = conn.query(&cmd).await?;
        drop(conn);
        values.iter().map(|v| decode(v.as_deref())).collect()
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(redis_key(collection, key))
            .arg(encode(collection, key, &entry));
        if let Some(ms) = entry_px(&entry) {
            cmd.arg("PX").arg(ms);
        }
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        conn.query::<()>(&cmd).await
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        let Some((_, first)) = entries.first() else {
            return Ok(());
        };
        let pool = self.pool()?;
        match entry_px(first) {
            None => {
                let mut cmd = redis::cmd("MSET");
                for (key, entry) in &entries {
                    cmd.arg(redis_key(collection, key))
                        .arg(encode(collection, key, entry));
                }
                let mut conn = pool.get(self.command_timeout).await?;
                conn.query::<()>(&cmd).await
            }
            Some(ms) => {
                let mut pipe = redis::pipe();
                for (key, entry) in &entries {
                    pipe.cmd("SET")
                        .arg(redis_key(collection, key))
                        .arg(encode(collection, key, entry))
                        .arg("PX")
                        .arg(ms)
                        .ignore();
                }
                let mut conn = pool.get(self.command_timeout).await?;
                conn.query_pipe::<()>(&pipe).await
            }
        }
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        _now: Timestamp,
    ) -> Result<bool> {
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        let removed: usize = conn
            .query(redis::cmd("DEL").arg(redis_key(collection, key)))
            .await?;
        Ok(removed > 0)
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        _now: Timestamp,
    ) -> Result<usize> {
        let mut cmd = redis::cmd("DEL");
        for key in keys {
            cmd.arg(redis_key(collection, key));
        }
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        conn.query(&cmd).await
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let prefix = format!("{}::", collection.as_str());
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        self.scan(
            &mut conn,
            &collection_pattern(collection.as_str()),
            |keys, values| {
                for (key, value) in keys.into_iter().zip(values) {
                    let Some(value) = value else { continue };
                    // Unparsable entries are listed (a later get reports them); expired ones are not.
                    if matches!(decode(Some(&value)), Ok(Some(e)) if e.is_expired(now)) {
                        continue;
                    }
                    let Ok(key) = String::from_utf8(key) else {
                        continue;
                    };
                    let Some(name) = key.strip_prefix(&prefix) else {
                        continue;
                    };
                    if seen.insert(name.to_owned()) {
                        out.push(name.to_owned());
                        if out.len() >= limit {
                            return false;
                        }
                    }
                }
                true
            },
        )
        .await?;
        Ok(out)
    }

    async fn destroy(&self) -> Result<bool> {
        if self.exclusive_database {
            let pool = self.pool()?;
            let mut conn = pool.get(self.command_timeout).await?;
            let size: usize = conn.query(&redis::cmd("DBSIZE")).await?;
            conn.query::<()>(&redis::cmd("FLUSHDB")).await?;
            return Ok(size > 0);
        }
        self.scan_delete("*::*", |value| !layout::is_library_value(value))
            .await
    }

    async fn destroy_collection(&self, collection: &Name<'_>) -> Result<bool> {
        self.scan_delete(&collection_pattern(collection.as_str()), |_| false)
            .await
    }

    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        now: Timestamp,
    ) -> Result<bool> {
        let redis_key = redis_key(collection, key);
        let doc = encode(collection, key, &entry);
        let px = entry_px(&entry);
        let mut set = redis::cmd("SET");
        set.arg(&redis_key).arg(&doc);
        if let Some(ms) = px {
            set.arg("PX").arg(ms);
        }
        let pool = self.pool()?;
        let mut conn = pool.get(self.command_timeout).await?;
        let mut set_nx = set.clone();
        set_nx.arg("NX");
        let written: Option<String> = conn.query(&set_nx).await?;
        if written.is_some() {
            return Ok(true);
        }
        // Present natively: replace it only if its envelope is expired, with WATCH/MULTI.
        let outcome = replace_if_expired(&mut conn, &redis_key, &set, now).await;
        if outcome.is_err() {
            // Never hand a connection with a pending WATCH back to the pool.
            conn.retire().await;
        }
        outcome
    }

    async fn close(&self) -> Result<()> {
        // Drops the store's own pool (its connections close); a user's pool is left alone
        // (the user holds their own handle to it).
        *self.pool.write() = PoolState::Closed;
        Ok(())
    }
}

async fn replace_if_expired(
    conn: &mut Guard<'_>,
    redis_key: &str,
    set: &redis::Cmd,
    now: Timestamp,
) -> Result<bool> {
    conn.query::<()>(redis::cmd("WATCH").arg(redis_key)).await?;
    let current: Option<Vec<u8>> = conn.query(redis::cmd("GET").arg(redis_key)).await?;
    let live = match decode(current.as_deref()) {
        Ok(Some(existing)) => existing.is_live(now),
        Ok(None) => false,
        Err(e) => {
            conn.query::<()>(&redis::cmd("UNWATCH")).await?;
            return Err(e);
        }
    };
    if live {
        conn.query::<()>(&redis::cmd("UNWATCH")).await?;
        return Ok(false);
    }
    let mut tx = redis::pipe();
    tx.atomic().add_command(set.clone()).ignore();
    let result: Option<()> = conn.query_pipe(&tx).await?;
    Ok(result.is_some())
}
