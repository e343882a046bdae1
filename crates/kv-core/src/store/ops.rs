//! The [`KeyValue`] implementation of [`Store`].

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_trait::async_trait;

use super::setup::setup_error;
use super::Store;
use crate::backend::{Backend, Name};
use crate::capabilities::{effective_limit, Capabilities};
use crate::entry::Entry;
use crate::error::{Error, ErrorKind, Result};
use crate::key_value::{KeyValue, ValueWithTtl};
use crate::time::Timestamp;
use crate::Object;

/// Checks a TTL and builds the entry written at `now`.
pub(crate) fn new_entry(value: Object, now: Timestamp, ttl: Option<Duration>) -> Result<Entry> {
    if ttl == Some(Duration::ZERO) {
        return Err(Error::new(
            ErrorKind::InvalidTtl,
            "ttl must be greater than zero",
        ));
    }
    Entry::new(value, now, ttl).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidTtl,
            format!("ttl {ttl:?} puts the expiry past 9999-12-31T23:59:59.999999"),
        )
    })
}

fn batch_label(n: usize) -> String {
    format!("<{n} keys>")
}

impl<B: Backend> Store<B> {
    fn context<'a>(
        &'a self,
        op: &'static str,
        collection: &'a str,
        key: Option<&'a str>,
    ) -> impl Fn(Error) -> Error + 'a {
        move |e: Error| e.with_context(self.backend.name(), op, Some(collection), key)
    }

    fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::setup("store is closed"));
        }
        Ok(())
    }

    async fn ensure_store(&self) -> Result<()> {
        self.check_open()?;
        if self.store_setup.is_done() {
            return Ok(());
        }
        self.store_setup
            .run(|| async {
                self.backend
                    .setup()
                    .await
                    .map_err(|e| setup_error("store", e))?;
                self.apply_seed().await
            })
            .await
    }

    async fn apply_seed(&self) -> Result<()> {
        let now = Timestamp::now();
        for (collection, entries) in &self.seed {
            let c = self.collection_name(collection)?;
            self.ensure_collection_only(&c).await?;
            for (key, value) in entries {
                let k = self.key_name(key)?;
                let entry = new_entry(value.clone(), now, None)?;
                self.backend.put_entry(&c, &k, entry).await?;
            }
        }
        Ok(())
    }

    async fn ensure_collection_only(&self, collection: &Name<'_>) -> Result<()> {
        if !self.backend.has_collection_setup() {
            return Ok(());
        }
        let cell = self.collection_setup.cell(collection.as_str());
        cell.run(|| async {
            self.backend
                .setup_collection(collection)
                .await
                .map_err(|e| setup_error("collection", e))
        })
        .await
    }

    /// Store setup, then collection setup.
    async fn ready(&self, collection: &Name<'_>) -> Result<()> {
        self.ensure_store().await?;
        self.ensure_collection_only(collection).await
    }

    fn dedup_last_wins(entries: Vec<(String, Object)>) -> Vec<(String, Object)> {
        if entries.len() < 2 {
            return entries;
        }
        let mut positions: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        let mut duplicate = false;
        for (i, (k, _)) in entries.iter().enumerate() {
            if positions.insert(k.as_str(), i).is_some() {
                duplicate = true;
            }
        }
        if !duplicate {
            return entries;
        }
        let keep: Vec<bool> = entries
            .iter()
            .enumerate()
            .map(|(i, (k, _))| positions[k.as_str()] == i)
            .collect();
        entries
            .into_iter()
            .zip(keep)
            .filter_map(|(e, keep)| keep.then_some(e))
            .collect()
    }

    async fn read_many(
        &self,
        op: &'static str,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<(Vec<Option<Entry>>, Timestamp)> {
        let given = self.resolve(collection);
        let label = batch_label(keys.len());
        let ctx = self.context(op, given, Some(&label));
        if keys.is_empty() {
            self.check_open().map_err(&ctx)?;
            return Ok((Vec::new(), Timestamp::now()));
        }
        let c = self.collection_name(given).map_err(&ctx)?;
        let names = keys
            .iter()
            .map(|k| self.key_name(k).map_err(|e| e.with_key(*k)))
            .collect::<Result<Vec<_>>>()
            .map_err(&ctx)?;
        self.ready(&c).await.map_err(&ctx)?;
        let entries = self.backend.get_entries(&c, &names).await.map_err(&ctx)?;
        if entries.len() != keys.len() {
            return Err(ctx(Error::backend(
                false,
                format!(
                    "backend returned {} slots for {} keys",
                    entries.len(),
                    keys.len()
                ),
            )));
        }
        Ok((entries, Timestamp::now()))
    }

    async fn read_one(
        &self,
        op: &'static str,
        collection: Option<&str>,
        key: &str,
    ) -> Result<(Option<Entry>, Timestamp)> {
        let given = self.resolve(collection);
        let ctx = self.context(op, given, Some(key));
        let c = self.collection_name(given).map_err(&ctx)?;
        let k = self.key_name(key).map_err(&ctx)?;
        self.ready(&c).await.map_err(&ctx)?;
        let entry = self.backend.get_entry(&c, &k).await.map_err(&ctx)?;
        Ok((entry, Timestamp::now()))
    }
}

