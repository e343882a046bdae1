//! Conveniences on every [`KeyValue`]: raise-on-missing reads and typed get/put.

use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::key_value::{KeyValue, ValueWithTtl};
use crate::Object;

fn missing(op: &'static str, collection: Option<&str>, key: &str) -> Error {
    Error::new(ErrorKind::MissingKey, "no live entry")
        .with_operation(op)
        .with_collection(collection.filter(|c| !c.is_empty()).unwrap_or("default"))
        .with_key(key)
}

/// Extension methods for every [`KeyValue`] (blanket-implemented), keeping the core trait small.
///
/// ```
/// # use kv_core::{KeyValue, KeyValueExt, ErrorKind};
/// # async fn demo(store: &dyn KeyValue) -> kv_core::Result<()> {
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Settings { theme: String }
///
/// store.put_as(Some("app"), "settings", &Settings { theme: "dark".into() }, None).await?;
/// let settings: Option<Settings> = store.get_as(Some("app"), "settings").await?;
/// let err = store.get_required(Some("app"), "nope").await.unwrap_err();
/// assert_eq!(err.kind(), &ErrorKind::MissingKey);
/// # Ok(()) }
/// ```
#[async_trait]
pub trait KeyValueExt: KeyValue {
    /// Like `get`, but a missing entry is a [`MissingKey`](ErrorKind::MissingKey) error.
    async fn get_required(&self, collection: Option<&str>, key: &str) -> Result<Object> {
        self.get(collection, key)
            .await?
            .ok_or_else(|| missing("get", collection, key))
    }

    /// Like `get_many`; the first missing key is reported as [`MissingKey`](ErrorKind::MissingKey).
    async fn get_many_required(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Object>> {
        let values = self.get_many(collection, keys).await?;
        values
            .into_iter()
            .zip(keys)
            .map(|(v, k)| v.ok_or_else(|| missing("get_many", collection, k)))
            .collect()
    }

    /// Like `ttl`, but a missing entry is a [`MissingKey`](ErrorKind::MissingKey) error.
    async fn ttl_required(&self, collection: Option<&str>, key: &str) -> Result<ValueWithTtl> {
        self.ttl(collection, key)
            .await?
            .ok_or_else(|| missing("ttl", collection, key))
    }

    /// Like `ttl_many`; the first missing key is reported as [`MissingKey`](ErrorKind::MissingKey).
    async fn ttl_many_required(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<ValueWithTtl>> {
        let values = self.ttl_many(collection, keys).await?;
        values
            .into_iter()
            .zip(keys)
            .map(|(v, k)| v.ok_or_else(|| missing("ttl_many", collection, k)))
            .collect()
    }

    /// Reads a value and decodes it as `T` (stored as a plain object).
    async fn get_as<T: DeserializeOwned>(
        &self,
        collection: Option<&str>,
        key: &str,
    ) -> Result<Option<T>> {
        match self.get(collection, key).await? {
            None => Ok(None),
            Some(object) => serde_json::from_value(serde_json::Value::Object(object))
                .map(Some)
                .map_err(|e| {
                    Error::deserialization(format!("stored value does not match the type: {e}"))
                        .with_operation("get")
                        .with_collection(collection.unwrap_or("default"))
                        .with_key(key)
                }),
        }
    }

    /// Encodes `value` (which must serialize to an object) and writes it.
    async fn put_as<T: Serialize + Sync>(
        &self,
        collection: Option<&str>,
        key: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<()> {
        let object = match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(other) => {
                return Err(Error::serialization(format!(
                    "value serializes to {}, not an object",
                    crate::codec::strict::json_type(&other)
                ))
                .with_operation("put")
                .with_key(key))
            }
            Err(e) => {
                return Err(Error::serialization(format!("cannot serialize value: {e}"))
                    .with_operation("put")
                    .with_key(key))
            }
        };
        self.put(collection, key, object, ttl).await
    }
}

impl<T: KeyValue + ?Sized> KeyValueExt for T {}
