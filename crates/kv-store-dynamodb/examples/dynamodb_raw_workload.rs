//! The benchmark workload on the bare SDK client, no kv in between: the same calls (`PutItem`,
//! consistent `GetItem`, `BatchGetItem` of 100, `BatchWriteItem` chunks of 25 with four in
//! flight) with the same items, on table `kv-bench-raw` (created, untimed, through
//! `DynamoDBStore::setup` so the schema is kv's). `cargo xtask bench dynamodb` runs it next to
//! `kv bench`; by hand:
//! `cargo run --release -p kv-store-dynamodb --example dynamodb_raw_workload -- http://127.0.0.1:4567 out.jsonl --quick`

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt, TryStreamExt};
use kv_bench::raw::{envelope_bytes, example_main};
use kv_bench::{Workload, COLLECTION};
use kv_core::{async_trait, Error, KeyValue, Object, Result, Timestamp};
use kv_store_dynamodb::aws_config::{self, BehaviorVersion, Region};
use kv_store_dynamodb::aws_sdk_dynamodb::config::Credentials;
use kv_store_dynamodb::aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use kv_store_dynamodb::aws_sdk_dynamodb::Client;
use kv_store_dynamodb::{DynamoDBStore, GET_CHUNK, WRITE_CHUNK};

const TABLE: &str = "kv-bench-raw";

type Item = HashMap<String, AttributeValue>;

struct RawDynamoDB(Client);

fn fail(e: impl std::fmt::Debug) -> Error {
    Error::backend(true, format!("{e:?}"))
}

fn primary_key(key: &str) -> Item {
    HashMap::from([
        (
            "collection".to_owned(),
            AttributeValue::S(COLLECTION.to_owned()),
        ),
        ("key".to_owned(), AttributeValue::S(key.to_owned())),
    ])
}

/// The item kv writes: the primary key, the envelope and, with a TTL, `ttl` in epoch seconds.
fn item(key: &str, value: Object, ttl: Option<Duration>) -> Item {
    let (doc, _) = envelope_bytes(key, value, ttl);
    let mut item = primary_key(key);
    item.insert("value".to_owned(), AttributeValue::S(doc));
    if let Some(expires_at) = ttl.and_then(|t| Timestamp::now().checked_add(t)) {
        let seconds = expires_at.unix_seconds_ceil().to_string();
        item.insert("ttl".to_owned(), AttributeValue::N(seconds));
    }
    item
}

impl RawDynamoDB {
    async fn write(&self, requests: Vec<WriteRequest>) -> Result<()> {
        let chunks: Vec<Vec<WriteRequest>> = requests
            .chunks(WRITE_CHUNK)
            .map(<[WriteRequest]>::to_vec)
            .collect();
        stream::iter(chunks)
            .map(|chunk| async move {
                let out = self
                    .0
                    .batch_write_item()
                    .request_items(TABLE, chunk)
                    .send()
                    .await
                    .map_err(fail)?;
                match out.unprocessed_items.filter(|u| !u.is_empty()) {
                    None => Ok(()),
                    Some(left) => Err(fail(format!("unprocessed: {left:?}"))),
                }
            })
            .buffer_unordered(4)
            .try_collect::<Vec<()>>()
            .await
            .map(drop)
    }
}

#[async_trait]
impl Workload for RawDynamoDB {
    async fn put(&self, key: &str, value: Object, ttl: Option<Duration>) -> Result<()> {
        self.0
            .put_item()
            .table_name(TABLE)
            .set_item(Some(item(key, value, ttl)))
            .send()
            .await
            .map_err(fail)
            .map(drop)
    }

    async fn get(&self, key: &str) -> Result<bool> {
        let out = self
            .0
            .get_item()
            .table_name(TABLE)
            .set_key(Some(primary_key(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(fail)?;
        Ok(out.item.is_some())
    }

    async fn get_many(&self, keys: &[String]) -> Result<usize> {
        let mut found = 0;
        for chunk in keys.chunks(GET_CHUNK) {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(chunk.iter().map(|k| primary_key(k)).collect()))
                .consistent_read(true)
                .build()
                .map_err(fail)?;
            let out = self
                .0
                .batch_get_item()
                .request_items(TABLE, request)
                .send()
                .await
                .map_err(fail)?;
            found += out
                .responses
                .and_then(|mut r| r.remove(TABLE))
                .map_or(0, |items| items.len());
        }
        Ok(found)
    }

    async fn put_many(&self, entries: Vec<(String, Object)>, ttl: Option<Duration>) -> Result<()> {
        let requests = entries
            .into_iter()
            .map(|(key, value)| {
                let put = PutRequest::builder()
                    .set_item(Some(item(&key, value, ttl)))
                    .build()
                    .map_err(fail)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>>>()?;
        self.write(requests).await
    }

    async fn delete_many(&self, keys: &[String]) -> Result<()> {
        let requests = keys
            .iter()
            .map(|key| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(primary_key(key)))
                    .build()
                    .map_err(fail)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>>>()?;
        self.write(requests).await
    }
}

fn main() -> ExitCode {
    example_main("dynamodb", |endpoint| async move {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
            .load()
            .await;
        let client = Client::new(&config);
        // The table with kv's schema, created through kv (untimed); the workload is the SDK's.
        let store = DynamoDBStore::from_client(client.clone(), TABLE)?;
        store.setup().await?;
        Ok(Arc::new(RawDynamoDB(client)) as Arc<dyn Workload>)
    })
}
