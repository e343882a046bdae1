//! The request helpers of [`ElasticsearchBackend`]: single and batch document reads, `_bulk`,
//! searches, deletes by query, index creation and document writes.

use elasticsearch::http::Method;
use kv_core::{Entry, Error, ErrorKind, Name, Result, Timestamp};
use serde_json::{json, Value};

use super::{ElasticsearchBackend, Found};
use crate::dialect::Dialect;
use crate::document;
use crate::http::{segment, Body, Reply};

impl ElasticsearchBackend {
    /// `GET /<index>/_doc/<id>`: `None` when the document or the index is missing.
    pub(super) async fn fetch(&self, index: &str, id: &str) -> Result<Option<Found>> {
        let reply = self
            .http
            .call(
                Method::Get,
                &self.doc_path(index, "_doc", id)?,
                &[],
                Body::None,
            )
            .await?;
        if reply.status == 404 {
            return Ok(None);
        }
        let body = reply.success("get document")?;
        Ok(found(body))
    }

    /// `_mget` of `ids` in one index, one slot per id in order.
    pub(super) async fn fetch_many(&self, index: &str, ids: &[&str]) -> Result<Vec<Option<Found>>> {
        let docs: Vec<Value> = ids.iter().map(|id| json!({"_id": id})).collect();
        let reply = self
            .http
            .call(
                Method::Post,
                &format!("/{}/_mget", segment(index)),
                &[],
                Body::Json(json!({ "docs": docs }).to_string()),
            )
            .await?;
        if reply.status == 404 && is_missing_index(&reply) {
            return Ok(ids.iter().map(|_| None).collect());
        }
        let mut body = reply.success("mget")?;
        let Some(Value::Array(docs)) = body.get_mut("docs").map(Value::take) else {
            return Err(Error::deserialization("mget answer has no docs array"));
        };
        if docs.len() != ids.len() {
            return Err(Error::backend(
                false,
                format!("mget answered {} docs for {} ids", docs.len(), ids.len()),
            ));
        }
        docs.into_iter()
            .map(|doc| {
                if let Some(error) = doc.get("error") {
                    if crate::error::error_type(Some(error)).as_deref()
                        == Some("index_not_found_exception")
                    {
                        return Ok(None);
                    }
                    return Err(crate::error::from_item(500, error, "mget item"));
                }
                Ok(found(doc))
            })
            .collect()
    }

    /// Sends one `_bulk` request; returns the items (their `result`s), or the first item error.
    pub(super) async fn bulk(
        &self,
        index: &str,
        body: String,
        keys: &[&str],
    ) -> Result<Vec<Value>> {
        let reply = self
            .http
            .call(
                Method::Post,
                &format!("/{}/_bulk", segment(index)),
                self.refresh_query(),
                Body::NdJson(body),
            )
            .await?;
        let mut body = reply.success("bulk")?;
        let Some(Value::Array(items)) = body.get_mut("items").map(Value::take) else {
            return Err(Error::deserialization("bulk answer has no items array"));
        };
        let items: Vec<Value> = items
            .into_iter()
            .map(|item| match item {
                Value::Object(map) => map.into_iter().next().map(|(_, v)| v).unwrap_or_default(),
                other => other,
            })
            .collect();
        for (i, item) in items.iter().enumerate() {
            if let Some(error) = item.get("error") {
                let status = item.get("status").and_then(Value::as_u64).unwrap_or(500);
                let err = crate::error::from_item(status as u16, error, "bulk item");
                return Err(match keys.get(i) {
                    Some(key) => err.with_key(*key),
                    None => err,
                });
            }
        }
        Ok(items)
    }

    pub(super) async fn delete_by_query(&self, path: &str, query: Value) -> Result<u64> {
        let reply = self
            .http
            .call(
                Method::Post,
                path,
                self.refresh_query(),
                Body::Json(json!({ "query": query }).to_string()),
            )
            .await?;
        if reply.status == 404 && is_missing_index(&reply) {
            return Ok(0);
        }
        let body = reply.success("delete by query")?;
        Ok(body.get("deleted").and_then(Value::as_u64).unwrap_or(0))
    }

    pub(super) async fn search(&self, path: &str, query: Value) -> Result<Option<Value>> {
        let reply = self
            .http
            .call(Method::Post, path, &[], Body::Json(query.to_string()))
            .await?;
        if reply.status == 404 && is_missing_index(&reply) {
            return Ok(None);
        }
        reply.success("search").map(Some)
    }

    pub(super) async fn create_index(&self, index: &str) -> Result<()> {
        let reply = self
            .http
            .call(
                Method::Put,
                &format!("/{}", segment(index)),
                &[],
                Body::Json(self.dialect.index_body().to_string()),
            )
            .await?;
        if reply.ok() {
            return Ok(());
        }
        match reply.error_type().as_deref() {
            Some("resource_already_exists_exception" | "index_already_exists_exception") => Ok(()),
            _ => {
                let err = reply.error(&format!("create index {index}"));
                // A server without the dialect's mapping type answers 400 with a parse error.
                if err.kind() == &ErrorKind::Serialization {
                    return Err(Error::setup(format!(
                        "{}; the server does not accept the {:?} dialect's `{}` mapping",
                        err.message(),
                        self.dialect,
                        self.dialect.mapping_type()
                    )));
                }
                Err(err)
            }
        }
    }

    /// Writes `entry` at `path` (`_doc`, `_create`, or `_doc` with `if_seq_no`): the status.
    pub(super) async fn write(
        &self,
        path: &str,
        extra: &[(&str, &str)],
        collection: &Name<'_>,
        key: &Name<'_>,
        entry: &Entry,
    ) -> Result<Reply> {
        let mut query: Vec<(&str, &str)> = self.refresh_query().to_vec();
        query.extend_from_slice(extra);
        let body = document::encode(entry, key.given, collection.given, self.dialect);
        self.http
            .call(Method::Put, path, &query, Body::Json(body))
            .await
    }
}

/// Refuses the document ids `.` and `..`: URL path normalisation would turn
/// `/<index>/_doc/..` into `/<index>/`, so a delete would drop the whole index. Batches refuse
/// them too, so every operation agrees. (The V1 key strategy never produces them.)
pub(super) fn check_id(id: &str) -> Result<()> {
    if id == "." || id == ".." {
        return Err(Error::invalid_key(format!(
            "document id {id:?} cannot be addressed over the REST API; use another key or the V1 key strategy"
        )));
    }
    Ok(())
}

pub(super) fn check_ids(keys: &[Name<'_>]) -> Result<()> {
    keys.iter()
        .try_for_each(|key| check_id(key.as_str()).map_err(|e| e.with_key(key.given)))
}

pub(super) fn found(mut doc: Value) -> Option<Found> {
    if doc.get("found").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    Some(Found {
        seq_no: doc.get("_seq_no").and_then(Value::as_u64),
        primary_term: doc.get("_primary_term").and_then(Value::as_u64),
        source: doc.get_mut("_source").map(Value::take).unwrap_or_default(),
    })
}

pub(super) fn is_missing_index(reply: &Reply) -> bool {
    reply.error_type().as_deref() == Some("index_not_found_exception")
}

/// Whether a stored document is live at `now` (undecodable documents count as not live).
pub(super) fn live(doc: &Option<Found>, dialect: Dialect, now: Timestamp) -> bool {
    doc.as_ref().is_some_and(|d| {
        document::decode(d.source.clone(), dialect).is_ok_and(|entry| entry.is_live(now))
    })
}
