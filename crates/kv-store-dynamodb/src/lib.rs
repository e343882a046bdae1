#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-dynamodb
//!
//! [`DynamoDBStore`]: the [kv](kv_core) key-value API on one Amazon DynamoDB table through
//! `aws-sdk-dynamodb`, byte-compatible with Python's py-key-value `DynamoDBStore`: a Python
//! service and a Rust service can share one table.
//!
//! - Layout: partition key `collection` (S), sort key `key` (S), attribute `value` (S) holding
//!   the JSON envelope `{"collection", "created_at", "expires_at", "key", "value", "version": 1}`,
//!   and `ttl` (N, epoch seconds rounded up) when the entry expires.
//! - Setup: `DescribeTable`; with `auto_create` (the default) `CreateTable` (on-demand billing,
//!   the user's `table_config` applied first), wait until `ACTIVE`, then enable native TTL on
//!   `ttl` (servers without that call only get a warning).
//! - Reads are consistent and re-check expiry (the earlier of the envelope's `expires_at` and the
//!   `ttl` attribute): DynamoDB deletes expired items lazily.
//! - Batches: `BatchGetItem` in chunks of 100, `BatchWriteItem` in chunks of 25, unprocessed
//!   keys retried with backoff.
//! - Configuration: the standard AWS environment and config files, or an explicit endpoint URL,
//!   region and static credentials (DynamoDB Local, moto, dynalite), or the user's SDK client.
//!
//! ```no_run
//! use kv_core::KeyValue;
//! use kv_store_dynamodb::DynamoDBStore;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = DynamoDBStore::builder()
//!     .table_name("kv")
//!     .endpoint_url("http://127.0.0.1:8000")
//!     .region("us-east-1")
//!     .credentials("test", "test")
//!     .build()?;
//! let mut value = kv_core::Object::new();
//! value.insert("name".into(), "Alice".into());
//! store.put(Some("users"), "alice", value, None).await?;
//! let created = store.put_if_absent(Some("users"), "alice", kv_core::Object::new(), None).await?;
//! assert!(!created);
//! # Ok(()) }
//! ```

mod backend;
mod batch;
mod client;
mod conditional;
mod config;
mod error;
mod item;
mod store;
mod table;

pub use aws_config;
pub use aws_sdk_dynamodb;
pub use backend::DynamoDBBackend;
pub use batch::{GET_CHUNK, WRITE_CHUNK};
pub use config::{
    DynamoDBStoreBuilder, TableConfig, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_OPERATION_TIMEOUT, DEFAULT_TABLE_WAIT,
};
pub use store::DynamoDBStore;
