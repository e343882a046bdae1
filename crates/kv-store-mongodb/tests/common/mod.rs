//! Shared helpers of the MongoDB integration tests: the server URL, a plain client, raw access.
#![allow(dead_code)]

use kv_core::conformance::RawAccess;
use kv_core::{async_trait, Error, Result, Timestamp};
use mongodb::bson::{doc, Binary, Bson, DateTime, Document};
use mongodb::{Client, Collection};
use serde_json::Value;

/// The URL of the test server, or `None` (after printing why) when `KV_TEST_MONGODB_URL` is unset.
pub fn url() -> Option<String> {
    kv_core::conformance::service_url("KV_TEST_MONGODB_URL")
}

/// A database name no other test run uses (the suite runs with a database per run).
pub fn run_db() -> String {
    format!("kv-test-{}", kv_core::conformance::unique_token())
}

/// A plain driver client, bypassing the store.
pub async fn plain(url: &str) -> Client {
    Client::with_uri_str(url).await.expect("plain client")
}

fn err(e: mongodb::error::Error) -> Error {
    Error::backend(false, e.to_string())
}

/// Raw access to the documents of one database through a plain client.
///
/// The suite hands over JSON envelope bytes; a native-document store gets their closest BSON
/// equivalent (`conformance.md` §6.1.10): an envelope that is not a JSON object (bad JSON,
/// NaN, numbers out of range, non-UTF-8, arrays) becomes a document whose `value` is the raw
/// bytes as BSON binary (no `value.object`); an object keeps its fields with `value`
/// objects nested as `value.object`, other `value`s as they are, and timestamp strings that
/// parse as dates become BSON dates (unparsable ones stay strings).
pub struct RawMongo {
    pub url: String,
    pub db: String,
}

impl RawMongo {
    /// Raw access to database `db` on the server of `KV_TEST_MONGODB_URL` (a no-op without it).
    pub fn from_env(db: &str) -> Self {
        RawMongo {
            url: std::env::var("KV_TEST_MONGODB_URL").unwrap_or_default(),
            db: db.to_owned(),
        }
    }

    /// The plain driver's handle on MongoDB collection `collection` (a stored name).
    pub async fn collection(&self, collection: &str) -> Collection<Document> {
        plain(&self.url)
            .await
            .database(&self.db)
            .collection(collection)
    }
}

/// The document standing for `bytes` (see [`RawMongo`]).
pub fn native_equivalent(collection: &str, key: &str, bytes: &[u8]) -> Document {
    let mut doc = doc! {"key": key, "collection": collection};
    let parsed = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    let Some(Value::Object(envelope)) = parsed else {
        doc.insert(
            "value",
            Binary {
                subtype: mongodb::bson::spec::BinarySubtype::Generic,
                bytes: bytes.to_vec(),
            },
        );
        return doc;
    };
    for (field, value) in envelope {
        let converted = match (field.as_str(), value) {
            ("value", Value::Object(object)) => Bson::Document(doc! {"object": to_bson(&Value::Object(object))}),
            ("created_at" | "expires_at", Value::String(text)) => match Timestamp::parse(&text) {
                Ok(at) => Bson::DateTime(DateTime::from_millis(at.unix_micros() / 1000)),
                Err(_) => Bson::String(text),
            },
            (_, other) => to_bson(&other),
        };
        doc.insert(field, converted);
    }
    doc
}

/// JSON as BSON the way `mongoimport` converts it: an integer beyond `i64` (2^70) is read as
/// a double, which is a valid stored value (so the suite skips that one corruption case;
/// `tests/layout.rs` stores BSON types JSON lacks instead).
fn to_bson(value: &Value) -> Bson {
    match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Bson::Int64(i),
            (None, Some(f)) => Bson::Double(f),
            (None, None) => Bson::Null,
        },
        Value::String(s) => Bson::String(s.clone()),
        Value::Array(items) => Bson::Array(items.iter().map(to_bson).collect()),
        Value::Object(object) => Bson::Document(
            object
                .iter()
                .map(|(k, v)| (k.clone(), to_bson(v)))
                .collect(),
        ),
    }
}

#[async_trait]
impl RawAccess for RawMongo {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let coll = self.collection(collection).await;
        coll.replace_one(doc! {"key": key}, native_equivalent(collection, key, bytes))
            .upsert(true)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let coll = self.collection(collection).await;
        let found = coll.find_one(doc! {"key": key}).await.map_err(err)?;
        Ok(found.is_some())
    }
}
