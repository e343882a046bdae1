//! [`RedisStoreBuilder`]: where the store connects and how.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bb8_redis::RedisConnectionManager;
use kv_core::{Error, Result, Store};
use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo};

use crate::backend::RedisBackend;
use crate::pool::{ConnectErrors, Manager, Pool, Sink};
use crate::RedisStore;

/// Connections in the store's own pool unless configured.
pub const DEFAULT_POOL_SIZE: u32 = 16;
/// How long connecting (and waiting for a pooled connection) may take unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one command may wait for its reply unless configured.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

struct Parts {
    host: String,
    port: u16,
    db: i64,
    username: Option<String>,
    password: Option<String>,
    tls: bool,
}

impl Default for Parts {
    fn default() -> Self {
        Parts {
            host: "localhost".into(),
            port: 6379,
            db: 0,
            username: None,
            password: None,
            tls: false,
        }
    }
}

enum Target {
    Url(String),
    Parts(Parts),
    Pool(bb8::Pool<RedisConnectionManager>),
}

/// Configures a [`RedisStore`]: a URL, host/port/db/credentials, or a user's pool, plus pool
/// size, timeouts, `exclusive_database` and the default collection. Building does no I/O.
///
/// ```
/// use std::time::Duration;
/// use kv_store_redis::RedisStore;
/// let store = RedisStore::builder()
///     .host("127.0.0.1")
///     .port(6379)
///     .db(2)
///     .password("secret")
///     .pool_size(8)
///     .command_timeout(Duration::from_secs(2))
///     .default_collection("app")
///     .build()?;
/// # Ok::<(), kv_core::Error>(())
/// ```
pub struct RedisStoreBuilder {
    target: Target,
    pool_size: u32,
    connect_timeout: Duration,
    command_timeout: Duration,
    exclusive_database: bool,
    default_collection: Option<String>,
    /// PEM root certificates trusted instead of the Mozilla roots (feature `tls`).
    tls_roots: Option<Vec<u8>>,
}

impl Default for RedisStoreBuilder {
    fn default() -> Self {
        RedisStoreBuilder {
            target: Target::Parts(Parts::default()),
            pool_size: DEFAULT_POOL_SIZE,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            exclusive_database: false,
            default_collection: None,
            tls_roots: None,
        }
    }
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match &self.target {
            Target::Url(url) => redact_url(url),
            Target::Parts(p) => format!("{}:{}/{}", p.host, p.port, p.db),
            Target::Pool(_) => "<user pool>".into(),
        };
        f.debug_struct("RedisStoreBuilder")
            .field("target", &target)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("exclusive_database", &self.exclusive_database)
            .field("default_collection", &self.default_collection)
            .field("tls_roots", &self.tls_roots.as_ref().map(|_| "<PEM>"))
            .finish()
    }
}

impl RedisStoreBuilder {
    /// Connects by URL: `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS,
    /// feature `tls`). Replaces host/port/db/credentials set before.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.target = Target::Url(url.into());
        self
    }

    fn parts(&mut self) -> &mut Parts {
        if !matches!(self.target, Target::Parts(_)) {
            self.target = Target::Parts(Parts::default());
        }
        match &mut self.target {
            Target::Parts(parts) => parts,
            _ => unreachable!("just set"),
        }
    }

    /// Host name or address (default `localhost`).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.parts().host = host.into();
        self
    }

    /// Port (default `6379`).
    pub fn port(mut self, port: u16) -> Self {
        self.parts().port = port;
        self
    }

    /// Logical database number (default `0`).
    pub fn db(mut self, db: i64) -> Self {
        self.parts().db = db;
        self
    }

    /// ACL user name (sent with `AUTH user password`).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.parts().username = Some(username.into());
        self
    }

    /// Password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.parts().password = Some(password.into());
        self
    }

    /// TLS (feature `tls`, on by default; with a URL use `rediss://`).
    pub fn tls(mut self, tls: bool) -> Self {
        self.parts().tls = tls;
        self
    }

    /// Trusts the root certificates in `pem` (one or more PEM blocks) instead of the Mozilla
    /// roots for TLS connections: a private CA or a self-signed server certificate's issuer.
    /// Applies to `rediss://` URLs and to [`tls(true)`](Self::tls); ignored for a user's pool.
    ///
    /// ```no_run
    /// use kv_store_redis::RedisStore;
    /// let ca = std::fs::read("/etc/redis/ca.pem").expect("CA file");
    /// let store = RedisStore::builder()
    ///     .url("rediss://127.0.0.1:6380/0")
    ///     .tls_root_certificates(ca)
    ///     .build()?;
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls_root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls_roots = Some(pem.into());
        self
    }

    /// Uses the user's pool; the store never closes it (not even in `close()`). Pool size and
    /// connect timeout are then the pool's own; the command timeout still applies.
    pub fn pool(mut self, pool: bb8::Pool<RedisConnectionManager>) -> Self {
        self.target = Target::Pool(pool);
        self
    }

    /// Connections in the store's own pool (default [`DEFAULT_POOL_SIZE`]).
    pub fn pool_size(mut self, size: u32) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// Deadline for connecting and for waiting on a pooled connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Deadline for one command's reply (default 5 s); expiry is a `Timeout` error.
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Declares that the whole logical database belongs to the store: `destroy()` then runs
    /// `FLUSHDB` instead of removing only keys in this library's layout. Default `false`.
    pub fn exclusive_database(mut self, exclusive: bool) -> Self {
        self.exclusive_database = exclusive;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store (no I/O: connections are made on first use).
    pub fn build(self) -> Result<RedisStore> {
        let pool = match self.target {
            Target::Pool(pool) => PoolSpec::User(pool),
            Target::Url(url) => {
                let info = url.as_str().into_connection_info().map_err(|e| {
                    Error::setup(format!(
                        "invalid redis URL {} ({:?})",
                        redact_url(&url),
                        e.kind()
                    ))
                })?;
                own_pool(
                    info,
                    self.tls_roots.clone(),
                    self.pool_size,
                    self.connect_timeout,
                    self.command_timeout,
                )?
            }
            Target::Parts(Parts {
                host,
                port,
                db,
                username,
                password,
                tls,
            }) => {
                let addr = if tls {
                    ConnectionAddr::TcpTls {
                        host,
                        port,
                        insecure: false,
                        tls_params: None,
                    }
                } else {
                    ConnectionAddr::Tcp(host, port)
                };
                let mut info = addr
                    .into_connection_info()
                    .map_err(|e| Error::setup(format!("invalid redis address ({:?})", e.kind())))?;
                let mut settings = info.redis_settings().clone().set_db(db);
                if let Some(user) = username {
                    settings = settings.set_username(user);
                }
                if let Some(password) = password {
                    settings = settings.set_password(password);
                }
                info = info.set_redis_settings(settings);
                own_pool(
                    info,
                    self.tls_roots.clone(),
                    self.pool_size,
                    self.connect_timeout,
                    self.command_timeout,
                )?
            }
        };
        let backend = RedisBackend::new(pool, self.command_timeout, self.exclusive_database);
        let mut inner = Store::new(backend);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(RedisStore { inner })
    }
}

