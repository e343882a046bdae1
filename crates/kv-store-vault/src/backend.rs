//! [`VaultBackend`]: the raw entry operations on a KV v2 mount.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use futures::stream::{self, StreamExt, TryStreamExt};
use kv_core::codec::envelope;
use kv_core::{Backend, Capabilities, Entry, Error, Name, Result, Stability, Timestamp};
use serde_json::{Map, Value};
use vaultrs::api::kv2::requests::SetSecretRequestOptions;
use vaultrs::kv2;

use crate::client::Connection;
use crate::error::is_cas_mismatch;
use crate::layout::{secret_path, split_prefix};

/// How often `put_if_absent` retries when another writer changes the secret in between.
const PUT_IF_ABSENT_ATTEMPTS: usize = 4;

/// The Vault [`Backend`]: secret `<mount>/data/<collection>::<key>` holding
/// `{"value": "<envelope>"}`. Use it through [`VaultStore`](crate::VaultStore).
pub struct VaultBackend {
    pub(crate) connection: Connection,
    pub(crate) mount: String,
    pub(crate) address: String,
    pub(crate) concurrency: usize,
}

impl fmt::Debug for VaultBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultBackend")
            .field("address", &self.address)
            .field("mount", &self.mount)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// A boxed request future (collected before streaming: closures in the stream's type trip
/// async-trait's higher-ranked `Send` check).
type Request<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// What a secret read found.
enum Found {
    /// No secret, or its latest version is deleted or destroyed.
    Missing,
    /// The decoded entry.
    Entry(Entry),
}

/// The envelope inside the secret's data: the string field `value`.
fn decode_secret(data: Map<String, Value>) -> Result<Entry> {
    match data.get("value") {
        Some(Value::String(doc)) => envelope::decode(doc.as_bytes()),
        Some(_) => Err(Error::deserialization(
            "the Vault secret's 'value' field is not a string",
        )),
        None => Err(Error::deserialization(
            "the Vault secret has no 'value' field",
        )),
    }
}

impl VaultBackend {
    async fn read(&self, path: &str) -> Result<Found> {
        let mount = self.mount.as_str();
        let data: Option<Value> = self
            .connection
            .run_opt(|client| async move { kv2::read::<Value>(client.as_ref(), mount, path).await })
            .await?;
        match data {
            None | Some(Value::Null) => Ok(Found::Missing),
            Some(Value::Object(data)) => decode_secret(data).map(Found::Entry),
            Some(_) => Err(Error::deserialization(
                "the Vault secret's data is not a JSON object",
            )),
        }
    }

    async fn write(&self, path: &str, doc: String) -> Result<()> {
        let mount = self.mount.as_str();
        let data = serde_json::json!({ "value": doc });
        let data = &data;
        self.connection
            .run(|client| async move { kv2::set(client.as_ref(), mount, path, data).await })
            .await
            .map(|_| ())
    }

    /// Writes only if the secret's current version is `version` (0: no secret yet);
    /// `false` when another version is current.
    async fn write_cas(&self, path: &str, doc: &str, version: u64) -> Result<bool> {
        let mount = self.mount.as_str();
        let data = serde_json::json!({ "value": doc });
        let data = &data;
        let cas = u32::try_from(version)
            .map_err(|_| Error::backend(false, "the secret's version exceeds the CAS range"))?;
        let outcome = self
            .connection
            .run(|client| async move {
                let options = SetSecretRequestOptions { cas };
                match kv2::set_with_options(client.as_ref(), mount, path, data, options).await {
                    Ok(_) => Ok(true),
                    Err(e) if is_cas_mismatch(&e) => Ok(false),
                    Err(e) => Err(e),
                }
            })
            .await?;
        Ok(outcome)
    }

