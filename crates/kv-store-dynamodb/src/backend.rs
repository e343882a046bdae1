//! [`DynamoDBBackend`]: the raw entry operations on one DynamoDB table (`wire-format.md` §5.6).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, ReturnValue, WriteRequest};
use aws_sdk_dynamodb::Client;
use kv_core::{
    async_trait, Backend, Capabilities, Entry, Error, Name, Result, Stability, Timestamp,
};
use parking_lot::RwLock;

use crate::batch;
use crate::client::ClientSpec;
use crate::conditional;
use crate::config::TableConfig;
use crate::error::from_sdk;
use crate::item::{self, check_names, primary_key, Item};
use crate::table::{self, TableSpec};

/// The DynamoDB backend behind [`DynamoDBStore`](crate::DynamoDBStore).
pub struct DynamoDBBackend {
    client: RwLock<ClientState>,
    table: String,
    auto_create: bool,
    table_config: Option<TableConfig>,
    table_wait: Duration,
}

enum ClientState {
    /// Built from the AWS configuration at setup.
    Pending(Box<crate::client::LoadSpec>),
    /// Ready; `own` tells whether the store built it.
    Ready {
        client: Client,
        own: bool,
    },
    Closed,
}

impl fmt::Debug for DynamoDBBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let client = match &*self.client.read() {
            ClientState::Pending(_) => "own client (not loaded yet)",
            ClientState::Ready { own: true, .. } => "own client",
            ClientState::Ready { own: false, .. } => "user client",
            ClientState::Closed => "closed",
        };
        f.debug_struct("DynamoDBBackend")
            .field("table", &self.table)
            .field("client", &client)
            .field("auto_create", &self.auto_create)
            .finish_non_exhaustive()
    }
}

impl DynamoDBBackend {
    pub(crate) fn new(
        client: ClientSpec,
        table: String,
        auto_create: bool,
        table_config: Option<TableConfig>,
        table_wait: Duration,
    ) -> Self {
        let state = match client {
            ClientSpec::User(client) => ClientState::Ready { client, own: false },
            ClientSpec::Load(spec) => ClientState::Pending(spec),
        };
        DynamoDBBackend {
            client: RwLock::new(state),
            table,
            auto_create,
            table_config,
            table_wait,
        }
    }

    /// The table name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The SDK client once it exists (after setup, or at once for a user's client).
    pub fn client(&self) -> Option<Client> {
        match &*self.client.read() {
            ClientState::Ready { client, .. } => Some(client.clone()),
            _ => None,
        }
    }

    fn ready_client(&self) -> Result<Client> {
        match &*self.client.read() {
            ClientState::Ready { client, .. } => Ok(client.clone()),
            ClientState::Pending(_) => Err(Error::setup("the DynamoDB client is not set up yet")),
            ClientState::Closed => Err(Error::setup("store is closed")),
        }
    }

    /// Builds the store's own client on first setup.
    async fn load_client(&self) -> Result<Client> {
        let spec = match &*self.client.read() {
            ClientState::Ready { client, .. } => return Ok(client.clone()),
            ClientState::Closed => return Err(Error::setup("store is closed")),
            // Cloned: the lock is not held across the await.
            ClientState::Pending(spec) => spec.as_ref().clone(),
        };
        let client = spec.load().await;
        let mut state = self.client.write();
        match &*state {
            ClientState::Pending(_) => {
                *state = ClientState::Ready {
                    client: client.clone(),
                    own: true,
                };
                Ok(client)
            }
            ClientState::Ready { client, .. } => Ok(client.clone()),
            ClientState::Closed => Err(Error::setup("store is closed")),
        }
    }

    async fn get_item(
        &self,
        client: &Client,
        collection: &Name<'_>,
        key: &Name<'_>,
    ) -> Result<Option<Item>> {
        let out = client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(collection, key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| from_sdk("GetItem", e))?;
        Ok(out.item)
    }

    /// The items of distinct `keys` of one collection, by stored key.
    async fn batch_get(
        &self,
        client: &Client,
        collection: &Name<'_>,
        keys: &[&Name<'_>],
    ) -> Result<HashMap<String, Item>> {
        let requests = keys.iter().map(|k| primary_key(collection, k)).collect();
        let items = batch::get_items(client, &self.table, requests).await?;
        let mut by_key = HashMap::with_capacity(items.len());
        for found in items {
            let Some(key) = item::item_key(&found).map(str::to_owned) else {
                return Err(Error::deserialization(
                    "BatchGetItem returned an item without a string `key` attribute",
                ));
            };
            by_key.insert(key, found);
        }
        Ok(by_key)
    }
}

/// Deduplicates names (BatchGetItem rejects repeated keys), keeping first occurrences.
fn distinct<'n, 'a>(keys: &'n [Name<'a>]) -> Vec<&'n Name<'a>> {
    let mut seen = HashSet::with_capacity(keys.len());
    keys.iter().filter(|k| seen.insert(k.as_str())).collect()
}

