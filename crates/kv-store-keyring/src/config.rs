//! [`KeyringStoreBuilder`]: platform, service name, V1 name strategies, default collection.

use kv_core::sanitize::keyring_v1;
use kv_core::{Error, Result, Store};

use crate::backend::KeyringBackend;
use crate::platform::Platform;
use crate::store::KeyringStore;

/// The service name used when none is given (py-key-value's default).
pub const DEFAULT_SERVICE: &str = "py-key-value";

/// Configures a [`KeyringStore`].
///
/// ```
/// use kv_store_keyring::{KeyringStore, Platform};
/// # if let Some(platform) = Platform::native() {
/// let store = KeyringStore::builder()
///     .platform(platform)
///     .service("my-app")
///     .v1_names(true)
///     .build()?;
/// assert_eq!(store.service(), "my-app");
/// # }
/// # Ok::<(), kv_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyringStoreBuilder {
    platform: Option<Platform>,
    service: String,
    v1_names: bool,
    default_collection: Option<String>,
}

impl Default for KeyringStoreBuilder {
    fn default() -> Self {
        KeyringStoreBuilder {
            platform: Platform::native(),
            service: DEFAULT_SERVICE.to_owned(),
            v1_names: false,
            default_collection: None,
        }
    }
}

impl KeyringStoreBuilder {
    /// The credential store (default: [`Platform::native`]).
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = Some(platform);
        self
    }

    /// The service name (default `py-key-value`).
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = service.into();
        self
    }

    /// Sanitizes keys and collections with py-key-value's `KeyringV1KeySanitizationStrategy` and
    /// `KeyringV1CollectionSanitizationStrategy` (alphanumeric, at most 256 characters, hashed
    /// when changed). Off by default (names used as given).
    pub fn v1_names(mut self, on: bool) -> Self {
        self.v1_names = on;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store; no I/O happens until the first operation. A platform this build
    /// cannot use, or an empty service name, is a `Setup` error.
    pub fn build(self) -> Result<KeyringStore> {
        let platform = self
            .platform
            .ok_or_else(|| Error::setup("no credential store is known for this platform"))?;
        if !platform.is_available() {
            return Err(Error::setup(format!(
                "the {platform} credential store is not available on this platform"
            )));
        }
        if self.service.is_empty() {
            return Err(Error::setup("the keyring service name is empty"));
        }
        let mut inner = Store::new(KeyringBackend {
            platform,
            service: self.service,
            handles: Default::default(),
        });
        if self.v1_names {
            inner = inner
                .with_key_strategy(keyring_v1())
                .with_collection_strategy(keyring_v1());
        }
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(KeyringStore { inner })
    }
}