fn live(entry: Option<Entry>, now: Timestamp) -> Option<Entry> {
    entry.filter(|e| e.is_live(now))
}

fn with_ttl(entry: Entry, now: Timestamp) -> ValueWithTtl {
    let remaining = entry.remaining(now);
    (entry.value, remaining)
}

#[async_trait]
impl<B: Backend> KeyValue for Store<B> {
    async fn get(&self, collection: Option<&str>, key: &str) -> Result<Option<Object>> {
        let (entry, now) = self.read_one("get", collection, key).await?;
        Ok(live(entry, now).map(|e| e.value))
    }

    async fn get_many(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Option<Object>>> {
        let (entries, now) = self.read_many("get_many", collection, keys).await?;
        Ok(entries
            .into_iter()
            .map(|e| live(e, now).map(|e| e.value))
            .collect())
    }

    async fn ttl(&self, collection: Option<&str>, key: &str) -> Result<Option<ValueWithTtl>> {
        let (entry, now) = self.read_one("ttl", collection, key).await?;
        Ok(live(entry, now).map(|e| with_ttl(e, now)))
    }

    async fn ttl_many(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Option<ValueWithTtl>>> {
        let (entries, now) = self.read_many("ttl_many", collection, keys).await?;
        Ok(entries
            .into_iter()
            .map(|e| live(e, now).map(|e| with_ttl(e, now)))
            .collect())
    }

    async fn put(
        &self,
        collection: Option<&str>,
        key: &str,
        value: Object,
        ttl: Option<Duration>,
    ) -> Result<()> {
        let given = self.resolve(collection);
        let ctx = self.context("put", given, Some(key));
        let entry = new_entry(value, Timestamp::now(), ttl).map_err(&ctx)?;
        let c = self.collection_name(given).map_err(&ctx)?;
        let k = self.key_name(key).map_err(&ctx)?;
        self.ready(&c).await.map_err(&ctx)?;
        self.backend.put_entry(&c, &k, entry).await.map_err(&ctx)
    }

    async fn put_many(
        &self,
        collection: Option<&str>,
        entries: Vec<(String, Object)>,
        ttl: Option<Duration>,
    ) -> Result<()> {
        let given = self.resolve(collection);
        let label = batch_label(entries.len());
        let ctx = self.context("put_many", given, Some(&label));
        let now = Timestamp::now();
        // Validates the TTL even for an empty batch.
        let template = new_entry(Object::new(), now, ttl).map_err(&ctx)?;
        self.check_open().map_err(&ctx)?;
        if entries.is_empty() {
            return Ok(());
        }
        let (keys, values): (Vec<String>, Vec<Object>) =
            Self::dedup_last_wins(entries).into_iter().unzip();
        let c = self.collection_name(given).map_err(&ctx)?;
        let mut batch: Vec<(Name<'_>, Entry)> = Vec::with_capacity(keys.len());
        for (key, value) in keys.iter().zip(values) {
            let name = self
                .key_name(key)
                .map_err(|e| ctx(e.with_key(key.as_str())))?;
            let entry = Entry {
                value,
                created_at: template.created_at,
                expires_at: template.expires_at,
            };
            batch.push((name, entry));
        }
        self.ready(&c).await.map_err(&ctx)?;
        self.backend.put_entries(&c, batch).await.map_err(&ctx)
    }

    async fn delete(&self, collection: Option<&str>, key: &str) -> Result<bool> {
        let given = self.resolve(collection);
        let ctx = self.context("delete", given, Some(key));
        let c = self.collection_name(given).map_err(&ctx)?;
        let k = self.key_name(key).map_err(&ctx)?;
        self.ready(&c).await.map_err(&ctx)?;
        self.backend
            .delete_entry(&c, &k, Timestamp::now())
            .await
            .map_err(&ctx)
    }

    async fn delete_many(&self, collection: Option<&str>, keys: &[&str]) -> Result<usize> {
        let given = self.resolve(collection);
        let label = batch_label(keys.len());
        let ctx = self.context("delete_many", given, Some(&label));
        self.check_open().map_err(&ctx)?;
        if keys.is_empty() {
            return Ok(0);
        }
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        let distinct: Vec<&str> = keys.iter().copied().filter(|k| seen.insert(*k)).collect();
        let c = self.collection_name(given).map_err(&ctx)?;
        let names = distinct
            .iter()
            .map(|k| self.key_name(k).map_err(|e| e.with_key(*k)))
            .collect::<Result<Vec<_>>>()
            .map_err(&ctx)?;
        self.ready(&c).await.map_err(&ctx)?;
        self.backend
            .delete_entries(&c, &names, Timestamp::now())
            .await
            .map_err(&ctx)
    }

    fn capabilities(&self) -> Capabilities {
        self.backend.capabilities()
    }

    async fn keys(&self, collection: Option<&str>, limit: Option<usize>) -> Result<Vec<String>> {
        let given = self.resolve(collection);
        let ctx = self.context("keys", given, None);
        if !self.backend.capabilities().keys {
            return Err(ctx(Error::unsupported("keys")));
        }
        let c = self.collection_name(given).map_err(&ctx)?;
        self.ensure_store().await.map_err(&ctx)?;
        self.backend
            .keys(&c, effective_limit(limit), Timestamp::now())
            .await
            .map_err(&ctx)
    }

    async fn collections(&self, limit: Option<usize>) -> Result<Vec<String>> {
        let ctx = |e: Error| e.with_context(self.backend.name(), "collections", None, None);
        if !self.backend.capabilities().collections {
            return Err(ctx(Error::unsupported("collections")));
        }
        self.ensure_store().await.map_err(ctx)?;
        self.backend
            .collections(effective_limit(limit))
            .await
            .map_err(ctx)
    }

    async fn destroy(&self) -> Result<bool> {
        let ctx = |e: Error| e.with_context(self.backend.name(), "destroy", None, None);
        if !self.backend.capabilities().destroy {
            return Err(ctx(Error::unsupported("destroy")));
        }
        self.ensure_store().await.map_err(ctx)?;
        let removed = self.backend.destroy().await.map_err(ctx)?;
        self.collection_setup.forget_all();
        Ok(removed)
    }

    async fn destroy_collection(&self, collection: &str) -> Result<bool> {
        let given = self.resolve(Some(collection));
        let ctx = self.context("destroy_collection", given, None);
        if !self.backend.capabilities().destroy_collection {
            return Err(ctx(Error::unsupported("destroy_collection")));
        }
        let c = self.collection_name(given).map_err(&ctx)?;
        self.ensure_store().await.map_err(&ctx)?;
        let removed = self.backend.destroy_collection(&c).await.map_err(&ctx)?;
        self.collection_setup.forget(c.as_str());
        Ok(removed)
    }

    async fn cull(&self) -> Result<()> {
        let ctx = |e: Error| e.with_context(self.backend.name(), "cull", None, None);
        if !self.backend.capabilities().cull {
            return Err(ctx(Error::unsupported("cull")));
        }
        self.ensure_store().await.map_err(ctx)?;
        self.backend.cull(Timestamp::now()).await.map_err(ctx)
    }

    async fn put_if_absent(
        &self,
        collection: Option<&str>,
        key: &str,
        value: Object,
        ttl: Option<Duration>,
    ) -> Result<bool> {
        let given = self.resolve(collection);
        let ctx = self.context("put_if_absent", given, Some(key));
        if !self.backend.capabilities().put_if_absent {
            return Err(ctx(Error::unsupported("put_if_absent")));
        }
        let now = Timestamp::now();
        let entry = new_entry(value, now, ttl).map_err(&ctx)?;
        let c = self.collection_name(given).map_err(&ctx)?;
        let k = self.key_name(key).map_err(&ctx)?;
        self.ready(&c).await.map_err(&ctx)?;
        self.backend
            .put_entry_if_absent(&c, &k, entry, now)
            .await
            .map_err(&ctx)
    }

    async fn setup(&self) -> Result<()> {
        self.ensure_store()
            .await
            .map_err(|e| e.with_context(self.backend.name(), "setup", None, None))
    }

    async fn close(&self) -> Result<()> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.backend
            .close()
            .await
            .map_err(|e| e.with_context(self.backend.name(), "close", None, None))
    }
}
