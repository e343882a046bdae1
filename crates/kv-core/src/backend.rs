//! The raw entry operations a backend implements; [`Store`](crate::Store) does the rest.

use std::borrow::Cow;

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::entry::Entry;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// A name as the caller gave it and as the backend stores it (after sanitization).
///
/// Envelopes record the `given` name; the backend addresses data by the `stored` one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name<'a> {
    /// The name the caller used (after default-collection substitution).
    pub given: &'a str,
    /// The name after the store's sanitization strategy (equal to `given` for Passthrough).
    pub stored: Cow<'a, str>,
}

impl<'a> Name<'a> {
    /// A name stored as given.
    pub fn plain(given: &'a str) -> Self {
        Name {
            given,
            stored: Cow::Borrowed(given),
        }
    }

    /// The stored name as `&str`.
    pub fn as_str(&self) -> &str {
        &self.stored
    }
}

/// The raw storage of one backend. Implement this (a handful of methods) and wrap it in a
/// [`Store`](crate::Store) to get a full [`KeyValue`](crate::KeyValue) with TTLs, default
/// collection, lazy setup, sanitization and error context handled identically for every backend.
///
/// Methods get already-validated names and full [`Entry`]s. Reads return entries as stored
/// (the store drops expired ones); when the backend reports a native expiry with the entry, lower
/// `expires_at` with [`Entry::clamp_expiry`]. Errors need not carry context: the store adds the
/// backend name, operation, collection and key.
///
/// ```
/// use async_trait::async_trait;
/// use kv_core::{Backend, Entry, Name, Result, Store, Timestamp, KeyValue};
/// use std::collections::HashMap;
/// use parking_lot::Mutex;
///
/// #[derive(Default)]
/// struct MapBackend(Mutex<HashMap<(String, String), Entry>>);
///
/// #[async_trait]
/// impl Backend for MapBackend {
///     fn name(&self) -> &'static str { "map" }
///     async fn get_entry(&self, c: &Name<'_>, k: &Name<'_>) -> Result<Option<Entry>> {
///         Ok(self.0.lock().get(&(c.as_str().into(), k.as_str().into())).cloned())
///     }
///     async fn put_entry(&self, c: &Name<'_>, k: &Name<'_>, e: Entry) -> Result<()> {
///         self.0.lock().insert((c.as_str().into(), k.as_str().into()), e);
///         Ok(())
///     }
///     async fn delete_entry(&self, c: &Name<'_>, k: &Name<'_>, now: Timestamp) -> Result<bool> {
///         let removed = self.0.lock().remove(&(c.as_str().into(), k.as_str().into()));
///         Ok(removed.is_some_and(|e| e.is_live(now)))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<()> {
/// let store = Store::new(MapBackend::default());
/// store.put(None, "k", serde_json::Map::new(), None).await?;
/// assert!(store.get(None, "k").await?.is_some());
/// # Ok(()) }
/// ```
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// A short name for errors and traces (`"redis"`, `"memory"`, …).
    fn name(&self) -> &'static str;

    /// Whether this backend's wire format follows semver (py-key-value's `stable_api`).
    fn stability(&self) -> crate::Stability {
        crate::Stability::Unstable
    }

    /// The optional operations this backend implements.
    fn capabilities(&self) -> Capabilities {
        Capabilities::NONE
    }

    /// One-time setup (connect, create tables); retried on the next call if it fails.
    async fn setup(&self) -> Result<()> {
        Ok(())
    }

    /// Whether [`setup_collection`](Backend::setup_collection) does anything (skips its bookkeeping if not).
    fn has_collection_setup(&self) -> bool {
        false
    }

    /// One-time setup of a collection (create an index, a directory…). Must not make the
    /// collection visible in `collections()` if only reads follow.
    async fn setup_collection(&self, collection: &Name<'_>) -> Result<()> {
        let _ = collection;
        Ok(())
    }

    /// Reads one entry.
    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>>;

    /// Reads many entries, one slot per key in order (override with the backend's batch read).
    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.get_entry(collection, key).await?);
        }
        Ok(out)
    }

    /// Writes one entry, replacing any previous one.
    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()>;

    /// Writes many entries (keys are distinct; override with the backend's batch write).
    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        for (key, entry) in entries {
            self.put_entry(collection, &key, entry).await?;
        }
        Ok(())
    }

    /// Removes one entry; `true` iff it was live at `now`.
    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool>;

    /// Removes many distinct keys; returns how many were live at `now`.
    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        let mut count = 0;
        for key in keys {
            count += usize::from(self.delete_entry(collection, key, now).await?);
        }
        Ok(count)
    }

    /// Stored keys of live entries in a collection, at most `limit`.
    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let _ = (collection, limit, now);
        Err(Error::unsupported("keys"))
    }

    /// Stored names of existing collections, at most `limit`.
    async fn collections(&self, limit: usize) -> Result<Vec<String>> {
        let _ = limit;
        Err(Error::unsupported("collections"))
    }

    /// Removes everything the store owns; `true` if anything was removed.
    async fn destroy(&self) -> Result<bool> {
        Err(Error::unsupported("destroy"))
    }

    /// Removes one collection; `true` if it existed.
    async fn destroy_collection(&self, collection: &Name<'_>) -> Result<bool> {
        let _ = collection;
        Err(Error::unsupported("destroy_collection"))
    }

    /// Removes entries expired at `now`.
    async fn cull(&self, now: Timestamp) -> Result<()> {
        let _ = now;
        Err(Error::unsupported("cull"))
    }

    /// Writes `entry` only if no entry live at `now` exists; `true` iff written. Atomic.
    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        now: Timestamp,
    ) -> Result<bool> {
        let _ = (collection, key, entry, now);
        Err(Error::unsupported("put_if_absent"))
    }

    /// Releases resources the backend created (never a user-provided client).
    async fn close(&self) -> Result<()> {
        Ok(())
    }
}
