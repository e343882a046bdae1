//! [`Dialect`] and [`RefreshPolicy`]: which server flavour the store writes for and when writes
//! are made visible to searches.

/// The index layout the store writes: py-key-value's `ElasticsearchStore` or `OpenSearchStore`.
///
/// The two differ only in the field that wraps the value and its mapping type
/// (`wire-format.md` §5.5). Reads accept either wrapper, so a store can read documents the
/// other flavour wrote into an index that allows them.
///
/// ```
/// use kv_store_elasticsearch::Dialect;
/// assert_eq!(Dialect::Elasticsearch.value_field(), "flattened");
/// assert_eq!(Dialect::OpenSearch.value_field(), "flat");
/// assert_eq!(Dialect::OpenSearch.mapping_type(), "flat_object");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Elasticsearch: `value.flattened` mapped as `flattened` (needs a real Elasticsearch;
    /// OpenSearch and OpenSearch-API stand-ins reject the `flattened` type).
    #[default]
    Elasticsearch,
    /// OpenSearch: `value.flat` mapped as `flat_object` (py-key-value's `OpenSearchStore`).
    OpenSearch,
}

impl Dialect {
    /// The field under `value` that holds the user's object.
    pub fn value_field(self) -> &'static str {
        match self {
            Dialect::Elasticsearch => "flattened",
            Dialect::OpenSearch => "flat",
        }
    }

    /// The mapping type of that field.
    pub fn mapping_type(self) -> &'static str {
        match self {
            Dialect::Elasticsearch => "flattened",
            Dialect::OpenSearch => "flat_object",
        }
    }

    /// The other dialect's wrapper field (accepted when reading).
    pub(crate) fn other_value_field(self) -> &'static str {
        match self {
            Dialect::Elasticsearch => Dialect::OpenSearch.value_field(),
            Dialect::OpenSearch => Dialect::Elasticsearch.value_field(),
        }
    }

    /// The index mapping created for every collection (`wire-format.md` §5.5).
    ///
    /// ```
    /// let body = kv_store_elasticsearch::Dialect::OpenSearch.index_body();
    /// assert_eq!(body["mappings"]["properties"]["value"]["properties"]["flat"]["type"], "flat_object");
    /// ```
    pub fn index_body(self) -> serde_json::Value {
        serde_json::json!({
            "settings": {},
            "mappings": {"properties": {
                "created_at": {"type": "date"},
                "expires_at": {"type": "date"},
                "collection": {"type": "keyword"},
                "key": {"type": "keyword"},
                "version": {"type": "integer"},
                "value": {"properties": {self.value_field(): {"type": self.mapping_type()}}},
            }},
        })
    }
}

/// Whether writes pass `refresh=true`, making them visible to `keys()` and `collections()` at
/// once (gets are real-time either way).
///
/// ```
/// use kv_store_elasticsearch::{ElasticsearchStore, RefreshPolicy};
/// let store = ElasticsearchStore::builder()
///     .url("http://127.0.0.1:9200")
///     .index_prefix("kv_store")
///     .refresh(RefreshPolicy::Never)
///     .build()?;
/// # Ok::<(), kv_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshPolicy {
    /// py-key-value's rule: always for OpenSearch; for Elasticsearch unless `GET /` reports
    /// `version.build_flavor == "serverless"` (asked once, at store setup).
    #[default]
    Auto,
    /// Always `refresh=true`.
    Always,
    /// Never refresh: faster writes, searches are eventually consistent.
    Never,
}
