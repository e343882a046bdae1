//! [`MemcachedStoreBuilder`]: address, pool size, timeouts, key strategy, exclusive server.

use std::time::Duration;

use kv_core::{Error, Result, Store};

use crate::backend::MemcachedBackend;
use crate::layout::KeyStrategy;
use crate::pool::{Pool, PoolConfig};
use crate::store::MemcachedStore;

/// The address used when none is given (py-key-value's default).
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:11211";
/// Connections kept in the pool by default (one command at a time per connection).
pub const DEFAULT_POOL_SIZE: u32 = 16;
/// Default deadline for opening a connection or waiting for a free one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default deadline for one command (one round trip).
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// async-memcached's DSN for an address: `host:port` becomes `tcp://host:port` (its URL
/// parser cannot read a bare `127.0.0.1:11211`); `tcp://` and `unix://` pass unchanged.
pub(crate) fn dsn(address: &str) -> String {
    let address = address.trim();
    if address.contains("://") {
        address.to_owned()
    } else {
        format!("tcp://{address}")
    }
}

/// Configures a [`MemcachedStore`].
///
/// ```
/// use std::time::Duration;
/// use kv_store_memcached::MemcachedStore;
/// let store = MemcachedStore::builder()
///     .address("127.0.0.1:11211")
///     .pool_size(8)
///     .connect_timeout(Duration::from_secs(1))
///     .command_timeout(Duration::from_millis(500))
///     .v1_keys(true)
///     .default_collection("app")
///     .build()?;
/// assert_eq!(store.default_collection(), "app");
/// # Ok::<(), kv_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MemcachedStoreBuilder {
    address: String,
    pool_size: u32,
    connect_timeout: Duration,
    command_timeout: Duration,
    keys: KeyStrategy,
    exclusive_server: bool,
    default_collection: Option<String>,
}

impl Default for MemcachedStoreBuilder {
    fn default() -> Self {
        MemcachedStoreBuilder {
            address: DEFAULT_ADDRESS.to_owned(),
            pool_size: DEFAULT_POOL_SIZE,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            keys: KeyStrategy::Passthrough,
            exclusive_server: false,
            default_collection: None,
        }
    }
}

impl MemcachedStoreBuilder {
    /// The server, `host:port` (also `tcp://host:port` or `unix:///path`). Default `127.0.0.1:11211`.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// Maximum number of pooled connections (default 16). Each carries one command at a time.
    pub fn pool_size(mut self, size: u32) -> Self {
        self.pool_size = size;
        self
    }

    /// Deadline for opening a connection and for waiting for a free pooled one (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Deadline for one command's round trip (default 5 s). A command that misses it fails with
    /// `Timeout` and its connection is discarded.
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Uses py-key-value's `MemcachedV1KeySanitizationStrategy` (`true`) or plain
    /// `collection::key` names (`false`, the default).
    pub fn v1_keys(mut self, on: bool) -> Self {
        self.keys = if on {
            KeyStrategy::v1()
        } else {
            KeyStrategy::Passthrough
        };
        self
    }

    /// Sets the key strategy directly.
    pub fn key_strategy(mut self, keys: KeyStrategy) -> Self {
        self.keys = keys;
        self
    }

    /// Declares that the whole memcached server belongs to this store, which enables
    /// `destroy()` (`flush_all`). Off by default: flushing a shared server destroys other data.
    pub fn exclusive_server(mut self, exclusive: bool) -> Self {
        self.exclusive_server = exclusive;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store. No I/O happens until the first operation; an invalid configuration is
    /// a `Setup` error.
    pub fn build(self) -> Result<MemcachedStore> {
        if self.address.trim().is_empty() {
            return Err(Error::setup("memcached address is empty"));
        }
        if self.pool_size == 0 {
            return Err(Error::setup("memcached pool size must be at least 1"));
        }
        if self.connect_timeout.is_zero() || self.command_timeout.is_zero() {
            return Err(Error::setup("memcached timeouts must be greater than zero"));
        }
        let pool = Pool::new(PoolConfig {
            address: dsn(&self.address),
            max_size: self.pool_size,
            connect_timeout: self.connect_timeout,
            command_timeout: self.command_timeout,
        });
        let backend = MemcachedBackend {
            pool,
            keys: self.keys,
            exclusive_server: self.exclusive_server,
            address: self.address,
        };
        let mut inner = Store::new(backend);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(MemcachedStore { inner })
    }
}