/// Whether a removed item held a live entry (undecodable ones count: something was removed).
fn was_live(item: Option<&Item>, now: Timestamp) -> bool {
    match item::decode(item) {
        Ok(Some(entry)) => entry.is_live(now),
        Ok(None) => false,
        Err(_) => true,
    }
}

#[async_trait]
impl Backend for DynamoDBBackend {
    fn name(&self) -> &'static str {
        "dynamodb"
    }

    fn stability(&self) -> Stability {
        Stability::Unstable
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            put_if_absent: true,
            ..Capabilities::NONE
        }
    }

    async fn setup(&self) -> Result<()> {
        let client = self.load_client().await?;
        let spec = TableSpec {
            name: &self.table,
            auto_create: self.auto_create,
            config: self.table_config.as_ref(),
            wait: self.table_wait,
        };
        table::ensure(&client, &spec).await
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        check_names(collection, key)?;
        let client = self.ready_client()?;
        let found = self.get_item(&client, collection, key).await?;
        item::decode(found.as_ref())
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        for key in keys {
            check_names(collection, key).map_err(|e| e.with_key(key.given))?;
        }
        let client = self.ready_client()?;
        let found = self.batch_get(&client, collection, &distinct(keys)).await?;
        keys.iter()
            .map(|key| item::decode(found.get(key.as_str())).map_err(|e| e.with_key(key.given)))
            .collect()
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let item = item::encode(collection, key, &entry)?;
        let client = self.ready_client()?;
        client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| from_sdk("PutItem", e))?;
        Ok(())
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        let mut requests = Vec::with_capacity(entries.len());
        for (key, entry) in &entries {
            let item = item::encode(collection, key, entry).map_err(|e| e.with_key(key.given))?;
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| Error::backend(false, format!("invalid PutRequest: {e}")))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        let client = self.ready_client()?;
        batch::write(&client, &self.table, requests).await
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        check_names(collection, key)?;
        let client = self.ready_client()?;
        let out = client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(collection, key)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| from_sdk("DeleteItem", e))?;
        Ok(out
            .attributes
            .as_ref()
            .is_some_and(|old| !old.is_empty() && was_live(Some(old), now)))
    }

    /// `BatchGetItem` to learn which keys hold live entries (`BatchWriteItem` returns nothing
    /// about deleted items), then `BatchWriteItem` deletes of the keys that exist.
    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        for key in keys {
            check_names(collection, key).map_err(|e| e.with_key(key.given))?;
        }
        let client = self.ready_client()?;
        let unique = distinct(keys);
        let found = self.batch_get(&client, collection, &unique).await?;
        let mut live = 0;
        let mut requests = Vec::with_capacity(found.len());
        for key in unique {
            let Some(existing) = found.get(key.as_str()) else {
                continue;
            };
            live += usize::from(was_live(Some(existing), now));
            let delete = DeleteRequest::builder()
                .set_key(Some(primary_key(collection, key)))
                .build()
                .map_err(|e| Error::backend(false, format!("invalid DeleteRequest: {e}")))?;
            requests.push(WriteRequest::builder().delete_request(delete).build());
        }
        batch::write(&client, &self.table, requests).await?;
        Ok(live)
    }

    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        now: Timestamp,
    ) -> Result<bool> {
        let item = item::encode(collection, key, &entry)?;
        let client = self.ready_client()?;
        if conditional::put_if_missing(&client, &self.table, item.clone()).await? {
            return Ok(true);
        }
        // Present: replace it only if it is logically expired, conditioned on its old value.
        let Some(current) = self.get_item(&client, collection, key).await? else {
            // Deleted meanwhile: one more create attempt decides.
            return conditional::put_if_missing(&client, &self.table, item).await;
        };
        if let Some(existing) = item::decode(Some(&current))? {
            if existing.is_live(now) {
                return Ok(false);
            }
        }
        conditional::replace_if_unchanged(&client, &self.table, item, current.get(item::VALUE))
            .await
    }

    async fn close(&self) -> Result<()> {
        // Drops the store's handle; a user's client stays usable through the user's own handle.
        *self.client.write() = ClientState::Closed;
        Ok(())
    }
}
