//! [`MongoDBBackend`]: the raw entry operations on MongoDB (`wire-format.md` §5.4).

use std::collections::HashMap;
use std::fmt;
use std::future::IntoFuture;
use std::sync::OnceLock;
use std::time::Duration;

use futures::TryStreamExt;
use kv_core::{async_trait, Backend, Capabilities, Entry, Error, Name, Result, Timestamp};
use mongodb::bson::{doc, Bson, Document, RawArrayBuf, RawDocumentBuf};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection, Database};

use crate::config::redact_url;
use crate::document::{self, COLLECTION, EXPIRES_AT, KEY};
use crate::error::{from_mongo, timed_out, write_error};
use crate::indexes;

/// The largest document MongoDB stores (`maxBsonObjectSize`).
pub(crate) const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
/// Update statements per `update` command (MongoDB allows 100 000).
const STATEMENTS_PER_COMMAND: usize = 10_000;
/// Bytes of update statements per `update` command (the command itself is capped at 16 MiB).
const BYTES_PER_COMMAND: usize = 8 * 1024 * 1024;

/// Where the client comes from.
pub(crate) enum ClientSource {
    /// The store's own client, built from this URL at setup and shut down by `close()`.
    Url(String),
    /// The user's client, never shut down by the store.
    User(Client),
}

/// Timeouts of the store's own client and of every operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    pub(crate) server_selection: Duration,
    pub(crate) connect: Duration,
    pub(crate) operation: Duration,
}

/// The MongoDB backend behind [`MongoDBStore`](crate::MongoDBStore).
pub struct MongoDBBackend {
    source: ClientSource,
    client: OnceLock<Client>,
    db_name: String,
    auto_create: bool,
    timeouts: Timeouts,
}

impl fmt::Debug for MongoDBBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            ClientSource::Url(url) => redact_url(url),
            ClientSource::User(_) => "<user client>".into(),
        };
        f.debug_struct("MongoDBBackend")
            .field("client", &source)
            .field("db_name", &self.db_name)
            .field("auto_create", &self.auto_create)
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

impl MongoDBBackend {
    pub(crate) fn new(
        source: ClientSource,
        db_name: String,
        auto_create: bool,
        timeouts: Timeouts,
    ) -> Self {
        let client = OnceLock::new();
        if let ClientSource::User(user) = &source {
            let _ = client.set(user.clone());
        }
        MongoDBBackend {
            source,
            client,
            db_name,
            auto_create,
            timeouts,
        }
    }

    /// The database the store keeps its collections in.
    pub fn db_name(&self) -> &str {
        &self.db_name
    }

    fn database(&self) -> Result<Database> {
        self.client
            .get()
            .map(|client| client.database(&self.db_name))
            .ok_or_else(|| Error::setup("the mongodb client is not set up"))
    }

    fn collection(&self, name: &Name<'_>) -> Result<Collection<Document>> {
        Ok(self.database()?.collection(name.as_str()))
    }

    /// Runs one driver call under the operation deadline.
    async fn timed<T>(
        &self,
        operation: &'static str,
        call: impl IntoFuture<Output = mongodb::error::Result<T>>,
    ) -> Result<T> {
        match tokio::time::timeout(self.timeouts.operation, call.into_future()).await {
            Ok(result) => result.map_err(from_mongo),
            Err(_) => Err(timed_out(operation)),
        }
    }

    async fn own_client(&self, url: &str) -> Result<Client> {
        let mut options = self
            .timed("connect", ClientOptions::parse(url))
            .await
            .map_err(|e| {
                Error::setup(format!(
                    "invalid mongodb URL {}: {}",
                    redact_url(url),
                    e.message()
                ))
            })?;
        options
            .server_selection_timeout
            .get_or_insert(self.timeouts.server_selection);
        options.connect_timeout.get_or_insert(self.timeouts.connect);
        Client::with_options(options).map_err(|e| {
            Error::setup(format!(
                "invalid mongodb configuration for {}",
                redact_url(url)
            ))
            .with_source(e)
        })
    }

    /// Whether collection `name` exists in the store's database.
    async fn exists(&self, name: &str) -> Result<bool> {
        let db = self.database()?;
        let names = self
            .timed(
                "listCollections",
                db.list_collection_names().filter(doc! {"name": name}),
            )
            .await?;
        Ok(names.iter().any(|n| n == name))
    }

