//! Shared helpers of the DynamoDB integration tests: the server endpoints (moto and dynalite),
//! a per-run table, a plain SDK client and raw item access.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use kv_core::conformance::{unique_token, RawAccess};
use kv_core::{async_trait, Error, KeyValue, Result};
use kv_store_dynamodb::aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use kv_store_dynamodb::aws_sdk_dynamodb::primitives::Blob;
use kv_store_dynamodb::aws_sdk_dynamodb::types::AttributeValue;
use kv_store_dynamodb::aws_sdk_dynamodb::{Client, Config};
use kv_store_dynamodb::{DynamoDBStore, DynamoDBStoreBuilder};

/// moto_server (`spec/test-services.md` §3.6).
pub const MOTO: &str = "KV_TEST_DYNAMODB_ENDPOINT";
/// dynalite, the second independent DynamoDB-compatible server.
pub const DYNALITE: &str = "KV_TEST_DYNALITE_ENDPOINT";

/// The endpoint of `variable`, or `None` (after printing why) when it is unset.
pub fn endpoint(variable: &str) -> Option<String> {
    kv_core::conformance::service_url(variable)
}

/// The table of this test run (one per test process and server, created by the first store).
pub fn run_table() -> &'static str {
    static TABLE: OnceLock<String> = OnceLock::new();
    TABLE.get_or_init(|| format!("kv-test-{}", unique_token()))
}

/// A fresh table name for tests that need a table of their own.
pub fn fresh_table(purpose: &str) -> String {
    format!("kv-{purpose}-{}", unique_token())
}

/// A builder on `endpoint` with the test credentials and region.
pub fn builder(endpoint: &str, table: &str) -> DynamoDBStoreBuilder {
    DynamoDBStore::builder()
        .table_name(table)
        .endpoint_url(endpoint)
        .region("us-east-1")
        .credentials("test", "test")
}

/// The conformance factory body: a store on the run table of `variable`'s server.
pub async fn store(variable: &str) -> Option<Arc<dyn KeyValue>> {
    let endpoint = endpoint(variable)?;
    let store = builder(&endpoint, run_table())
        .build()
        .expect("valid test configuration");
    Some(Arc::new(store) as Arc<dyn KeyValue>)
}

/// A plain SDK config on `endpoint`, bypassing the store.
pub fn plain_config(endpoint: &str) -> kv_store_dynamodb::aws_sdk_dynamodb::config::Builder {
    Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "kv-tests"))
}

/// A plain SDK client on `endpoint`.
pub fn plain(endpoint: &str) -> Client {
    Client::from_conf(plain_config(endpoint).build())
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::backend(false, e.to_string())
}

/// The primary key of an item.
pub fn key_of(collection: &str, key: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (
            "collection".to_owned(),
            AttributeValue::S(collection.into()),
        ),
        ("key".to_owned(), AttributeValue::S(key.into())),
    ])
}

/// Reads an item as stored.
pub async fn get_raw(
    client: &Client,
    table: &str,
    collection: &str,
    key: &str,
) -> Option<HashMap<String, AttributeValue>> {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(key_of(collection, key)))
        .consistent_read(true)
        .send()
        .await
        .expect("raw GetItem")
        .item
}

/// Raw access in the store's layout through a plain client, on the run table.
pub struct RawDynamo {
    variable: &'static str,
}

impl RawDynamo {
    /// Raw access to the server of `variable` (a no-op without it).
    pub fn new(variable: &'static str) -> Self {
        RawDynamo { variable }
    }

    fn client(&self) -> Client {
        plain(&std::env::var(self.variable).unwrap_or_default())
    }
}

#[async_trait]
impl RawAccess for RawDynamo {
    /// `value` is an S attribute when `bytes` are UTF-8, else a B attribute (which the store
    /// must report as corrupted).
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let value = match std::str::from_utf8(bytes) {
            Ok(text) => AttributeValue::S(text.to_owned()),
            Err(_) => AttributeValue::B(Blob::new(bytes)),
        };
        let mut item = key_of(collection, key);
        item.insert("value".into(), value);
        self.client()
            .put_item()
            .table_name(run_table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let out = self
            .client()
            .get_item()
            .table_name(run_table())
            .set_key(Some(key_of(collection, key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(err)?;
        Ok(out.item.is_some())
    }
}
