//! Shared helpers of the MongoDB integration tests: the server URL, a plain client, raw access.
#![allow(dead_code)]

use std::borrow::Cow;
use std::sync::Arc;

use kv_core::conformance::RawAccess;
use kv_core::sanitize::SanitizationStrategy;
use kv_core::{async_trait, Error, Result, Timestamp};
use mongodb::bson::{doc, Bson, DateTime, Document};
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

/// Whether the server accepts collection names outside `[A-Za-z_][A-Za-z0-9_]*` (real mongod
/// does; nx-27017 refuses `-`, spaces, non-ASCII and a leading digit). Probed once per test
/// binary by creating and dropping `kv-probe-<token>` in database `db`.
pub async fn accepts_any_collection_name(url: &str, db: &str) -> bool {
    static ANSWER: tokio::sync::OnceCell<bool> = tokio::sync::OnceCell::const_new();
    *ANSWER
        .get_or_init(|| async {
            let database = plain(url).await.database(db);
            let name = format!("kv-probe-{}", kv_core::conformance::unique_token());
            let accepted = database.create_collection(&name).await.is_ok();
            if accepted {
                let _ = database.collection::<Document>(&name).drop().await;
            } else {
                println!(
                    "NOTE: this MongoDB server refuses collection names such as {name:?} \
                     (nx-27017 accepts only [A-Za-z_][A-Za-z0-9_]*)"
                );
            }
            accepted
        })
        .await
}

/// A test-only collection strategy for servers that accept only `[A-Za-z_][A-Za-z0-9_]*`:
/// `c_` + the name with ASCII letters and digits kept, `_` doubled and every other byte as
/// `_xx` (lower-case hex). Injective, so the suite's collections stay distinct.
#[derive(Debug, Clone, Copy)]
pub struct IdentifierNames;

impl SanitizationStrategy for IdentifierNames {
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        let mut out = String::with_capacity(value.len() + 2);
        out.push_str("c_");
        for byte in value.bytes() {
            match byte {
                b'_' => out.push_str("__"),
                b if b.is_ascii_alphanumeric() => out.push(b as char),
                b => out.push_str(&format!("_{b:02x}")),
            }
        }
        Cow::Owned(out)
    }
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
/// NaN, numbers out of range, non-UTF-8, arrays) becomes a document whose `value` is the
/// bytes as (lossy) text (no `value.object`); an object keeps its fields with `value`
/// objects nested as `value.object`, other `value`s as they are, and timestamp strings that
/// parse as dates become BSON dates (unparsable ones stay strings).
pub struct RawMongo {
    pub url: String,
    pub db: String,
    /// The store's collection strategy (`None`: names are stored as given).
    pub names: Option<Arc<dyn SanitizationStrategy>>,
}

impl RawMongo {
    /// Raw access to database `db` on the server of `KV_TEST_MONGODB_URL` (a no-op without it).
    pub fn from_env(db: &str, names: Option<Arc<dyn SanitizationStrategy>>) -> Self {
        RawMongo {
            url: std::env::var("KV_TEST_MONGODB_URL").unwrap_or_default(),
            db: db.to_owned(),
            names,
        }
    }

    /// The plain driver's handle on MongoDB collection `collection` (a stored name).
    pub async fn collection(&self, collection: &str) -> Collection<Document> {
        plain(&self.url)
            .await
            .database(&self.db)
            .collection(collection)
    }

    /// The stored name of kv collection `given`.
    fn stored(&self, given: &str) -> String {
        match &self.names {
            Some(strategy) => strategy.sanitize(given).into_owned(),
            None => given.to_owned(),
        }
    }
}

/// The document standing for `bytes` (see [`RawMongo`]).
pub fn native_equivalent(collection: &str, key: &str, bytes: &[u8]) -> Document {
    let mut doc = doc! {"key": key, "collection": collection};
    let parsed = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    let Some(Value::Object(envelope)) = parsed else {
        // Binary would be closer, but nx-27017 cannot store BSON binary.
        doc.insert("value", String::from_utf8_lossy(bytes).into_owned());
        return doc;
    };
    for (field, value) in envelope {
        let converted = match (field.as_str(), value) {
            ("value", Value::Object(object)) => {
                Bson::Document(doc! {"object": to_bson(&Value::Object(object))})
            }
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
        let coll = self.collection(&self.stored(collection)).await;
        coll.replace_one(doc! {"key": key}, native_equivalent(collection, key, bytes))
            .upsert(true)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let coll = self.collection(&self.stored(collection)).await;
        let found = coll.find_one(doc! {"key": key}).await.map_err(err)?;
        Ok(found.is_some())
    }
}
