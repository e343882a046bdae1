//! [`MemcachedBackend`]: the raw entry operations on memcached.

use std::collections::HashMap;
use std::fmt;

use async_memcached::{AsciiProtocol, Error as McError, MetaProtocol, Status};
use async_trait::async_trait;
use kv_core::codec::envelope;
use kv_core::{Backend, Capabilities, Entry, Error, Name, Result, Stability, Timestamp};

use crate::layout::{exptime, KeyStrategy};
use crate::pool::Pool;

/// How often `put_if_absent` retries when the key changes between `add` and `cas`.
const PUT_IF_ABSENT_ATTEMPTS: usize = 4;

/// The memcached [`Backend`]: key `collection::key` (after the [`KeyStrategy`]), value the
/// envelope, flags 0, exptime per `semantics.md` §3.
///
/// Use it through [`MemcachedStore`](crate::MemcachedStore).
pub struct MemcachedBackend {
    pub(crate) pool: Pool,
    pub(crate) keys: KeyStrategy,
    pub(crate) exclusive_server: bool,
    pub(crate) address: String,
}

impl fmt::Debug for MemcachedBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemcachedBackend")
            .field("address", &self.address)
            .field("keys", &self.keys)
            .field("exclusive_server", &self.exclusive_server)
            .finish_non_exhaustive()
    }
}

