//! [`MongoDBStoreBuilder`]: where the store connects and how it names things.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use kv_core::sanitize::SanitizationStrategy;
use kv_core::{Result, Store};
use mongodb::Client;

use crate::backend::{ClientSource, MongoDBBackend, Timeouts};
use crate::names::{mongodb_v1_collection, MongoDBCollectionNames, SharedStrategy};
use crate::MongoDBStore;

/// The database used unless configured (py-key-value's default).
pub const DEFAULT_DB_NAME: &str = "kv-store-adapter";
/// The URL used unless configured.
pub const DEFAULT_URL: &str = "mongodb://localhost:27017";
/// How long the store's own client looks for a reachable server before an operation fails
/// with a `Connection` error, unless the URL sets `serverSelectionTimeoutMS`.
pub const DEFAULT_SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening a connection may take, unless the URL sets `connectTimeoutMS`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one operation (one round trip or one cursor drained) may take.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

enum Target {
    Url(String),
    Client(Client),
}

enum CollectionNames {
    Raw,
    Strategy(Arc<dyn SanitizationStrategy>),
}

/// Configures a [`MongoDBStore`]: a URL or a user's client, the database, collection naming,
/// `auto_create`, timeouts and the default collection. Building does no I/O.
///
/// ```
/// use std::time::Duration;
/// use kv_store_mongodb::MongoDBStore;
/// let store = MongoDBStore::builder()
///     .url("mongodb://127.0.0.1:27017/?directConnection=true")
///     .db_name("cache")
///     .v1_collection_names()
///     .auto_create(true)
///     .server_selection_timeout(Duration::from_secs(2))
///     .default_collection("app")
///     .build()?;
/// # Ok::<(), kv_core::Error>(())
/// ```
pub struct MongoDBStoreBuilder {
    target: Target,
    db_name: String,
    collection_names: CollectionNames,
    auto_create: bool,
    timeouts: Timeouts,
    default_collection: Option<String>,
}

impl Default for MongoDBStoreBuilder {
    fn default() -> Self {
        MongoDBStoreBuilder {
            target: Target::Url(DEFAULT_URL.into()),
            db_name: DEFAULT_DB_NAME.into(),
            collection_names: CollectionNames::Raw,
            auto_create: true,
            timeouts: Timeouts {
                server_selection: DEFAULT_SERVER_SELECTION_TIMEOUT,
                connect: DEFAULT_CONNECT_TIMEOUT,
                operation: DEFAULT_OPERATION_TIMEOUT,
            },
            default_collection: None,
        }
    }
}

impl fmt::Debug for MongoDBStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match &self.target {
            Target::Url(url) => redact_url(url),
            Target::Client(_) => "<user client>".into(),
        };
        let names = match &self.collection_names {
            CollectionNames::Raw => "raw".to_owned(),
            CollectionNames::Strategy(s) => format!("{s:?}"),
        };
        f.debug_struct("MongoDBStoreBuilder")
            .field("target", &target)
            .field("db_name", &self.db_name)
            .field("collection_names", &names)
            .field("auto_create", &self.auto_create)
            .field("timeouts", &self.timeouts)
            .field("default_collection", &self.default_collection)
            .finish()
    }
}

impl MongoDBStoreBuilder {
    /// Connects by URL (`mongodb://…` or `mongodb+srv://…`, TLS through rustls); the store
    /// owns this client and shuts it down in `close()`. Default `mongodb://localhost:27017`.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.target = Target::Url(url.into());
        self
    }

    /// Uses the user's client; the store never shuts it down (not even in `close()`). The
    /// client's own server-selection and connect timeouts apply.
    pub fn client(mut self, client: Client) -> Self {
        self.target = Target::Client(client);
        self
    }

    /// The database holding the collections (default [`DEFAULT_DB_NAME`]).
    pub fn db_name(mut self, name: impl Into<String>) -> Self {
        self.db_name = name.into();
        self
    }

    /// Stores collection `c` in the MongoDB collection of py-key-value's
    /// `MongoDBV1CollectionSanitizationStrategy` ([`mongodb_v1_collection`](crate::mongodb_v1_collection)),
    /// so any name works. Without it, names MongoDB refuses are `InvalidKey` errors
    /// ([`MongoDBCollectionNames`]).
    pub fn v1_collection_names(mut self) -> Self {
        self.collection_names = CollectionNames::Strategy(Arc::new(mongodb_v1_collection()));
        self
    }

    /// Any collection sanitization strategy.
    pub fn collection_strategy(mut self, strategy: impl SanitizationStrategy + 'static) -> Self {
        self.collection_names = CollectionNames::Strategy(Arc::new(strategy));
        self
    }

    /// Whether a missing collection is created with its indexes (default `true`); when
    /// `false` an operation on a missing collection fails with `Setup` naming it.
    pub fn auto_create(mut self, auto_create: bool) -> Self {
        self.auto_create = auto_create;
        self
    }

    /// Server selection deadline of the store's own client (default 5 s); past it an
    /// operation fails with a retryable `Connection` error. A URL's `serverSelectionTimeoutMS`
    /// wins.
    pub fn server_selection_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.server_selection = timeout;
        self
    }

    /// Connect deadline of the store's own client (default 5 s); a URL's `connectTimeoutMS` wins.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.connect = timeout;
        self
    }

    /// Deadline of one operation (default 30 s); past it the operation fails with `Timeout`.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.operation = timeout;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store (no I/O: the client is made and connects on first use).
    pub fn build(self) -> Result<MongoDBStore> {
        let source = match self.target {
            Target::Url(url) => ClientSource::Url(url),
            Target::Client(client) => ClientSource::User(client),
        };
        let strategy = match self.collection_names {
            CollectionNames::Raw => SharedStrategy(Arc::new(MongoDBCollectionNames::for_database(
                &self.db_name,
            ))),
            CollectionNames::Strategy(strategy) => SharedStrategy(strategy),
        };
        let backend = MongoDBBackend::new(source, self.db_name, self.auto_create, self.timeouts);
        let mut inner = Store::new(backend).with_collection_strategy(strategy);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(MongoDBStore { inner })
    }
}

/// A URL with its password replaced by `***`, for messages.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparsable URL>".into();
    };
    let (authority, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
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
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("mongodb://u:pw@h:1/db?x=1"),
            "mongodb://u:***@h:1/db?x=1"
        );
        assert_eq!(redact_url("mongodb://u:pw@h?x=1"), "mongodb://u:***@h?x=1");
        assert_eq!(redact_url("mongodb://h:1/"), "mongodb://h:1/");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let b = MongoDBStore::builder().url("mongodb://user:hunter2@localhost/");
        assert!(!format!("{b:?}").contains("hunter2"));
    }
}
