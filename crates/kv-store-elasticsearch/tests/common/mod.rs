//! Shared helpers of the Elasticsearch/OpenSearch integration tests: server URLs, the dialect
//! the server accepts, a plain client, raw document access.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use kv_core::conformance::RawAccess;
use kv_core::sanitize::{elasticsearch_v1_collection, elasticsearch_v1_key, SanitizationStrategy};
use kv_core::{async_trait, Error, Result};
use kv_store_elasticsearch::elasticsearch::http::headers::HeaderMap;
use kv_store_elasticsearch::elasticsearch::http::Method;
use kv_store_elasticsearch::elasticsearch::Elasticsearch;
use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
use serde_json::value::RawValue;
use serde_json::Value;

/// Request timeout and per-test deadline: the osmem stand-in is slow on big batches.
pub const SLOW_SERVER: Duration = Duration::from_secs(60);

/// The index prefix of the conformance stores.
pub const PREFIX: &str = "kv-rs-conformance";

/// `KV_TEST_ELASTICSEARCH_URL`, else `KV_TEST_OPENSEARCH_URL`, or `None` after printing why
/// (a failure with `KV_REQUIRE_SERVICES=1`).
pub fn url() -> Option<String> {
    match std::env::var("KV_TEST_ELASTICSEARCH_URL") {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            if let Ok(v) = std::env::var("KV_TEST_OPENSEARCH_URL") {
                if !v.is_empty() {
                    return Some(v);
                }
            }
            kv_core::conformance::service_url("KV_TEST_ELASTICSEARCH_URL")
        }
    }
}

/// An optional server (never required, even with `KV_REQUIRE_SERVICES=1`): prints `SKIPPED`.
pub fn optional_url(variable: &str, why: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            println!("SKIPPED: {variable} is not set ({why})");
            None
        }
    }
}

/// A plain client for `url`.
pub fn plain(url: &str) -> Elasticsearch {
    let transport =
        kv_store_elasticsearch::elasticsearch::http::transport::Transport::single_node(url)
            .expect("valid server URL");
    Elasticsearch::new(transport)
}

/// One raw request: status and JSON body (`Null` when empty or not JSON).
pub async fn call(url: &str, method: Method, path: &str, body: Option<String>) -> (u16, Value) {
    let response = plain(url)
        .send(method, path, HeaderMap::new(), None::<&()>, body, None)
        .await
        .expect("request reaches the server");
    let status = response.status_code().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The dialect the server accepts: OpenSearch for OpenSearch and OpenSearch-API servers
/// (osmem), Elasticsearch otherwise.
pub async fn dialect(url: &str) -> Dialect {
    let (_, info) = call(url, Method::Get, "/", None).await;
    if info
        .pointer("/version/distribution")
        .and_then(Value::as_str)
        == Some("opensearch")
    {
        Dialect::OpenSearch
    } else {
        Dialect::Elasticsearch
    }
}

/// The conformance configuration: V1 sanitization (any key and collection name works, as in
/// py-key-value's own tests), the dialect the server accepts.
pub async fn store(url: &str) -> ElasticsearchStore {
    ElasticsearchStore::builder()
        .url(url)
        .index_prefix(PREFIX)
        .dialect(dialect(url).await)
        .v1_sanitization()
        .request_timeout(SLOW_SERVER)
        .build()
        .expect("valid configuration")
}

/// The index and document id of `(collection, key)` under the V1 strategies.
pub fn v1_location(prefix: &str, collection: &str, key: &str) -> (String, String) {
    let index = format!(
        "{prefix}-{}",
        elasticsearch_v1_collection().sanitize(collection)
    )
    .to_lowercase();
    (index, elasticsearch_v1_key().sanitize(key).into_owned())
}

fn err(message: impl Into<String>) -> Error {
    Error::backend(false, message)
}

/// Raw documents in the conformance store's layout, through a plain client: an envelope's
/// object `value` is wrapped as `value.<dialect field>`, everything else is sent verbatim
/// (the server's mapping may refuse it).
pub struct RawDocs {
    pub url: String,
    pub prefix: &'static str,
}

impl RawDocs {
    /// Raw access to the server of the test variables.
    pub fn from_env() -> Self {
        RawDocs {
            url: std::env::var("KV_TEST_ELASTICSEARCH_URL")
                .or_else(|_| std::env::var("KV_TEST_OPENSEARCH_URL"))
                .unwrap_or_default(),
            prefix: PREFIX,
        }
    }
}

#[async_trait]
impl RawAccess for RawDocs {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let mut fields: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(bytes)
            .map_err(|e| err(format!("a document must be a JSON object: {e}")))?;
        if let Some(value) = fields.get("value") {
            if value.get().trim_start().starts_with('{') {
                let field = dialect(&self.url).await.value_field();
                let wrapped = format!("{{\"{field}\": {}}}", value.get());
                let wrapped = RawValue::from_string(wrapped).map_err(|e| err(e.to_string()))?;
                fields.insert("value".into(), wrapped);
            }
        }
        let body = serde_json::to_string(&fields).map_err(|e| err(e.to_string()))?;
        let (index, id) = v1_location(self.prefix, collection, key);
        let (status, answer) = call(
            &self.url,
            Method::Put,
            &format!("/{index}/_doc/{id}?refresh=true"),
            Some(body),
        )
        .await;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(err(format!("raw write refused: {status} {answer}")))
        }
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let (index, id) = v1_location(self.prefix, collection, key);
        let (status, answer) =
            call(&self.url, Method::Get, &format!("/{index}/_doc/{id}"), None).await;
        match status {
            200 => Ok(answer.get("found").and_then(Value::as_bool) == Some(true)),
            404 => Ok(false),
            other => Err(err(format!("raw get failed: {other} {answer}"))),
        }
    }
}
