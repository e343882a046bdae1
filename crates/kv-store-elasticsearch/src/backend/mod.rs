//! [`ElasticsearchBackend`]: the raw entry operations on Elasticsearch/OpenSearch
//! (`wire-format.md` §5.5).

mod requests;

use requests::{check_id, check_ids, live};

use std::fmt;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use elasticsearch::http::Method;
use kv_core::{async_trait, Backend, Capabilities, Entry, Error, Name, Result, Timestamp};
use serde_json::{json, Value};

use crate::dialect::{Dialect, RefreshPolicy};
use crate::document;
use crate::http::{segment, Body, Http};

/// Actions per `_bulk` request: bigger batches are sent as several requests (servers handle
/// bulk bodies of a few MB best; osmem's segment builder exhausted memory on 10 000 at once).
const BULK_CHUNK: usize = 1000;

/// How often `put_if_absent` re-reads after losing a race before giving up.
const PUT_IF_ABSENT_ATTEMPTS: usize = 5;

/// The Elasticsearch/OpenSearch backend behind [`ElasticsearchStore`](crate::ElasticsearchStore).
pub struct ElasticsearchBackend {
    http: Http,
    prefix: String,
    dialect: Dialect,
    refresh_policy: RefreshPolicy,
    /// The decided refresh flag (the Auto policy asks the server once, at setup).
    refresh: AtomicBool,
    auto_create: bool,
}

impl fmt::Debug for ElasticsearchBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElasticsearchBackend")
            .field("index_prefix", &self.prefix)
            .field("dialect", &self.dialect)
            .field("refresh", &self.refresh_policy)
            .field("auto_create", &self.auto_create)
            .finish()
    }
}

/// A document as `_mget`/`GET _doc` report it.
struct Found {
    source: Value,
    seq_no: Option<u64>,
    primary_term: Option<u64>,
}

impl ElasticsearchBackend {
    pub(crate) fn new(
        http: Http,
        prefix: &str,
        dialect: Dialect,
        refresh_policy: RefreshPolicy,
        auto_create: bool,
    ) -> Self {
        ElasticsearchBackend {
            http,
            prefix: prefix.to_lowercase(),
            dialect,
            refresh_policy,
            refresh: AtomicBool::new(refresh_policy != RefreshPolicy::Never),
            auto_create,
        }
    }

    /// The index of a collection: `lowercase(prefix + "-" + Cs)`.
    pub(crate) fn index(&self, collection: &Name<'_>) -> String {
        format!("{}-{}", self.prefix, collection.as_str()).to_lowercase()
    }

    fn all_indices(&self) -> String {
        format!("/{}-*", segment(&self.prefix))
    }

    fn refresh_query(&self) -> &'static [(&'static str, &'static str)] {
        if self.refresh.load(Ordering::Relaxed) {
            &[("refresh", "true")]
        } else {
            &[]
        }
    }

    /// `/<index>/<endpoint>/<id>`; ids `.` and `..` are refused (see [`check_id`]).
    fn doc_path(&self, index: &str, endpoint: &str, id: &str) -> Result<String> {
        check_id(id)?;
        Ok(format!("/{}/{endpoint}/{}", segment(index), segment(id)))
    }

    fn decode(&self, source: Value) -> Result<Entry> {
        document::decode(source, self.dialect)
    }
}

