//! [`KeyringStore`]: the public store type.

use kv_core::{Result, Stability, Store};

use crate::backend::KeyringBackend;
use crate::config::KeyringStoreBuilder;
use crate::platform::Platform;

/// A key-value store in the operating system's credential store, byte-compatible with
/// py-key-value's `KeyringStore`.
///
/// Entry `(C, K)` is the credential of service `py-key-value` (configurable) and user
/// `C::K` whose secret is the JSON envelope. No native TTL (expiry lives in the envelope);
/// no optional operations (credential stores cannot list by service portably). Every call
/// runs on a blocking thread. Stability: [`Stability::Unstable`] (as in py-key-value).
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_keyring::{KeyringStore, Platform};
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = KeyringStore::new(Platform::SecretService)?;
/// let value = json!({"token": "abc"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("api"), "github", value, None).await?;
/// assert!(store.get(Some("api"), "github").await?.is_some());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct KeyringStore {
    pub(crate) inner: Store<KeyringBackend>,
}

kv_core::delegate_key_value!(KeyringStore, inner);

impl KeyringStore {
    /// A builder: platform, service name, V1 name strategies, default collection.
    pub fn builder() -> KeyringStoreBuilder {
        KeyringStoreBuilder::default()
    }

    /// A store on `platform` with service `py-key-value`.
    ///
    /// ```
    /// # use kv_store_keyring::{KeyringStore, Platform};
    /// let store = KeyringStore::new(Platform::MacosKeychain);
    /// assert_eq!(store.is_ok(), Platform::MacosKeychain.is_available());
    /// ```
    pub fn new(platform: Platform) -> Result<KeyringStore> {
        KeyringStore::builder().platform(platform).build()
    }

    /// The raw secret stored for the user name `user` (`collection::key` after sanitization),
    /// for tools and tests that need to reach an item directly. Blocking: call it from a
    /// blocking context.
    ///
    /// ```no_run
    /// # use kv_store_keyring::{KeyringStore, Platform};
    /// let store = KeyringStore::new(Platform::SecretService)?;
    /// let secret = store.read_raw_secret("users::alice")?;
    /// println!("{}", secret.is_some());
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn read_raw_secret(&self, user: &str) -> Result<Option<Vec<u8>>> {
        let backend = self.inner.backend();
        crate::credential::get(&backend.handles, backend.platform, &backend.service, user)
    }

    /// Stores raw bytes as the secret of `user`, bypassing the envelope (tools and tests).
    /// Blocking: call it from a blocking context.
    pub fn write_raw_secret(&self, user: &str, secret: &[u8]) -> Result<()> {
        let backend = self.inner.backend();
        crate::credential::set(
            &backend.handles,
            backend.platform,
            &backend.service,
            user,
            secret,
        )
    }

    /// The credential store in use.
    pub fn platform(&self) -> Platform {
        self.inner.backend().platform
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.inner.backend().service
    }

    /// The wire-format stability label (unstable, like py-key-value's `KeyringStore`).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }
}