    /// Upserts `entries` with `update` commands of many statements (one command for up to
    /// 10 000 entries and 8 MiB), stopping at the first failed statement.
    async fn upsert_many(
        &self,
        collection: &Name<'_>,
        entries: &[(Name<'_>, Entry)],
    ) -> Result<()> {
        let mut batch = RawArrayBuf::new();
        let mut count = 0;
        let mut bytes = 0;
        for (key, entry) in entries {
            let statement = update_statement(collection, key, entry)?;
            if count > 0
                && (count == STATEMENTS_PER_COMMAND
                    || bytes + statement.as_bytes().len() > BYTES_PER_COMMAND)
            {
                self.run_update(collection, std::mem::take(&mut batch), count)
                    .await?;
                count = 0;
                bytes = 0;
            }
            bytes += statement.as_bytes().len();
            count += 1;
            batch.push(statement);
        }
        if count > 0 {
            self.run_update(collection, batch, count).await?;
        }
        Ok(())
    }

    async fn run_update(
        &self,
        collection: &Name<'_>,
        updates: RawArrayBuf,
        count: usize,
    ) -> Result<()> {
        let mut command = RawDocumentBuf::new();
        command.append("update", collection.as_str());
        command.append("updates", updates);
        command.append("ordered", true);
        let db = self.database()?;
        let reply = self.timed("update", db.run_raw_command(command)).await?;
        if let Ok(errors) = reply.get_array("writeErrors") {
            if let Some(Bson::Document(first)) = errors.first() {
                let code = first.get_i32("code").unwrap_or_default();
                let message = first.get_str("errmsg").unwrap_or_default();
                let index = first.get_i32("index").unwrap_or_default();
                return Err(write_error(
                    code,
                    &format!("statement {index} of {count}: {message}"),
                ));
            }
        }
        if let Ok(concern) = reply.get_document("writeConcernError") {
            let code = concern.get_i32("code").unwrap_or_default();
            let message = concern.get_str("errmsg").unwrap_or_default();
            return Err(write_error(code, message)
                .with_source(Error::backend(true, "write concern not satisfied")));
        }
        Ok(())
    }
}

/// `{q: {key}, u: <document>, upsert: true}` as raw BSON (the document is serialized once).
fn update_statement(
    collection: &Name<'_>,
    key: &Name<'_>,
    entry: &Entry,
) -> Result<RawDocumentBuf> {
    let replacement = document::encode(collection.given, key.given, entry)?;
    let statement = doc! {"q": {KEY: key.as_str()}, "u": replacement, "upsert": true};
    let raw = RawDocumentBuf::from_document(&statement).map_err(|e| {
        Error::serialization(format!(
            "key {:?}: the value cannot be stored as BSON",
            key.given
        ))
        .with_source(e)
    })?;
    if raw.as_bytes().len() > MAX_DOCUMENT_BYTES {
        return Err(too_large(key, raw.as_bytes().len()));
    }
    Ok(raw)
}

fn too_large(key: &Name<'_>, bytes: usize) -> Error {
    Error::new(
        kv_core::ErrorKind::ValueTooLarge,
        format!(
            "the document of key {:?} is {bytes} bytes; MongoDB stores at most {MAX_DOCUMENT_BYTES}",
            key.given
        ),
    )
}

/// `{expires_at: {$gt: now}}` or no `expires_at` at all: the live documents.
fn live_filter(now: Timestamp) -> Document {
    doc! {"$or": [
        {EXPIRES_AT: {"$exists": false}},
        {EXPIRES_AT: Bson::Null},
        {EXPIRES_AT: {"$gt": document::date_floor(now)}},
    ]}
}

#[async_trait]
impl Backend for MongoDBBackend {
    fn name(&self) -> &'static str {
        "mongodb"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            keys: true,
            destroy_collection: true,
            ..Capabilities::NONE
        }
    }

    async fn setup(&self) -> Result<()> {
        if self.client.get().is_some() {
            return Ok(());
        }
        let ClientSource::Url(url) = &self.source else {
            return Ok(());
        };
        let client = self.own_client(url).await?;
        let _ = self.client.set(client);
        Ok(())
    }

    fn has_collection_setup(&self) -> bool {
        true
    }

