//! The typed adapter: any `Serialize + DeserializeOwned` type stored as a JSON object.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::key_value::KeyValue;
use crate::Object;

/// How a typed value maps to the stored object (py-key-value's adapters decide the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The value serializes to an object, stored as is (structs, maps).
    Object,
    /// The value is stored wrapped as `{"items": value}` (lists, numbers, strings, options, dates).
    Items,
}

/// A typed view of a [`KeyValue`] store: values are `T`, encoded with serde.
///
/// Reading data that does not decode as `T` is a `Deserialization` error (or, with
/// [`raise_on_validation_error(false)`](TypedStore::raise_on_validation_error), `None` plus one
/// `tracing` ERROR event, like py-key-value's default).
///
/// ```
/// use std::sync::Arc;
/// use serde::{Deserialize, Serialize};
/// use kv_core::{KeyValue, TypedStore, Shape};
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct User { name: String, age: u32 }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store: Arc<dyn KeyValue> = Arc::new(kv_store_memory::MemoryStore::new());
/// let users: TypedStore<User> = TypedStore::new(store.clone()).with_default_collection("users");
/// users.put(None, "ada", &User { name: "Ada".into(), age: 36 }, None).await?;
/// assert_eq!(users.get(None, "ada").await?.unwrap().age, 36);
///
/// // Non-object types are stored as {"items": ...}.
/// let tags: TypedStore<Vec<String>> = TypedStore::new(store.clone()).with_shape(Shape::Items);
/// tags.put(None, "t", &vec!["a".to_string()], None).await?;
/// assert_eq!(store.get(None, "t").await?.unwrap()["items"], serde_json::json!(["a"]));
/// # Ok(()) }
/// ```
pub struct TypedStore<T, S: KeyValue + ?Sized = dyn KeyValue> {
    store: Arc<S>,
    shape: Shape,
    default_collection: Option<String>,
    raise_on_validation_error: bool,
    _type: PhantomData<fn() -> T>,
}

impl<T, S: KeyValue + ?Sized> Clone for TypedStore<T, S> {
    fn clone(&self) -> Self {
        TypedStore {
            store: Arc::clone(&self.store),
            shape: self.shape,
            default_collection: self.default_collection.clone(),
            raise_on_validation_error: self.raise_on_validation_error,
            _type: PhantomData,
        }
    }
}