    /// The current version of a secret and whether it holds an entry live at `now`
    /// (`None`: no metadata at all).
    async fn current(&self, path: &str, now: Timestamp) -> Result<Option<(u64, bool)>> {
        let mount = self.mount.as_str();
        let Some(meta) = self
            .connection
            .run_opt(|client| async move { kv2::read_metadata(client.as_ref(), mount, path).await })
            .await?
        else {
            return Ok(None);
        };
        let version = meta.current_version;
        let gone = meta
            .versions
            .get(&version.to_string())
            .is_none_or(|v| v.destroyed || !v.deletion_time.is_empty());
        if version == 0 || gone {
            return Ok(Some((version, false)));
        }
        let data: Option<Value> = self
            .connection
            .run_opt(|client| async move {
                kv2::read_version::<Value>(client.as_ref(), mount, path, version).await
            })
            .await?;
        let live = match data {
            Some(Value::Object(data)) => decode_secret(data)?.is_live(now),
            _ => false,
        };
        Ok(Some((version, live)))
    }

    /// Removes every version and the metadata (a missing secret is not an error).
    async fn remove(&self, path: &str) -> Result<()> {
        let mount = self.mount.as_str();
        self.connection
            .run_opt(
                |client| async move { kv2::delete_metadata(client.as_ref(), mount, path).await },
            )
            .await
            .map(|_| ())
    }

    /// `LIST <mount>/metadata/<folder>`; a 404 is an empty folder.
    async fn list(&self, folder: &str) -> Result<Vec<String>> {
        let mount = self.mount.as_str();
        Ok(self
            .connection
            .run_opt(|client| async move { kv2::list(client.as_ref(), mount, folder).await })
            .await?
            .unwrap_or_default())
    }

    /// Every secret path below `folder` whose name starts with `prefix`, relative to `folder`
    /// (sub-folders of matching names are walked: keys containing `/`).
    async fn list_matching(&self, folder: &str, prefix: &str) -> Result<Vec<String>> {
        let mut found = Vec::new();
        let mut pending: Vec<String> = self
            .list(folder)
            .await?
            .into_iter()
            .filter(|name| name.starts_with(prefix))
            .collect();
        while let Some(name) = pending.pop() {
            if name.ends_with('/') {
                let below = self.list(&format!("{folder}{name}")).await?;
                pending.extend(below.into_iter().map(|child| format!("{name}{child}")));
            } else {
                found.push(name);
            }
        }
        found.sort();
        Ok(found)
    }

    fn encode(collection: &Name<'_>, key: &Name<'_>, entry: &Entry) -> String {
        envelope::encode(entry, Some((key.given, collection.given)))
    }
}

