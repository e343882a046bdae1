//! The calls the workload makes, and the adapter that makes them on a kv store.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kv_core::{KeyValue, Object, Result};
use serde_json::Value;

use crate::COLLECTION;

/// `key(i)`: `user-` and `i` zero-padded to 7 digits.
pub fn key(i: u64) -> String {
    format!("user-{i:07}")
}

/// `value(i)`, built field by field as a Python dict literal is (part of the measured work).
pub fn value(i: u64) -> Object {
    let name = key(i);
    let mut map = Object::new();
    map.insert("active".to_owned(), Value::Bool(true));
    map.insert("age".to_owned(), Value::from(20 + i % 60));
    map.insert(
        "email".to_owned(),
        Value::String(format!("{name}@example.com")),
    );
    map.insert("name".to_owned(), Value::String(name));
    map.insert(
        "tags".to_owned(),
        Value::Array(vec![Value::from("a"), Value::from("b")]),
    );
    map
}

/// What the workload does to a store, always in the collection [`COLLECTION`].
#[async_trait]
pub trait Workload: Send + Sync + 'static {
    /// Writes one value.
    async fn put(&self, key: &str, value: Object, ttl: Option<Duration>) -> Result<()>;
    /// Reads one value; `true` on a hit.
    async fn get(&self, key: &str) -> Result<bool>;
    /// Reads a batch; returns the number of hits.
    async fn get_many(&self, keys: &[String]) -> Result<usize>;
    /// Writes a batch with one TTL.
    async fn put_many(&self, entries: Vec<(String, Object)>, ttl: Option<Duration>) -> Result<()>;
    /// Removes a batch (cleaning between repetitions, untimed).
    async fn delete_many(&self, keys: &[String]) -> Result<()>;
    /// Called once before the first repetition (untimed).
    async fn setup(&self) -> Result<()> {
        Ok(())
    }
}

/// The workload on any kv store.
pub struct KvWorkload(Arc<dyn KeyValue>);

impl KvWorkload {
    /// Wraps a store.
    pub fn new(store: Arc<dyn KeyValue>) -> Self {
        KvWorkload(store)
    }
}

fn refs(keys: &[String]) -> Vec<&str> {
    keys.iter().map(String::as_str).collect()
}

#[async_trait]
impl Workload for KvWorkload {
    async fn put(&self, key: &str, value: Object, ttl: Option<Duration>) -> Result<()> {
        self.0.put(Some(COLLECTION), key, value, ttl).await
    }

    async fn get(&self, key: &str) -> Result<bool> {
        Ok(self.0.get(Some(COLLECTION), key).await?.is_some())
    }

    async fn get_many(&self, keys: &[String]) -> Result<usize> {
        let got = self.0.get_many(Some(COLLECTION), &refs(keys)).await?;
        Ok(got.iter().filter(|v| v.is_some()).count())
    }

    async fn put_many(&self, entries: Vec<(String, Object)>, ttl: Option<Duration>) -> Result<()> {
        self.0.put_many(Some(COLLECTION), entries, ttl).await
    }

    async fn delete_many(&self, keys: &[String]) -> Result<()> {
        self.0.delete_many(Some(COLLECTION), &refs(keys)).await?;
        Ok(())
    }

    async fn setup(&self) -> Result<()> {
        self.0.setup().await
    }
}