impl MemcachedBackend {
    fn key(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<String> {
        self.keys
            .memcached_key(collection.as_str(), key.as_str())
            .map_err(|e| e.with_key(key.given))
    }

    fn encode(collection: &Name<'_>, key: &Name<'_>, entry: &Entry) -> String {
        envelope::encode(entry, Some((key.given, collection.given)))
    }

    /// `add`: `true` if stored, `false` if the key exists.
    async fn add(&self, key: &str, doc: &str, exptime: i64) -> Result<bool> {
        let mut conn = self.pool.get().await?;
        conn.run(|c| async move {
            match c.add(key, doc, Some(exptime), Some(0)).await {
                Ok(()) => Ok(true),
                Err(McError::Protocol(Status::NotStored)) => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// `mg key v c`: the stored bytes and their CAS token, if any.
    async fn gets(&self, key: &str) -> Result<Option<(Vec<u8>, u64)>> {
        let mut conn = self.pool.get().await?;
        let found = conn
            .run(|c| async move { c.meta_get(key, false, None, Some(&["v", "c"])).await })
            .await?;
        Ok(found.and_then(|v| Some((v.data?, v.cas?))))
    }

    /// `ms key S C<cas> T<exptime> F0`: `Some(true)` stored, `Some(false)` someone else changed
    /// it, `None` it vanished.
    async fn cas(&self, key: &str, doc: &str, cas: u64, exptime: i64) -> Result<Option<bool>> {
        let cas_flag = format!("C{cas}");
        let ttl_flag = format!("T{exptime}");
        let flags: Vec<&str> = if exptime == 0 {
            vec![&cas_flag, "F0"]
        } else {
            vec![&cas_flag, &ttl_flag, "F0"]
        };
        let flags = &flags;
        let mut conn = self.pool.get().await?;
        conn.run(|c| async move {
            match c.meta_set(key, doc, false, None, Some(flags)).await {
                Ok(_) => Ok(Some(true)),
                Err(McError::Protocol(Status::Exists)) => Ok(Some(false)),
                Err(McError::Protocol(Status::NotFound)) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
    }
}

impl MemcachedBackend {
    /// Whether the server holds any live item: the first entry of `lru_crawler metadump all`
    /// (flushed and expired items are not listed). A refused dump (crawler busy) counts as yes.
    async fn holds_anything(&self) -> Result<bool> {
        let mut conn = self.pool.get().await?;
        conn.run(|c| async move {
            let mut dump = c.dump_keys().await?;
            Ok(match dump.next().await {
                Some(Ok(_)) => true, // dropping the unfinished dump closes (and retires) the connection
                None => false,
                Some(Err(McError::Protocol(_))) => true,
                Some(Err(e)) => return Err(e),
            })
        })
        .await
    }

    /// The stored bytes of every key of `mkeys` that memcached holds, in one round trip.
    async fn fetch(&self, mkeys: &[String]) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        let mut conn = self.pool.get().await?;
        let found: Vec<(Vec<u8>, Vec<u8>)> = if mkeys.iter().all(|k| k.is_ascii()) {
            // One `get k1 k2 …`.
            conn.run(|c| async move {
                match c.get_multi(mkeys).await {
                    Ok(values) => Ok(values),
                    // async-memcached reports "none of the keys exist" as an error.
                    Err(McError::Protocol(Status::NotFound)) => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .await?
            .into_iter()
            .filter_map(|v| Some((v.key, v.data?)))
            .collect()
        } else {
            // async-memcached cannot parse non-ASCII keys in `VALUE` lines; one pipeline of
            // quiet `mg <key> v k q` + `mn` is still one round trip.
            conn.run(|c| async move { c.meta_get_multi(mkeys, Some(&["v"])).await })
                .await?
                .into_iter()
                .filter_map(|v| Some((v.key?, v.data?)))
                .collect()
        };
        Ok(found.into_iter().collect())
    }

    /// Deletes every key of `mkeys` in one round trip: the `delete … noreply` commands written
    /// together, then `version`, whose reply comes after memcached has run all of them (it
    /// answers one connection's commands in order).
    async fn delete_all(&self, mkeys: &[String]) -> Result<()> {
        let mut conn = self.pool.get().await?;
        conn.run(|c| async move {
            c.delete_multi_no_reply(mkeys).await?;
            c.version().await.map(drop)
        })
        .await
    }
}

fn decode(data: &[u8]) -> Result<Entry> {
    envelope::decode(data)
}

#[async_trait]
impl Backend for MemcachedBackend {
    fn name(&self) -> &'static str {
        "memcached"
    }

    fn stability(&self) -> Stability {
        Stability::Unstable
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            destroy: self.exclusive_server,
            put_if_absent: true,
            ..Capabilities::NONE
        }
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let mkey = self.key(collection, key)?;
        let mkey = mkey.as_str();
        let mut conn = self.pool.get().await?;
        let data = if mkey.is_ascii() {
            conn.run(|c| async move { c.get(mkey).await })
                .await?
                .and_then(|v| v.data)
        } else {
            // async-memcached cannot parse non-ASCII keys in `VALUE <key>` lines: `mg` does
            // not echo the key.
            conn.run(|c| async move { c.meta_get(mkey, false, None, Some(&["v"])).await })
                .await?
                .and_then(|v| v.data)
        };
        drop(conn);
        match data {
            Some(data) => decode(&data).map(Some),
            None => Ok(None),
        }
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let mkeys = keys
            .iter()
            .map(|k| self.key(collection, k))
            .collect::<Result<Vec<_>>>()?;
        let found = self.fetch(&mkeys).await?;
        mkeys
            .iter()
            .zip(keys)
            // `get` (not `remove`): a key asked for twice is answered twice.
            .map(|(mkey, key)| match found.get(mkey.as_bytes()) {
                Some(data) => decode(data).map(Some).map_err(|e| e.with_key(key.given)),
                None => Ok(None),
            })
            .collect()
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let mkey = self.key(collection, key)?;
        let doc = Self::encode(collection, key, &entry);
        let exptime = exptime(entry.expires_at, Timestamp::now());
        let (mkey, doc) = (mkey.as_str(), doc.as_str());
        let mut conn = self.pool.get().await?;
        conn.run(|c| async move { c.set(mkey, doc, Some(exptime), Some(0)).await })
            .await
    }

    /// One pipeline on one connection: every `set` is written, then every reply read (memcached
    /// has no multi-key set; this is one round trip). The batch shares one `expires_at`.
    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        let Some(expires_at) = entries.first().map(|(_, e)| e.expires_at) else {
            return Ok(());
        };
        let batch = entries
            .iter()
            .map(|(key, entry)| {
                Ok((
                    self.key(collection, key)?,
                    Self::encode(collection, key, entry),
                ))
            })
            .collect::<Result<Vec<(String, String)>>>()?;
        let pairs: Vec<(&str, &str)> = batch
            .iter()
            .map(|(k, d)| (k.as_str(), d.as_str()))
            .collect();
        let pairs = &pairs;
        let exptime = exptime(expires_at, Timestamp::now());
        let mut conn = self.pool.get().await?;
        let results = conn
            .run(|c| async move {
                let results = c.set_multi(pairs, Some(exptime), Some(0)).await?;
                Ok(results
                    .into_iter()
                    .find_map(|(k, r)| r.err().map(|e| (k.to_string(), e))))
            })
            .await?;
        match results {
            None => Ok(()),
            Some((key, err)) => {
                let (err, _) = crate::error::from_memcached(err);
                Err(err.with_key(key))
            }
        }
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        _now: Timestamp,
    ) -> Result<bool> {
        let mkey = self.key(collection, key)?;
        let mkey = mkey.as_str();
        let mut conn = self.pool.get().await?;
        conn.run(|c| async move {
            match c.delete(mkey).await {
                Ok(()) => Ok(true),
                Err(McError::Protocol(Status::NotFound)) => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Two round trips whatever the batch size: one read of the current values (to count the
    /// entries that were live; a value that does not decode counts, it is an entry) and one
    /// pipeline of deletes. A key written by someone else between the two is deleted but not
    /// counted.
    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        let mkeys = keys
            .iter()
            .map(|k| self.key(collection, k))
            .collect::<Result<Vec<_>>>()?;
        let found = self.fetch(&mkeys).await?;
        let live = found
            .values()
            .filter(|data| decode(data).map_or(true, |entry| entry.is_live(now)))
            .count();
        if !found.is_empty() {
            self.delete_all(&mkeys).await?;
        }
        Ok(live)
    }

    /// `add`; when the key exists, read it with its CAS token and, if the envelope says it is
    /// expired (memcached's native expiry lags by up to a second), replace it with `cas`.
    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        _now: Timestamp,
    ) -> Result<bool> {
        let mkey = self.key(collection, key)?;
        let doc = Self::encode(collection, key, &entry);
        for _ in 0..PUT_IF_ABSENT_ATTEMPTS {
            let ttl = exptime(entry.expires_at, Timestamp::now());
            if self.add(&mkey, &doc, ttl).await? {
                return Ok(true);
            }
            let Some((existing, cas)) = self.gets(&mkey).await? else {
                continue; // vanished since the add: try the add again
            };
            if decode(&existing)?.is_live(Timestamp::now()) {
                return Ok(false);
            }
            let ttl = exptime(entry.expires_at, Timestamp::now());
            match self.cas(&mkey, &doc, cas, ttl).await? {
                Some(stored) => return Ok(stored),
                None => continue,
            }
        }
        Ok(false)
    }

    /// `flush_all`: only offered with `exclusive_server(true)`.
    async fn destroy(&self) -> Result<bool> {
        if !self.exclusive_server {
            return Err(Error::unsupported("destroy"));
        }
        let removed = self.holds_anything().await?;
        let mut conn = self.pool.get().await?;
        conn.run(|c| async move { c.flush_all().await }).await?;
        Ok(removed)
    }
}