#[async_trait]
impl Backend for VaultBackend {
    fn name(&self) -> &'static str {
        "vault"
    }

    fn stability(&self) -> Stability {
        Stability::Unstable
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            keys: true,
            destroy_collection: true,
            put_if_absent: true,
            ..Capabilities::NONE
        }
    }

    /// AppRole: the first login. Token auth: nothing (the first request checks the token).
    async fn setup(&self) -> Result<()> {
        self.connection.login().await
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let path = secret_path(collection.as_str(), key.as_str())?;
        match self.read(&path).await? {
            Found::Missing => Ok(None),
            Found::Entry(entry) => Ok(Some(entry)),
        }
    }

    /// Vault has no batch read: up to `concurrency` reads in flight, results in key order.
    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let reads: Vec<Request<'_, Option<Entry>>> = keys
            .iter()
            .map(|key| -> Request<'_, Option<Entry>> {
                Box::pin(async move {
                    self.get_entry(collection, key)
                        .await
                        .map_err(|e| e.with_key(key.given))
                })
            })
            .collect();
        stream::iter(reads)
            .buffered(self.concurrency)
            .try_collect()
            .await
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let path = secret_path(collection.as_str(), key.as_str())?;
        self.write(&path, Self::encode(collection, key, &entry))
            .await
    }

    /// Vault has no batch write: up to `concurrency` writes in flight.
    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        let writes = entries
            .iter()
            .map(|(key, entry)| {
                let path = secret_path(collection.as_str(), key.as_str())
                    .map_err(|e| e.with_key(key.given))?;
                Ok((key, path, Self::encode(collection, key, entry)))
            })
            .collect::<Result<Vec<_>>>()?;
        let writes: Vec<Request<'_, ()>> = writes
            .into_iter()
            .map(|(key, path, doc)| -> Request<'_, ()> {
                Box::pin(async move {
                    self.write(&path, doc)
                        .await
                        .map_err(|e| e.with_key(key.given))
                })
            })
            .collect();
        stream::iter(writes)
            .buffer_unordered(self.concurrency)
            .try_collect::<Vec<()>>()
            .await
            .map(|_| ())
    }

    /// Reads the entry (to report whether it was live), then deletes the metadata and every
    /// version. A corrupted entry is removed too and counts as live.
    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let path = secret_path(collection.as_str(), key.as_str())?;
        let live = match self.read(&path).await {
            Ok(Found::Missing) => false,
            Ok(Found::Entry(entry)) => entry.is_live(now),
            Err(e) if e.kind() == &kv_core::ErrorKind::Deserialization => true,
            Err(e) => return Err(e),
        };
        self.remove(&path).await?;
        Ok(live)
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        let deletes: Vec<Request<'_, bool>> = keys
            .iter()
            .map(|key| -> Request<'_, bool> {
                Box::pin(async move {
                    self.delete_entry(collection, key, now)
                        .await
                        .map_err(|e| e.with_key(key.given))
                })
            })
            .collect();
        let removed: Vec<bool> = stream::iter(deletes)
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        Ok(removed.into_iter().filter(|live| *live).count())
    }

    /// Check-and-set: a write with `cas = 0` creates the secret only if it does not exist; if
    /// it exists but its current version is deleted or holds an expired entry, a write with
    /// `cas = <that version>` replaces it only if nobody wrote in between.
    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        now: Timestamp,
    ) -> Result<bool> {
        let path = secret_path(collection.as_str(), key.as_str())?;
        let doc = Self::encode(collection, key, &entry);
        for _ in 0..PUT_IF_ABSENT_ATTEMPTS {
            if self.write_cas(&path, &doc, 0).await? {
                return Ok(true);
            }
            let Some((version, live)) = self.current(&path, now).await? else {
                continue; // removed since the write: try creating it again
            };
            if live {
                return Ok(false);
            }
            if self.write_cas(&path, &doc, version).await? {
                return Ok(true);
            }
        }
        // Another writer won every round: its entry is there now.
        Ok(false)
    }

    /// Deletes the metadata (every version) of each secret the collection's listing shows.
    async fn destroy_collection(&self, collection: &Name<'_>) -> Result<bool> {
        let prefix = kv_core::compound_key(collection.as_str(), "");
        let (folder, name_prefix) = split_prefix(&prefix);
        let names = self.list_matching(folder, name_prefix).await?;
        let removed = !names.is_empty();
        let deletes: Vec<Request<'_, ()>> = names
            .into_iter()
            .map(|name| -> Request<'_, ()> {
                Box::pin(async move { self.remove(&format!("{folder}{name}")).await })
            })
            .collect();
        stream::iter(deletes)
            .buffer_unordered(self.concurrency)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(removed)
    }

    /// `LIST` of the collection's folder, then a read of each candidate (expiry lives only in
    /// the envelope), until `limit` live keys are found. A 404 on the list is an empty result.
    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let prefix = kv_core::compound_key(collection.as_str(), "");
        let (folder, name_prefix) = split_prefix(&prefix);
        let candidates = self.list_matching(folder, name_prefix).await?;
        let reads: Vec<Request<'_, Option<String>>> = candidates
            .into_iter()
            .map(|name| -> Request<'_, Option<String>> {
                Box::pin(async move {
                    let path = format!("{folder}{name}");
                    let key = name[name_prefix.len()..].to_owned();
                    let live = match self.read(&path).await {
                        Ok(Found::Missing) => false,
                        Ok(Found::Entry(entry)) => entry.is_live(now),
                        // Present but undecodable: listed, its reader gets the error.
                        Err(e) if e.kind() == &kv_core::ErrorKind::Deserialization => true,
                        Err(e) => return Err(e.with_key(key)),
                    };
                    Ok(live.then_some(key))
                })
            })
            .collect();
        let mut reads = stream::iter(reads).buffered(self.concurrency);
        let mut keys = Vec::new();
        while keys.len() < limit {
            match reads.next().await {
                Some(Ok(Some(key))) => keys.push(key),
                Some(Ok(None)) => {}
                Some(Err(e)) => return Err(e),
                None => break,
            }
        }
        Ok(keys)
    }
}
