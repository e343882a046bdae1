//! [`DynamoDBStore`]: the public store type.

use kv_core::{Result, Stability, Store};

use crate::backend::DynamoDBBackend;
use crate::config::DynamoDBStoreBuilder;

/// A key-value store on one DynamoDB table, byte-compatible with py-key-value's `DynamoDBStore`.
///
/// Entry `(C, K)` is the item `{collection: C, key: K, value: <envelope>, ttl: <epoch s>}`
/// (`ttl` only with a TTL, rounded up, and the table's native TTL attribute). Reads are
/// consistent and check expiry themselves: DynamoDB deletes expired items up to days late.
/// `get_many` is `BatchGetItem` (100 keys per call), `put_many` is `BatchWriteItem` (25 per
/// call), `delete_many` is one `BatchGetItem` pass (to count live entries) then `BatchWriteItem`
/// deletes; unprocessed keys are retried with backoff. Optional operation: `put_if_absent`
/// (conditional `PutItem`). Stability: [`Stability::Unstable`], like py-key-value's.
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_dynamodb::DynamoDBStore;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = DynamoDBStore::builder()
///     .table_name("kv")
///     .endpoint_url("http://127.0.0.1:8000")
///     .region("us-east-1")
///     .credentials("test", "test")
///     .build()?;
/// let value = json!({"name": "Alice"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, Some(std::time::Duration::from_secs(60))).await?;
/// assert!(store.get(Some("users"), "alice").await?.is_some());
/// store.close().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DynamoDBStore {
    pub(crate) inner: Store<DynamoDBBackend>,
}

kv_core::delegate_key_value!(DynamoDBStore, inner);

impl DynamoDBStore {
    /// A builder: table, endpoint, region, profile, credentials or a user's client, timeouts,
    /// `auto_create`, `table_config`.
    pub fn builder() -> DynamoDBStoreBuilder {
        DynamoDBStoreBuilder::default()
    }

    /// A store on `table` with the standard AWS configuration (environment, config files,
    /// instance metadata). No request is sent until the first operation.
    ///
    /// ```
    /// let store = kv_store_dynamodb::DynamoDBStore::new("kv")?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn new(table: impl Into<String>) -> Result<DynamoDBStore> {
        DynamoDBStore::builder().table_name(table).build()
    }

    /// A store on `table` through the user's SDK client, which the store never shuts down.
    ///
    /// ```no_run
    /// # async fn demo() -> kv_core::Result<()> {
    /// use kv_store_dynamodb::aws_config::{self, BehaviorVersion};
    /// let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    /// let client = kv_store_dynamodb::aws_sdk_dynamodb::Client::new(&config);
    /// let store = kv_store_dynamodb::DynamoDBStore::from_client(client, "kv")?;
    /// # Ok(()) }
    /// ```
    pub fn from_client(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
    ) -> Result<DynamoDBStore> {
        DynamoDBStore::builder()
            .client(client)
            .table_name(table)
            .build()
    }

    /// The table holding every collection.
    pub fn table_name(&self) -> &str {
        self.inner.backend().table_name()
    }

    /// The wire-format stability label (unstable, like py-key-value's `DynamoDBStore`).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }
}