#[async_trait]
impl Backend for ElasticsearchBackend {
    fn name(&self) -> &'static str {
        match self.dialect {
            Dialect::Elasticsearch => "elasticsearch",
            Dialect::OpenSearch => "opensearch",
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            keys: true,
            collections: true,
            destroy: false,
            destroy_collection: true,
            cull: true,
            put_if_absent: true,
        }
    }

    async fn setup(&self) -> Result<()> {
        if self.dialect != Dialect::Elasticsearch || self.refresh_policy != RefreshPolicy::Auto {
            return Ok(());
        }
        let info = self
            .http
            .call(Method::Get, "/", &[], Body::None)
            .await?
            .success("cluster info")?;
        let serverless = info
            .pointer("/version/build_flavor")
            .and_then(Value::as_str)
            == Some("serverless");
        self.refresh.store(!serverless, Ordering::Relaxed);
        Ok(())
    }

    fn has_collection_setup(&self) -> bool {
        true
    }

    async fn setup_collection(&self, collection: &Name<'_>) -> Result<()> {
        let index = self.index(collection);
        let reply = self
            .http
            .call(
                Method::Head,
                &format!("/{}", segment(&index)),
                &[],
                Body::None,
            )
            .await?;
        match reply.status {
            200 => Ok(()),
            404 if self.auto_create => self.create_index(&index).await,
            404 => Err(Error::setup(format!(
                "index {index} does not exist and auto_create is off: create it or enable auto_create"
            ))),
            _ => Err(reply.error(&format!("check index {index}"))),
        }
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        let index = self.index(collection);
        match self.fetch(&index, key.as_str()).await? {
            Some(doc) => self.decode(doc.source).map(Some),
            None => Ok(None),
        }
    }

    async fn get_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
    ) -> Result<Vec<Option<Entry>>> {
        let index = self.index(collection);
        let ids: Vec<&str> = keys.iter().map(Name::as_str).collect();
        check_ids(keys)?;
        let docs = self.fetch_many(&index, &ids).await?;
        docs.into_iter()
            .zip(keys)
            .map(|(doc, key)| match doc {
                Some(doc) => self
                    .decode(doc.source)
                    .map(Some)
                    .map_err(|e| e.with_key(key.given)),
                None => Ok(None),
            })
            .collect()
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let index = self.index(collection);
        let path = self.doc_path(&index, "_doc", key.as_str())?;
        let reply = self.write(&path, &[], collection, key, &entry).await?;
        if reply.ok() {
            Ok(())
        } else {
            Err(reply.error("index document"))
        }
    }

    async fn put_entries(
        &self,
        collection: &Name<'_>,
        entries: Vec<(Name<'_>, Entry)>,
    ) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let index = self.index(collection);
        for (key, _) in &entries {
            check_id(key.as_str()).map_err(|e| e.with_key(key.given))?;
        }
        for chunk in entries.chunks(BULK_CHUNK) {
            let mut body = String::with_capacity(chunk.len() * 200);
            for (key, entry) in chunk {
                body.push_str("{\"index\": {\"_id\": ");
                kv_core::codec::canonical::write_string(&mut body, key.as_str());
                body.push_str("}}\n");
                document::encode_into(&mut body, entry, key.given, collection.given, self.dialect);
                body.push('\n');
            }
            let keys: Vec<&str> = chunk.iter().map(|(k, _)| k.given).collect();
            self.bulk(&index, body, &keys).await?;
        }
        Ok(())
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let index = self.index(collection);
        let doc = self.fetch(&index, key.as_str()).await?;
        if doc.is_none() {
            return Ok(false);
        }
        let was_live = live(&doc, self.dialect, now);
        let reply = self
            .http
            .call(
                Method::Delete,
                &self.doc_path(&index, "_doc", key.as_str())?,
                self.refresh_query(),
                Body::None,
            )
            .await?;
        if reply.status == 404 {
            return Ok(false);
        }
        let body = reply.success("delete document")?;
        Ok(was_live && body.get("result").and_then(Value::as_str) == Some("deleted"))
    }

    async fn delete_entries(
        &self,
        collection: &Name<'_>,
        keys: &[Name<'_>],
        now: Timestamp,
    ) -> Result<usize> {
        let index = self.index(collection);
        let ids: Vec<&str> = keys.iter().map(Name::as_str).collect();
        check_ids(keys)?;
        let docs = self.fetch_many(&index, &ids).await?;
        // (given key, stored id, live at `now`) of every document that exists
        let targets: Vec<(&str, &str, bool)> = docs
            .iter()
            .zip(&ids)
            .zip(keys)
            .filter(|((doc, _), _)| doc.is_some())
            .map(|((doc, id), key)| (key.given, *id, live(doc, self.dialect, now)))
            .collect();
        let mut removed = 0;
        for chunk in targets.chunks(BULK_CHUNK) {
            let mut body = String::with_capacity(chunk.len() * 40);
            for (_, id, _) in chunk {
                body.push_str("{\"delete\": {\"_id\": ");
                kv_core::codec::canonical::write_string(&mut body, id);
                body.push_str("}}\n");
            }
            let given: Vec<&str> = chunk.iter().map(|(k, _, _)| *k).collect();
            let items = self.bulk(&index, body, &given).await?;
            removed += items
                .iter()
                .zip(chunk)
                .filter(|(item, (_, _, was_live))| {
                    *was_live && item.get("result").and_then(Value::as_str) == Some("deleted")
                })
                .count();
        }
        Ok(removed)
    }

    async fn keys(
        &self,
        collection: &Name<'_>,
        limit: usize,
        _now: Timestamp,
    ) -> Result<Vec<String>> {
        let index = self.index(collection);
        let query = json!({
            "query": {"bool": {
                "filter": [{"term": {"collection": collection.given}}],
                "must_not": [{"range": {"expires_at": {"lte": "now"}}}],
            }},
            "fields": ["key"],
            "_source": false,
            "size": limit.min(kv_core::MAX_LIST_LIMIT),
        });
        let path = format!("/{}/_search", segment(&index));
        let Some(body) = self.search(&path, query).await? else {
            return Ok(Vec::new());
        };
        let hits = body
            .pointer("/hits/hits")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::deserialization("search answer has no hits"))?;
        Ok(hits
            .iter()
            .filter_map(|hit| hit.pointer("/fields/key/0").and_then(Value::as_str))
            .map(str::to_owned)
            .collect())
    }

    async fn collections(&self, limit: usize) -> Result<Vec<String>> {
        let query = json!({
            "size": 0,
            "aggs": {"collections": {"terms": {"field": "collection", "size": limit.max(1)}}},
        });
        let path = format!("{}/_search", self.all_indices());
        let Some(body) = self.search(&path, query).await? else {
            return Ok(Vec::new());
        };
        let buckets = body
            .pointer("/aggregations/collections/buckets")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::deserialization("search answer has no collection buckets"))?;
        Ok(buckets
            .iter()
            .filter_map(|b| b.get("key").and_then(Value::as_str))
            .map(str::to_owned)
            .collect())
    }

    async fn destroy_collection(&self, collection: &Name<'_>) -> Result<bool> {
        let index = self.index(collection);
        let path = format!("/{}/_delete_by_query", segment(&index));
        let deleted = self
            .delete_by_query(&path, json!({"term": {"collection": collection.given}}))
            .await?;
        Ok(deleted > 0)
    }

    async fn cull(&self, now: Timestamp) -> Result<()> {
        let path = format!("{}/_delete_by_query", self.all_indices());
        let now_ms = now.unix_micros() / 1000;
        self.delete_by_query(&path, json!({"range": {"expires_at": {"lt": now_ms}}}))
            .await
            .map(|_| ())
    }

    async fn put_entry_if_absent(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: Entry,
        now: Timestamp,
    ) -> Result<bool> {
        let index = self.index(collection);
        let create = self.doc_path(&index, "_create", key.as_str())?;
        let replace = self.doc_path(&index, "_doc", key.as_str())?;
        for _ in 0..PUT_IF_ABSENT_ATTEMPTS {
            let reply = self.write(&create, &[], collection, key, &entry).await?;
            if reply.ok() {
                return Ok(true);
            }
            if reply.status != 409 {
                return Err(reply.error("create document"));
            }
            let Some(doc) = self.fetch(&index, key.as_str()).await? else {
                continue; // deleted in between: try to create again
            };
            let expired = match self.decode(doc.source) {
                Ok(existing) => !existing.is_live(now),
                Err(e) => return Err(e),
            };
            if !expired {
                return Ok(false);
            }
            let (Some(seq_no), Some(term)) = (doc.seq_no, doc.primary_term) else {
                return Err(Error::backend(
                    false,
                    "get document answered without _seq_no/_primary_term",
                ));
            };
            let mut seq = String::new();
            let mut primary = String::new();
            let _ = write!(seq, "{seq_no}");
            let _ = write!(primary, "{term}");
            let extra = [
                ("if_seq_no", seq.as_str()),
                ("if_primary_term", primary.as_str()),
            ];
            let reply = self
                .write(&replace, &extra, collection, key, &entry)
                .await?;
            if reply.ok() {
                return Ok(true);
            }
            if reply.status != 409 {
                return Err(reply.error("replace expired document"));
            }
        }
        Err(Error::backend(
            true,
            "put_if_absent lost the race for the document too many times",
        ))
    }
}
