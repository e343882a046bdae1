//! [`ElasticsearchStoreBuilder`]: where the store connects, which dialect it writes and how.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use elasticsearch::auth::Credentials;
use elasticsearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};
use elasticsearch::http::Url;
use elasticsearch::Elasticsearch;
use kv_core::sanitize::{elasticsearch_v1_collection, elasticsearch_v1_key, SanitizationStrategy};
use kv_core::{Error, Result, Store};

use crate::backend::ElasticsearchBackend;
use crate::dialect::{Dialect, RefreshPolicy};
use crate::http::Http;
use crate::names::Shared;
use crate::ElasticsearchStore;

/// How long one request may take unless configured (py-key-value's client default).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

enum Target {
    None,
    Url(String),
    Client(Elasticsearch),
}

enum Auth {
    None,
    ApiKey(String),
    Basic(String, String),
}

/// Configures an [`ElasticsearchStore`]: a URL or a user's client, the required index prefix,
/// the [`Dialect`], the [`RefreshPolicy`], index auto-creation, the request timeout,
/// sanitization strategies and the default collection. Building does no I/O.
///
/// ```
/// use std::time::Duration;
/// use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
/// let store = ElasticsearchStore::builder()
///     .url("http://127.0.0.1:9200")
///     .index_prefix("kv_store")
///     .dialect(Dialect::OpenSearch)
///     .v1_sanitization()
///     .request_timeout(Duration::from_secs(5))
///     .default_collection("app")
///     .build()?;
/// # Ok::<(), kv_core::Error>(())
/// ```
pub struct ElasticsearchStoreBuilder {
    target: Target,
    auth: Auth,
    index_prefix: Option<String>,
    dialect: Dialect,
    refresh: RefreshPolicy,
    auto_create: bool,
    request_timeout: Duration,
    request_compression: bool,
    default_collection: Option<String>,
    key_strategy: Shared,
    collection_strategy: Shared,
}

impl Default for ElasticsearchStoreBuilder {
    fn default() -> Self {
        ElasticsearchStoreBuilder {
            target: Target::None,
            auth: Auth::None,
            index_prefix: None,
            dialect: Dialect::default(),
            refresh: RefreshPolicy::default(),
            auto_create: true,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            request_compression: true,
            default_collection: None,
            key_strategy: Shared::default(),
            collection_strategy: Shared::default(),
        }
    }
}

impl fmt::Debug for ElasticsearchStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match &self.target {
            Target::None => "<unset>".to_owned(),
            Target::Url(url) => redact_url(url),
            Target::Client(_) => "<user client>".to_owned(),
        };
        let auth = match self.auth {
            Auth::None => "none",
            Auth::ApiKey(_) => "api key ***",
            Auth::Basic(..) => "basic ***",
        };
        f.debug_struct("ElasticsearchStoreBuilder")
            .field("target", &target)
            .field("auth", &auth)
            .field("index_prefix", &self.index_prefix)
            .field("dialect", &self.dialect)
            .field("refresh", &self.refresh)
            .field("auto_create", &self.auto_create)
            .field("request_timeout", &self.request_timeout)
            .field("request_compression", &self.request_compression)
            .field("default_collection", &self.default_collection)
            .finish()
    }
}

