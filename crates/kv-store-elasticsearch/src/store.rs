//! [`ElasticsearchStore`]: the public store type.

use kv_core::sanitize::SanitizationStrategy;
use kv_core::{Name, Result, Stability, Store};

use crate::backend::ElasticsearchBackend;
use crate::config::ElasticsearchStoreBuilder;
use crate::dialect::Dialect;
use crate::names::Shared;

/// A key-value store on Elasticsearch or OpenSearch, byte-compatible with py-key-value's
/// `ElasticsearchStore` ([`Dialect::Elasticsearch`]) and `OpenSearchStore`
/// ([`Dialect::OpenSearch`]).
///
/// One index per collection (`lowercase(prefix-collection)`, created with the spec's mapping on
/// first use), document id = key, `_source` = `{version, key, collection, value: {flattened|flat:
/// value}, created_at, expires_at}`. No native TTL: expired documents are never returned and
/// [`cull`](kv_core::KeyValue::cull) removes them (`_delete_by_query` on `expires_at`).
/// `get_many` is one `_mget`, `put_many` one `_bulk` per 1 000 entries, `delete_many` one `_mget`
/// plus one `_bulk` per 1 000 keys.
/// Optional operations: `keys`, `collections` (both search-based, near-real-time),
/// `destroy_collection`, `cull`, `put_if_absent`. Stability: [`Stability::Unstable`].
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = ElasticsearchStore::builder()
///     .url("http://127.0.0.1:9200")
///     .index_prefix("kv_store")
///     .dialect(Dialect::OpenSearch)
///     .build()?;
/// let value = json!({"name": "Alice"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, Some(std::time::Duration::from_secs(60))).await?;
/// assert!(store.get(Some("users"), "alice").await?.is_some());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ElasticsearchStore {
    pub(crate) inner: Store<ElasticsearchBackend>,
    pub(crate) collection_strategy: Shared,
}

kv_core::delegate_key_value!(ElasticsearchStore, inner);

impl ElasticsearchStore {
    /// A builder: URL or client, index prefix, dialect, refresh, timeouts, sanitization.
    pub fn builder() -> ElasticsearchStoreBuilder {
        ElasticsearchStoreBuilder::default()
    }

    /// An Elasticsearch-dialect store at `url` with index prefix `index_prefix` and defaults.
    ///
    /// ```
    /// let store = kv_store_elasticsearch::ElasticsearchStore::new("http://localhost:9200", "kv_store")?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn new(url: &str, index_prefix: &str) -> Result<ElasticsearchStore> {
        Self::builder().url(url).index_prefix(index_prefix).build()
    }

    /// An OpenSearch-dialect store (py-key-value's `OpenSearchStore` layout) at `url`.
    ///
    /// ```
    /// let store = kv_store_elasticsearch::ElasticsearchStore::opensearch("http://localhost:9200", "kv_store")?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn opensearch(url: &str, index_prefix: &str) -> Result<ElasticsearchStore> {
        Self::builder()
            .url(url)
            .index_prefix(index_prefix)
            .dialect(Dialect::OpenSearch)
            .build()
    }

    /// The index that holds `collection` (after the collection strategy and lower-casing).
    ///
    /// ```
    /// let store = kv_store_elasticsearch::ElasticsearchStore::new("http://localhost:9200", "KV")?;
    /// assert_eq!(store.index_name(Some("Users"))?, "kv-users");
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn index_name(&self, collection: Option<&str>) -> Result<String> {
        let given = match collection {
            Some(c) if !c.is_empty() => c,
            _ => self.inner.default_collection(),
        };
        self.collection_strategy.validate(given)?;
        let name = Name {
            given,
            stored: self.collection_strategy.sanitize(given),
        };
        Ok(self.inner.backend().index(&name))
    }

    /// The wire-format stability label (unstable, like py-key-value's store).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }
}
