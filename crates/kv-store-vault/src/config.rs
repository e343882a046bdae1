//! [`VaultStoreBuilder`]: address, authentication, mount, namespace, timeout, concurrency.

use std::fmt;
use std::time::Duration;

use kv_core::{Error, Result, Store};

use crate::auth::{valid_header_value, Auth, Secret};
use crate::backend::VaultBackend;
use crate::client::{ClientConfig, Connection};
use crate::layout::mount_point;
use crate::store::VaultStore;

/// The address used when none is given (py-key-value's default).
pub const DEFAULT_ADDRESS: &str = "http://localhost:8200";
/// The KV v2 mount used when none is given (py-key-value's default).
pub const DEFAULT_MOUNT: &str = "secret";
/// Default deadline of one HTTP request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of requests a batch operation keeps in flight.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Configures a [`VaultStore`].
///
/// ```
/// use std::time::Duration;
/// use kv_store_vault::{Auth, VaultStore};
/// let store = VaultStore::builder()
///     .address("http://127.0.0.1:8200")
///     .auth(Auth::app_role("role-id", "secret-id"))
///     .mount("kv")
///     .timeout(Duration::from_secs(2))
///     .default_collection("app")
///     .build()?;
/// assert_eq!(store.mount(), "kv");
/// # Ok::<(), kv_core::Error>(())
/// ```
#[derive(Clone)]
pub struct VaultStoreBuilder {
    address: String,
    auth: Option<Auth>,
    mount: String,
    namespace: Option<String>,
    timeout: Duration,
    concurrency: usize,
    default_collection: Option<String>,
}

impl fmt::Debug for VaultStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultStoreBuilder")
            .field("address", &self.address)
            .field("auth", &self.auth)
            .field("mount", &self.mount)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("concurrency", &self.concurrency)
            .field("default_collection", &self.default_collection)
            .finish()
    }
}

impl Default for VaultStoreBuilder {
    fn default() -> Self {
        VaultStoreBuilder {
            address: DEFAULT_ADDRESS.to_owned(),
            auth: None,
            mount: DEFAULT_MOUNT.to_owned(),
            namespace: None,
            timeout: DEFAULT_TIMEOUT,
            concurrency: DEFAULT_CONCURRENCY,
            default_collection: None,
        }
    }
}

impl VaultStoreBuilder {
    /// The server, `http(s)://host:port` (default `http://localhost:8200`). HTTPS uses rustls
    /// with the platform's root certificates.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// Token authentication (`X-Vault-Token`).
    pub fn token(self, token: impl Into<Secret>) -> Self {
        self.auth(Auth::token(token))
    }

    /// Sets the authentication method (token or AppRole).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The KV version 2 mount point (default `secret`).
    pub fn mount(mut self, mount: impl Into<String>) -> Self {
        self.mount = mount.into();
        self
    }

    /// A Vault Enterprise / OpenBao namespace (`X-Vault-Namespace`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Deadline of one HTTP request, connecting included (default 10 s). A request that misses
    /// it fails with `Timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many requests `get_many`, `put_many`, `delete_many` and `keys` keep in flight (default 16).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store. No I/O happens until the first operation (AppRole logs in then);
    /// an invalid configuration is a `Setup` error.
    pub fn build(self) -> Result<VaultStore> {
        let auth = self.auth.ok_or_else(|| {
            Error::setup("Vault authentication is not configured: set a token or an AppRole")
        })?;
        match &auth {
            Auth::Token(token) if token.expose().is_empty() => {
                return Err(Error::setup("the Vault token is empty"));
            }
            Auth::Token(token) if !valid_header_value(token.expose()) => {
                return Err(Error::setup(
                    "the Vault token contains characters not allowed in an HTTP header",
                ));
            }
            Auth::AppRole { mount, role_id, .. } if mount.is_empty() || role_id.is_empty() => {
                return Err(Error::setup(
                    "the AppRole mount and role ID must not be empty",
                ));
            }
            _ => {}
        }
        let address = self.address.trim().trim_end_matches('/').to_owned();
        if !(address.starts_with("http://") || address.starts_with("https://")) {
            return Err(Error::setup(format!(
                "the Vault address '{address}' must start with http:// or https://"
            )));
        }
        if self.timeout.is_zero() {
            return Err(Error::setup("the Vault timeout must be greater than zero"));
        }
        if self.concurrency == 0 {
            return Err(Error::setup("the Vault concurrency must be at least 1"));
        }
        let mount = mount_point(&self.mount)?;
        let connection = Connection::new(ClientConfig {
            address: address.clone(),
            namespace: self.namespace,
            timeout: self.timeout,
            auth,
        })?;
        let backend = VaultBackend {
            connection,
            mount,
            address,
            concurrency: self.concurrency,
        };
        let mut inner = Store::new(backend);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(VaultStore { inner })
    }
}