fn own_pool(
    info: ConnectionInfo,
    tls_roots: Option<Vec<u8>>,
    size: u32,
    connect_timeout: Duration,
    command_timeout: Duration,
) -> Result<PoolSpec> {
    let client = client(info, tls_roots).map_err(|e| {
        Error::setup(format!(
            "invalid redis configuration ({:?}{})",
            e.kind(),
            e.detail().map(|d| format!(": {d}")).unwrap_or_default()
        ))
    })?;
    Ok(PoolSpec::Own(Box::new(OwnPoolSpec {
        manager: Manager::new(client, connect_timeout, command_timeout),
        size,
        connect_timeout,
    })))
}

/// The redis-rs client for `info`, trusting `tls_roots` when given.
#[cfg(feature = "tls")]
fn client(info: ConnectionInfo, tls_roots: Option<Vec<u8>>) -> redis::RedisResult<redis::Client> {
    if matches!(info.addr(), ConnectionAddr::TcpTls { .. }) {
        ensure_crypto_provider();
    }
    match tls_roots {
        Some(pem) => redis::Client::build_with_tls(
            info,
            redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem),
            },
        ),
        None => redis::Client::open(info),
    }
}

/// The redis-rs client for `info` (no TLS support in this build).
#[cfg(not(feature = "tls"))]
fn client(info: ConnectionInfo, _tls_roots: Option<Vec<u8>>) -> redis::RedisResult<redis::Client> {
    redis::Client::open(info)
}

/// rustls needs a process-wide crypto provider; installs ring's unless the program chose one.
#[cfg(feature = "tls")]
fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another installer is fine: a provider is then in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// What the store's own pool is built from (on first use, inside the caller's runtime).
pub(crate) struct OwnPoolSpec {
    manager: Manager,
    size: u32,
    connect_timeout: Duration,
}

impl OwnPoolSpec {
    /// Builds the pool (bb8 starts its reaper task: must run inside a tokio runtime).
    pub(crate) fn build(self: Box<Self>) -> Pool {
        let errors = Arc::new(ConnectErrors::default());
        let pool = bb8::Pool::builder()
            .max_size(self.size)
            .test_on_check_out(false)
            .retry_connection(false)
            .connection_timeout(self.connect_timeout)
            .error_sink(Box::new(Sink(Arc::clone(&errors))))
            .build_unchecked(self.manager);
        Pool::Owned(pool, errors)
    }
}

/// The pool to use: the user's, or the recipe of the store's own.
pub(crate) enum PoolSpec {
    Own(Box<OwnPoolSpec>),
    User(bb8::Pool<RedisConnectionManager>),
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
            let user = if user.is_empty() { "" } else { user };
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
        assert_eq!(redact_url("redis://:pw@h"), "redis://:***@h");
        assert_eq!(redact_url("redis://h:1/0"), "redis://h:1/0");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let b = RedisStore::builder().url("redis://user:hunter2@localhost/1");
        assert!(!format!("{b:?}").contains("hunter2"));
        let b = RedisStore::builder().password("hunter2");
        assert!(!format!("{b:?}").contains("hunter2"));
    }

    #[test]
    fn bad_url_is_a_setup_error_without_the_password() {
        let err = RedisStore::builder()
            .url("nope://u:hunter2@h")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Setup);
        assert!(!err.to_string().contains("hunter2"));
    }
}
