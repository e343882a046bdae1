//! [`ValkeyBackend`]: the raw entry operations on Valkey, standalone or cluster
//! (`wire-format.md` §5.2, byte-identical to Redis §5.1).

use std::collections::HashSet;
use std::fmt;

use fred::prelude::{
    Client, ClientLike, Expiration, KeysInterface, LuaInterface, SetOptions, Value,
};
use fred::types::Key;
use futures::StreamExt;
use kv_core::{async_trait, Backend, Capabilities, Entry, Name, Result, Stability, Timestamp};
use tokio::sync::OnceCell;

use crate::client::{self, bytes_of, Clients};
use crate::error::from_fred_on;
use crate::layout::{self, collection_pattern, decode, encode, entry_px, valkey_key};

/// Keys per `SCAN` round (and per `MGET` while scanning).
const SCAN_COUNT: u32 = 1000;

/// Replaces an expired entry only if it still holds the exact bytes read (compare-and-set).
const REPLACE_IF_UNCHANGED: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[3] == '' then
    redis.call('SET', KEYS[1], ARGV[2])
  else
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  end
  return 1
end
return 0
";

/// The Valkey backend behind [`ValkeyStore`](crate::ValkeyStore).
pub struct ValkeyBackend {
    clients: Clients,
    owned: bool,
    exclusive_database: bool,
    connected: OnceCell<()>,
}

impl fmt::Debug for ValkeyBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValkeyBackend")
            .field("owned", &self.owned)
            .field("clustered", &self.clients.is_clustered())
            .field("exclusive_database", &self.exclusive_database)
            .finish()
    }
}

fn expiration(px: Option<u64>) -> Option<Expiration> {
    px.map(|ms| Expiration::PX(i64::try_from(ms).unwrap_or(i64::MAX)))
}

impl ValkeyBackend {
    pub(crate) fn new(clients: Clients, owned: bool, exclusive_database: bool) -> Self {
        ValkeyBackend {
            clients,
            owned,
            exclusive_database,
            connected: OnceCell::new(),
        }
    }

    /// A connected client (see [`Clients::connected`]).
    fn client(&self) -> Result<&Client> {
        self.clients.connected()
    }

    /// Every key matching `pattern` (all primaries of a cluster), in `MGET`-ed batches.
    async fn scan<F>(&self, pattern: &str, mut batch: F) -> Result<()>
    where
        F: FnMut(Vec<Key>, Vec<Option<Vec<u8>>>) -> bool,
    {
        let client = self.client()?;
        let mut stream = if client.is_clustered() {
            client
                .scan_cluster_buffered(pattern.to_owned(), Some(SCAN_COUNT), None)
                .boxed()
        } else {
            client
                .scan_buffered(pattern.to_owned(), Some(SCAN_COUNT), None)
                .boxed()
        };
        let mut keys = Vec::new();
        loop {
            let next = stream.next().await;
            let done = next.is_none();
            if let Some(key) = next {
                keys.push(key.map_err(from_fred_on(client))?);
            }
            if keys.len() >= SCAN_COUNT as usize || (done && !keys.is_empty()) {
                let chunk = std::mem::take(&mut keys);
                let values = client::mget(client, chunk.clone()).await?;
                if !batch(chunk, values) {
                    return Ok(());
                }
            }
            if done {
                return Ok(());
            }
        }
    }

    async fn scan_delete<P>(&self, pattern: &str, mut keep: P) -> Result<bool>
    where
        P: FnMut(&[u8]) -> bool,
    {
        let mut doomed = Vec::new();
        self.scan(pattern, |keys, values| {
            for (key, value) in keys.into_iter().zip(values) {
                if value.is_some_and(|v| !keep(&v)) {
                    doomed.push(key);
                }
            }
            true
        })
        .await?;
        let mut removed = 0;
        for chunk in doomed.chunks(SCAN_COUNT as usize) {
            removed += client::del(self.client()?, chunk.to_vec()).await?;
        }
        Ok(removed > 0)
    }
}

#[async_trait]
impl Backend for ValkeyBackend {
    fn name(&self) -> &'static str {
        "valkey"
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

