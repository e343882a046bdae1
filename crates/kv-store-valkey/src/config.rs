//! [`ValkeyStoreBuilder`]: where the store connects and how.

use std::fmt;
use std::time::Duration;

use fred::prelude::{Builder, Client, Config, Pool, ReconnectPolicy};
use kv_core::{Error, Result, Store};

use crate::backend::ValkeyBackend;
use crate::client::Clients;
use crate::ValkeyStore;

/// Clients (connections) in the store's own round-robin pool unless configured.
pub const DEFAULT_POOL_SIZE: usize = 4;
/// How long connecting may take unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one command may take unless configured.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

enum Target {
    Url(String),
    Config(Box<Config>),
    Client(Client),
    Pool(Pool),
}

/// Configures a [`ValkeyStore`]: a URL (`redis://`, `valkey://`, `rediss://`,
/// `redis-cluster://host:port?node=host:port…`), a fred [`Config`], or a user's fred
/// [`Client`]/[`Pool`] (never closed by the store); plus pool size, timeouts,
/// `exclusive_database` and the default collection. Building does no I/O.
///
/// ```
/// use std::time::Duration;
/// use kv_store_valkey::ValkeyStore;
/// let cluster = ValkeyStore::builder()
///     .url("redis-cluster://127.0.0.1:7000?node=127.0.0.1:7001&node=127.0.0.1:7002")
///     .command_timeout(Duration::from_secs(2))
///     .build()?;
/// # Ok::<(), kv_core::Error>(())
/// ```
pub struct ValkeyStoreBuilder {
    target: Target,
    pool_size: usize,
    connect_timeout: Duration,
    command_timeout: Duration,
    exclusive_database: bool,
    default_collection: Option<String>,
}

impl Default for ValkeyStoreBuilder {
    fn default() -> Self {
        ValkeyStoreBuilder {
            target: Target::Url("redis://localhost:6379/0".into()),
            pool_size: DEFAULT_POOL_SIZE,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            exclusive_database: false,
            default_collection: None,
        }
    }
}

impl fmt::Debug for ValkeyStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match &self.target {
            Target::Url(url) => redact_url(url),
            Target::Config(_) => "<fred config>".into(),
            Target::Client(_) => "<user client>".into(),
            Target::Pool(_) => "<user pool>".into(),
        };
        f.debug_struct("ValkeyStoreBuilder")
            .field("target", &target)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("exclusive_database", &self.exclusive_database)
            .field("default_collection", &self.default_collection)
            .finish()
    }
}

impl ValkeyStoreBuilder {
    /// Connects by URL (fred's URL forms; `redis-cluster://` or `valkey-cluster://` for a cluster).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.target = Target::Url(url.into());
        self
    }

    /// Connects with a fred [`Config`] (credentials, TLS, cluster hosts …).
    pub fn config(mut self, config: Config) -> Self {
        self.target = Target::Config(Box::new(config));
        self
    }

    /// Uses the user's fred client; the store never closes it. Connect it (`init()`) first.
    pub fn client(mut self, client: Client) -> Self {
        self.target = Target::Client(client);
        self
    }

    /// Uses the user's fred pool; the store never closes it. Connect it (`init()`) first.
    pub fn pool(mut self, pool: Pool) -> Self {
        self.target = Target::Pool(pool);
        self
    }

    /// Clients in the store's own round-robin pool (default [`DEFAULT_POOL_SIZE`]).
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// Deadline for connecting (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Deadline for one command (default 5 s); expiry is a `Timeout` error.
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Declares that the whole database (cluster) belongs to the store: `destroy()` then
    /// flushes it instead of removing only keys in this library's layout. Default `false`.
    pub fn exclusive_database(mut self, exclusive: bool) -> Self {
        self.exclusive_database = exclusive;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store (no I/O: the store's own clients connect on first use).
    pub fn build(self) -> Result<ValkeyStore> {
        let (clients, owned) = match self.target {
            Target::Client(client) => (Clients::One(client), false),
            Target::Pool(pool) => (Clients::Pool(pool), false),
            Target::Url(url) => {
                let config = Config::from_url(&url).map_err(|e| {
                    Error::setup(format!(
                        "invalid valkey URL {}: {}",
                        redact_url(&url),
                        e.details()
                    ))
                })?;
                (
                    self_pool(
                        config,
                        self.pool_size,
                        self.connect_timeout,
                        self.command_timeout,
                    )?,
                    true,
                )
            }
            Target::Config(config) => (
                self_pool(
                    *config,
                    self.pool_size,
                    self.connect_timeout,
                    self.command_timeout,
                )?,
                true,
            ),
        };
        let backend = ValkeyBackend::new(clients, owned, self.exclusive_database);
        let mut inner = Store::new(backend);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(ValkeyStore { inner })
    }
}

fn self_pool(
    config: Config,
    size: usize,
    connect_timeout: Duration,
    command_timeout: Duration,
) -> Result<Clients> {
    let mut builder = Builder::from_config(config);
    builder
        .with_connection_config(|c| {
            c.connection_timeout = connect_timeout;
            c.internal_command_timeout = command_timeout;
        })
        .with_performance_config(|p| p.default_command_timeout = command_timeout)
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
    let pool = builder
        .build_pool(size)
        .map_err(|e| Error::setup(format!("invalid valkey configuration: {}", e.details())))?;
    Ok(Clients::Pool(pool))
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
        assert_eq!(redact_url("redis://u:pw@h:1/2"), "redis://u:***@h:1/2");
        assert_eq!(
            redact_url("redis-cluster://:pw@h:1?node=h:2"),
            "redis-cluster://:***@h:1?node=h:2"
        );
        assert_eq!(redact_url("redis://h:1/0"), "redis://h:1/0");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let b = ValkeyStore::builder().url("redis://user:hunter2@localhost/1");
        assert!(!format!("{b:?}").contains("hunter2"));
    }
}
