//! The fred client (or pool) and the multi-key commands that must be split by hash slot on a
//! cluster: one `MGET`/`MSET`/`DEL` per slot, sent together in one pipeline, results put back
//! in the caller's order.

use std::collections::BTreeMap;

use fred::prelude::{Client, ClientLike, KeysInterface, Pool, Value};
use fred::types::Key;
use fred::util::redis_keyslot;
use kv_core::{Error, ErrorKind, Result};

use crate::error::{from_fred, from_fred_on};

/// A fred client or a round-robin pool of them.
#[derive(Clone)]
pub(crate) enum Clients {
    One(Client),
    Pool(Pool),
}

impl Clients {
    /// A connected client for the next command, or a retryable `Connection` error when none is
    /// connected. fred would hold the command until it has reconnected or the command timeout
    /// passed, and report a `Timeout`; while the server is unreachable, failing at once with
    /// the real cause lets the caller (or the `Retry` wrapper) decide what to do.
    pub(crate) fn connected(&self) -> Result<&Client> {
        let client = match self {
            Clients::One(c) => c,
            Clients::Pool(p) => p.next_connected(),
        };
        if client.is_connected() {
            Ok(client)
        } else {
            Err(Error::new(
                ErrorKind::Connection,
                "not connected to valkey (the server is unreachable and the client is reconnecting, or a client given to the store was never initialised)",
            ))
        }
    }

    /// Connects and waits for the first connection.
    pub(crate) async fn init(&self) -> Result<()> {
        let result = match self {
            Clients::One(c) => c.init().await.map(drop),
            Clients::Pool(p) => p.init().await.map(drop),
        };
        result.map_err(from_fred)
    }

    /// Closes the connections (only for clients the store built).
    pub(crate) async fn quit(&self) -> Result<()> {
        let result = match self {
            Clients::One(c) => c.quit().await,
            Clients::Pool(p) => p.quit().await,
        };
        result.map_err(from_fred)
    }

    /// Whether the clients talk to a cluster (asked of one client without taking a turn of
    /// the pool's round robin).
    pub(crate) fn is_clustered(&self) -> bool {
        match self {
            Clients::One(c) => c.is_clustered(),
            Clients::Pool(p) => p.last().is_clustered(),
        }
    }
}

/// The bytes of one string reply (`nil` → `None`).
pub(crate) fn bytes_of(value: Value) -> Result<Option<Vec<u8>>> {
    match value {
        Value::Null => Ok(None),
        Value::Bytes(b) => Ok(Some(b.to_vec())),
        Value::String(s) => Ok(Some(s.as_bytes().to_vec())),
        Value::Integer(i) => Ok(Some(i.to_string().into_bytes())),
        Value::Double(d) => Ok(Some(d.to_string().into_bytes())),
        Value::Boolean(b) => Ok(Some(b.to_string().into_bytes())),
        other => Err(Error::deserialization(format!(
            "valkey returned a {:?} where a string was expected",
            other.kind()
        ))),
    }
}

fn array_of(value: Value, expected: usize) -> Result<Vec<Option<Vec<u8>>>> {
    let items = match value {
        Value::Array(items) => items,
        Value::Null if expected == 0 => Vec::new(),
        single if expected == 1 => vec![single],
        other => {
            return Err(Error::backend(
                false,
                format!("valkey returned a {:?} to MGET", other.kind()),
            ))
        }
    };
    if items.len() != expected {
        return Err(Error::backend(
            false,
            format!("MGET returned {} values for {expected} keys", items.len()),
        ));
    }
    items.into_iter().map(bytes_of).collect()
}

/// Key indices grouped by hash slot (one group when not clustered).
fn by_slot(keys: &[Key], clustered: bool) -> Vec<Vec<usize>> {
    if !clustered {
        return vec![(0..keys.len()).collect()];
    }
    let mut groups: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        groups
            .entry(redis_keyslot(key.as_bytes()))
            .or_default()
            .push(i);
    }
    groups.into_values().collect()
}

fn pick(keys: &[Key], idx: &[usize]) -> Vec<Key> {
    idx.iter().map(|&i| keys[i].clone()).collect()
}

/// `MGET` in the caller's order (one per slot on a cluster, in one pipeline).
pub(crate) async fn mget(client: &Client, keys: Vec<Key>) -> Result<Vec<Option<Vec<u8>>>> {
    let groups = by_slot(&keys, client.is_clustered());
    if groups.len() == 1 {
        let n = keys.len();
        let value: Value = client.mget(keys).await.map_err(from_fred_on(client))?;
        return array_of(value, n);
    }
    let pipe = client.pipeline();
    for idx in &groups {
        let () = pipe
            .mget(pick(&keys, idx))
            .await
            .map_err(from_fred_on(client))?;
    }
    let replies: Vec<Value> = pipe.all().await.map_err(from_fred_on(client))?;
    let mut out = vec![None; keys.len()];
    for (idx, reply) in groups.iter().zip(replies) {
        for (&i, value) in idx.iter().zip(array_of(reply, idx.len())?) {
            out[i] = value;
        }
    }
    Ok(out)
}

/// `DEL` of many keys (one per slot on a cluster, in one pipeline); how many existed.
pub(crate) async fn del(client: &Client, keys: Vec<Key>) -> Result<usize> {
    if keys.is_empty() {
        return Ok(0);
    }
    let groups = by_slot(&keys, client.is_clustered());
    if groups.len() == 1 {
        return client.del(keys).await.map_err(from_fred_on(client));
    }
    let pipe = client.pipeline();
    for idx in &groups {
        let () = pipe
            .del(pick(&keys, idx))
            .await
            .map_err(from_fred_on(client))?;
    }
    let counts: Vec<usize> = pipe.all().await.map_err(from_fred_on(client))?;
    Ok(counts.into_iter().sum())
}

/// `MSET` of many pairs (one per slot on a cluster, in one pipeline).
pub(crate) async fn mset(client: &Client, pairs: Vec<(Key, Value)>) -> Result<()> {
    let keys: Vec<Key> = pairs.iter().map(|(k, _)| k.clone()).collect();
    let groups = by_slot(&keys, client.is_clustered());
    if groups.len() == 1 {
        return client.mset(pairs).await.map_err(from_fred_on(client));
    }
    let pipe = client.pipeline();
    for idx in &groups {
        let group: Vec<(Key, Value)> = idx.iter().map(|&i| pairs[i].clone()).collect();
        let () = pipe.mset(group).await.map_err(from_fred_on(client))?;
    }
    let _: Vec<Value> = pipe.all().await.map_err(from_fred_on(client))?;
    Ok(())
}