    async fn setup_collection(&self, collection: &Name<'_>) -> Result<()> {
        let name = collection.as_str();
        let db = self.database()?;
        if !self.exists(name).await? {
            if !self.auto_create {
                return Err(Error::setup(format!(
                    "Collection '{name}' does not exist in database '{}'. Either create the \
                     collection manually or enable auto_create.",
                    self.db_name
                )));
            }
            let created = tokio::time::timeout(self.timeouts.operation, db.create_collection(name))
                .await
                .map_err(|_| timed_out("create"))?;
            match created {
                Ok(()) => {}
                // NamespaceExists: another store created it first.
                Err(e) if indexes::is_namespace_exists(&e) => {}
                Err(e) => return Err(from_mongo(e)),
            }
        } else if !self.auto_create {
            return Ok(());
        }
        let coll = db.collection::<Document>(name);
        let missing = indexes::missing(
            self.timed("listIndexes", async {
                coll.list_indexes().await?.try_collect::<Vec<_>>().await
            })
            .await?,
        );
        if !missing.is_empty() {
            self.timed("createIndexes", coll.create_indexes(missing))
                .await?;
        }
        Ok(())
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let coll = self.collection(collection)?;
        let found = self
            .timed("find", coll.find_one(doc! {KEY: key.as_str()}))
            .await?;
        found.as_ref().map(document::decode).transpose()
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let coll = self.collection(collection)?;
        let wanted: Vec<&str> = keys.iter().map(Name::as_str).collect();
        let docs: Vec<Document> = self
            .timed("find", async {
                coll.find(doc! {KEY: {"$in": &wanted}})
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        let mut by_key: HashMap<&str, &Document> = HashMap::with_capacity(docs.len());
        for doc in &docs {
            if let Ok(key) = doc.get_str(KEY) {
                by_key.insert(key, doc);
            }
        }
        keys.iter()
            .map(|key| match by_key.get(key.as_str()) {
                None => Ok(None),
                Some(doc) => document::decode(doc).map(Some).map_err(|e| {
                    // The store names only the first key of a batch: name the bad one.
                    e.with_key(key.given)
                }),
            })
            .collect()
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let replacement = document::encode(collection.given, key.given, &entry)?;
        let coll = self.collection(collection)?;
        self.timed(
            "replaceOne",
            coll.replace_one(doc! {KEY: key.as_str()}, replacement)
                .upsert(true),
        )
        .await?;
        Ok(())
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        self.upsert_many(collection, &entries).await
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let coll = self.collection(collection)?;
        let removed = self
            .timed(
                "findAndModify",
                coll.find_one_and_delete(doc! {KEY: key.as_str()})
                    .projection(doc! {EXPIRES_AT: 1}),
            )
            .await?;
        Ok(removed.is_some_and(|doc| document::is_live(&doc, now)))
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        if keys.is_empty() {
            return Ok(0);
        }
        let coll = self.collection(collection)?;
        let wanted: Vec<&str> = keys.iter().map(Name::as_str).collect();
        let filter = doc! {KEY: {"$in": &wanted}};
        let found: Vec<Document> = self
            .timed("find", async {
                coll.find(filter.clone())
                    .projection(doc! {KEY: 1, EXPIRES_AT: 1})
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        let mut live: Vec<&str> = found
            .iter()
            .filter(|doc| document::is_live(doc, now))
            .filter_map(|doc| doc.get_str(KEY).ok())
            .collect();
        live.sort_unstable();
        live.dedup();
        self.timed("delete", coll.delete_many(filter)).await?;
        Ok(live.len())
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let coll = self.collection(collection)?;
        let docs: Vec<Document> = self
            .timed("find", async {
                coll.find(live_filter(now))
                    .projection(doc! {KEY: 1, COLLECTION: 1, "_id": 0})
                    .limit(i64::try_from(limit).unwrap_or(i64::MAX))
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        Ok(docs
            .iter()
            .filter_map(|doc| doc.get_str(KEY).ok().map(str::to_owned))
            .collect())
    }

    /// Drops the collection; `true` iff it held any document (reads re-create a collection
    /// lazily, so an empty one counts as absent).
    async fn destroy_collection(&self, collection: &Name<'_>) -> Result<bool> {
        let coll = self.collection(collection)?;
        let any = self
            .timed("find", coll.find_one(doc! {}).projection(doc! {"_id": 1}))
            .await?
            .is_some();
        if self.exists(collection.as_str()).await? {
            self.timed("drop", coll.drop()).await?;
        }
        Ok(any)
    }

    async fn close(&self) -> Result<()> {
        if let (ClientSource::Url(_), Some(client)) = (&self.source, self.client.get()) {
            client.clone().shutdown().await;
        }
        Ok(())
    }
}