impl<T, S> TypedStore<T, S>
where
    T: Serialize + DeserializeOwned + Send + Sync,
    S: KeyValue + ?Sized,
{
    /// A typed view storing `T` as an object ([`Shape::Object`]), raising on invalid stored data.
    pub fn new(store: Arc<S>) -> Self {
        TypedStore {
            store,
            shape: Shape::Object,
            default_collection: None,
            raise_on_validation_error: true,
            _type: PhantomData,
        }
    }

    /// Sets the shape (use [`Shape::Items`] for lists, scalars, options and dates).
    pub fn with_shape(mut self, shape: Shape) -> Self {
        self.shape = shape;
        self
    }

    /// Sets the collection used when a call passes `None`.
    pub fn with_default_collection(mut self, collection: impl Into<String>) -> Self {
        self.default_collection = Some(collection.into());
        self
    }

    /// `false`: stored data that does not decode as `T` reads as `None` and logs an ERROR event.
    pub fn raise_on_validation_error(mut self, raise: bool) -> Self {
        self.raise_on_validation_error = raise;
        self
    }

    /// The underlying store.
    pub fn inner(&self) -> &Arc<S> {
        &self.store
    }

    fn collection<'a>(&'a self, collection: Option<&'a str>) -> Option<&'a str> {
        collection.or(self.default_collection.as_deref())
    }

    /// Encodes a value into the stored object.
    pub fn encode(&self, value: &T) -> Result<Object> {
        let json = serde_json::to_value(value).map_err(|e| {
            Error::serialization(format!("cannot serialize value: {e}")).with_source(e)
        })?;
        match (self.shape, json) {
            (Shape::Object, Value::Object(map)) => Ok(map),
            (Shape::Object, other) => Err(Error::serialization(format!(
                "value serializes to {}, not an object; use Shape::Items",
                crate::codec::strict::json_type(&other)
            ))),
            (Shape::Items, json) => {
                let mut map = Object::new();
                map.insert("items".to_owned(), json);
                Ok(map)
            }
        }
    }

    /// Decodes a stored object into `T`.
    pub fn decode(&self, mut object: Object) -> Result<T> {
        let json = match self.shape {
            Shape::Object => Value::Object(object),
            Shape::Items => object
                .remove("items")
                .ok_or_else(|| Error::deserialization("stored value has no 'items' member"))?,
        };
        serde_json::from_value(json).map_err(|e| {
            Error::deserialization(format!("stored value does not match the type: {e}"))
                .with_source(e)
        })
    }

    fn decode_read(
        &self,
        op: &'static str,
        c: Option<&str>,
        key: &str,
        object: Object,
    ) -> Result<Option<T>> {
        match self.decode(object) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                let e = e.with_context("typed", op, Some(c.unwrap_or("default")), Some(key));
                if self.raise_on_validation_error {
                    Err(e)
                } else {
                    tracing::error!(error = %e, "stored value failed validation; treated as missing");
                    Ok(None)
                }
            }
        }
    }

    /// The live value of `key`, decoded.
    pub async fn get(&self, collection: Option<&str>, key: &str) -> Result<Option<T>> {
        let c = self.collection(collection);
        match self.store.get(c, key).await? {
            Some(object) => self.decode_read("get", c, key, object),
            None => Ok(None),
        }
    }

    /// The live value of `key`, or `default`.
    pub async fn get_or(&self, collection: Option<&str>, key: &str, default: T) -> Result<T> {
        Ok(self.get(collection, key).await?.unwrap_or(default))
    }

    /// Many values, in order.
    pub async fn get_many(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Option<T>>> {
        let c = self.collection(collection);
        let objects = self.store.get_many(c, keys).await?;
        objects
            .into_iter()
            .zip(keys)
            .map(|(o, k)| match o {
                Some(o) => self.decode_read("get_many", c, k, o),
                None => Ok(None),
            })
            .collect()
    }

    /// The live value with its remaining time.
    pub async fn ttl(
        &self,
        collection: Option<&str>,
        key: &str,
    ) -> Result<Option<(T, Option<Duration>)>> {
        let c = self.collection(collection);
        match self.store.ttl(c, key).await? {
            Some((o, ttl)) => Ok(self.decode_read("ttl", c, key, o)?.map(|v| (v, ttl))),
            None => Ok(None),
        }
    }

    /// Many values with their remaining times.
    pub async fn ttl_many(
        &self,
        collection: Option<&str>,
        keys: &[&str],
    ) -> Result<Vec<Option<(T, Option<Duration>)>>> {
        let c = self.collection(collection);
        let objects = self.store.ttl_many(c, keys).await?;
        objects
            .into_iter()
            .zip(keys)
            .map(|(o, k)| match o {
                Some((o, ttl)) => Ok(self.decode_read("ttl_many", c, k, o)?.map(|v| (v, ttl))),
                None => Ok(None),
            })
            .collect()
    }

    /// Writes a value.
    pub async fn put(
        &self,
        collection: Option<&str>,
        key: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<()> {
        let c = self.collection(collection);
        let object = self
            .encode(value)
            .map_err(|e| e.with_context("typed", "put", Some(c.unwrap_or("default")), Some(key)))?;
        self.store.put(c, key, object, ttl).await
    }

    /// Writes many values sharing one TTL.
    pub async fn put_many(
        &self,
        collection: Option<&str>,
        entries: &[(&str, &T)],
        ttl: Option<Duration>,
    ) -> Result<()> {
        let c = self.collection(collection);
        let mut objects = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let object = self.encode(v).map_err(|e| {
                e.with_context("typed", "put_many", Some(c.unwrap_or("default")), Some(k))
            })?;
            objects.push(((*k).to_owned(), object));
        }
        self.store.put_many(c, objects, ttl).await
    }

    /// Removes a value.
    pub async fn delete(&self, collection: Option<&str>, key: &str) -> Result<bool> {
        self.store.delete(self.collection(collection), key).await
    }

    /// Removes many values.
    pub async fn delete_many(&self, collection: Option<&str>, keys: &[&str]) -> Result<usize> {
        self.store
            .delete_many(self.collection(collection), keys)
            .await
    }
}

/// `true` when `kind` is a failure to decode a stored value.
pub fn is_validation_error(kind: &ErrorKind) -> bool {
    kind == &ErrorKind::Deserialization
}