    async fn setup(&self) -> Result<()> {
        if !self.owned {
            return Ok(());
        }
        self.connected
            .get_or_try_init(|| self.clients.init())
            .await
            .map(drop)
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let client = self.client()?;
        let value: Value = client
            .get(valkey_key(collection, key))
            .await
            .map_err(from_fred_on(client))?;
        decode(bytes_of(value)?.as_deref())
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let keys: Vec<Key> = keys
            .iter()
            .map(|k| valkey_key(collection, k).into())
            .collect();
        let values = client::mget(self.client()?, keys).await?;
        values.iter().map(|v| decode(v.as_deref())).collect()
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let doc = encode(collection, key, &entry);
        let client = self.client()?;
        let () = client
            .set(
                valkey_key(collection, key),
                doc,
                expiration(entry_px(&entry)),
                None,
                false,
            )
            .await
            .map_err(from_fred_on(client))?;
        Ok(())
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        let Some((_, first)) = entries.first() else {
            return Ok(());
        };
        let client = self.client()?;
        match entry_px(first) {
            None => {
                let pairs = entries
                    .iter()
                    .map(|(k, e)| {
                        (
                            Key::from(valkey_key(collection, k)),
                            Value::from(encode(collection, k, e)),
                        )
                    })
                    .collect();
                client::mset(client, pairs).await
            }
            Some(ms) => {
                let pipe = client.pipeline();
                for (key, entry) in &entries {
                    let () = pipe
                        .set(
                            valkey_key(collection, key),
                            encode(collection, key, entry),
                            expiration(Some(ms)),
                            None,
                            false,
                        )
                        .await
                        .map_err(from_fred_on(client))?;
                }
                let _: Vec<Value> = pipe.all().await.map_err(from_fred_on(client))?;
                Ok(())
            }
        }
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        _now: Timestamp,
    ) -> Result<bool> {
        let client = self.client()?;
        let removed: usize = client
            .del(valkey_key(collection, key))
            .await
            .map_err(from_fred_on(client))?;
        Ok(removed > 0)
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        _now: Timestamp,
    ) -> Result<usize> {
        let keys: Vec<Key> = keys
            .iter()
            .map(|k| valkey_key(collection, k).into())
            .collect();
        client::del(self.client()?, keys).await
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let prefix = format!("{}::", collection.as_str());
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        self.scan(&collection_pattern(collection.as_str()), |keys, values| {
            for (key, value) in keys.into_iter().zip(values) {
                let Some(value) = value else { continue };
                if matches!(decode(Some(&value)), Ok(Some(e)) if e.is_expired(now)) {
                    continue;
                }
                let Some(key) = key.as_str() else { continue };
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
        })
        .await?;
        Ok(out)
    }

    async fn destroy(&self) -> Result<bool> {
        if self.exclusive_database {
            let client = self.client()?;
            let mut had_keys = false;
            self.scan("*", |keys, _| {
                had_keys |= !keys.is_empty();
                false
            })
            .await?;
            if client.is_clustered() {
                client
                    .flushall_cluster()
                    .await
                    .map_err(from_fred_on(client))?;
            } else {
                let () = client
                    .custom(fred::cmd!("FLUSHDB"), Vec::<Value>::new())
                    .await
                    .map_err(from_fred_on(client))?;
            }
            return Ok(had_keys);
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
        let client = self.client()?;
        let vkey = valkey_key(collection, key);
        let doc = encode(collection, key, &entry);
        let px = entry_px(&entry);
        for _ in 0..2 {
            let written: Value = client
                .set(
                    vkey.clone(),
                    doc.clone(),
                    expiration(px),
                    Some(SetOptions::NX),
                    false,
                )
                .await
                .map_err(from_fred_on(client))?;
            if !written.is_null() {
                return Ok(true);
            }
            let current: Value = client
                .get(vkey.clone())
                .await
                .map_err(from_fred_on(client))?;
            let Some(current) = bytes_of(current)? else {
                continue; // deleted in between: try the NX write once more
            };
            if decode(Some(&current))?.is_some_and(|e| e.is_live(now)) {
                return Ok(false);
            }
            let px_arg = px.map_or_else(String::new, |ms| ms.to_string());
            let replaced: i64 = client
                .eval(
                    REPLACE_IF_UNCHANGED,
                    vec![vkey.clone()],
                    vec![
                        Value::from(current.as_slice()),
                        Value::from(doc.clone()),
                        Value::from(px_arg),
                    ],
                )
                .await
                .map_err(from_fred_on(client))?;
            return Ok(replaced == 1);
        }
        Ok(false)
    }

    async fn close(&self) -> Result<()> {
        if self.owned && self.connected.initialized() {
            self.clients.quit().await?;
        }
        Ok(())
    }
}