impl ElasticsearchStoreBuilder {
    /// Connects to one node by URL (`http://host:9200`, `https://…`; user and password in
    /// the URL are used for basic authentication).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.target = Target::Url(url.into());
        self
    }

    /// Uses the user's client; the store never closes it. Timeout, compression and
    /// credentials are then the client's own (the request timeout still applies).
    pub fn client(mut self, client: Elasticsearch) -> Self {
        self.target = Target::Client(client);
        self
    }

    /// An API key (the encoded form), sent as `Authorization: ApiKey …`.
    pub fn api_key(mut self, encoded: impl Into<String>) -> Self {
        self.auth = Auth::ApiKey(encoded.into());
        self
    }

    /// Basic authentication.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Auth::Basic(username.into(), password.into());
        self
    }

    /// The index prefix (required; lower-cased). Collection `C` lives in index
    /// `lowercase(prefix + "-" + C)`.
    pub fn index_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.index_prefix = Some(prefix.into());
        self
    }

    /// The layout to write (default [`Dialect::Elasticsearch`]).
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// When writes refresh the index (default [`RefreshPolicy::Auto`]).
    pub fn refresh(mut self, refresh: RefreshPolicy) -> Self {
        self.refresh = refresh;
        self
    }

    /// Whether a missing index is created with the store's mapping (default `true`); when
    /// `false`, using a collection whose index is missing is a `Setup` error.
    pub fn auto_create(mut self, auto_create: bool) -> Self {
        self.auto_create = auto_create;
        self
    }

    /// Deadline of one request (default 10 s); expiry is a `Timeout` error.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Gzip request bodies (default `true`, like py-key-value's client).
    pub fn request_compression(mut self, enabled: bool) -> Self {
        self.request_compression = enabled;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// The key sanitization strategy (default Passthrough: the key is the document id).
    pub fn key_strategy(mut self, strategy: impl SanitizationStrategy + 'static) -> Self {
        self.key_strategy = Shared(Arc::new(strategy));
        self
    }

    /// The collection sanitization strategy (default Passthrough).
    pub fn collection_strategy(mut self, strategy: impl SanitizationStrategy + 'static) -> Self {
        self.collection_strategy = Shared(Arc::new(strategy));
        self
    }

    /// py-key-value's `ElasticsearchV1`/`OpenSearchV1` strategies: document id = SHA-256 of
    /// the key, index suffix = Hybrid(200, `A-Za-z0-9_-.`, always hashed). Any key and any
    /// collection name then works.
    pub fn v1_sanitization(self) -> Self {
        self.key_strategy(elasticsearch_v1_key())
            .collection_strategy(elasticsearch_v1_collection())
    }

    /// Builds the store (no I/O: the first operation connects).
    pub fn build(self) -> Result<ElasticsearchStore> {
        let prefix = self
            .index_prefix
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Error::setup("an index prefix is required (index_prefix)"))?;
        let client = match self.target {
            Target::None => return Err(Error::setup("no URL or client configured")),
            Target::Client(client) => client,
            Target::Url(url) => own_client(&url, self.auth, self.request_compression)?,
        };
        let http = Http {
            client,
            timeout: Some(self.request_timeout),
        };
        let backend =
            ElasticsearchBackend::new(http, &prefix, self.dialect, self.refresh, self.auto_create);
        let mut inner = Store::new(backend);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        let inner = inner
            .with_key_strategy(self.key_strategy)
            .with_collection_strategy(self.collection_strategy.clone());
        Ok(ElasticsearchStore {
            inner,
            collection_strategy: self.collection_strategy,
        })
    }
}

fn own_client(url: &str, auth: Auth, compression: bool) -> Result<Elasticsearch> {
    let mut parsed = Url::parse(url)
        .map_err(|e| Error::setup(format!("invalid URL {} ({e})", redact_url(url))))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::setup(format!(
            "unsupported URL scheme in {} (use http or https)",
            redact_url(url)
        )));
    }
    let mut credentials = match auth {
        Auth::None => None,
        Auth::ApiKey(key) => Some(Credentials::EncodedApiKey(key)),
        Auth::Basic(user, password) => Some(Credentials::Basic(user, password)),
    };
    if credentials.is_none() && !parsed.username().is_empty() {
        credentials = Some(Credentials::Basic(
            parsed.username().to_owned(),
            parsed.password().unwrap_or_default().to_owned(),
        ));
    }
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let mut builder = TransportBuilder::new(SingleNodeConnectionPool::new(parsed))
        .request_body_compression(compression)
        .enable_meta_header(false);
    if let Some(credentials) = credentials {
        builder = builder.auth(credentials);
    }
    let transport = builder
        .build()
        .map_err(|e| Error::setup(format!("cannot build the HTTP client ({e})")))?;
    Ok(Elasticsearch::new(transport))
}

/// A URL with its password replaced by `***`, for messages.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparsable URL>".into();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_target_are_required() {
        let err = ElasticsearchStore::builder()
            .url("http://h:9200")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Setup);
        let err = ElasticsearchStore::builder()
            .index_prefix("p")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Setup);
    }

    #[test]
    fn secrets_never_show() {
        let b = ElasticsearchStore::builder()
            .url("http://user:hunter2@localhost:9200")
            .api_key("sekrit-key");
        let text = format!("{b:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("sekrit"),
            "{text}"
        );
        let err = ElasticsearchStore::builder()
            .url("ftp://u:hunter2@h")
            .index_prefix("p")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
