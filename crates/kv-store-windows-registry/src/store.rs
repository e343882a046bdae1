//! [`WindowsRegistryStore`] and its builder.

use kv_core::sanitize::windows_registry_v1_collection;
use kv_core::{Result, Stability, Store};

use crate::backend::{Hive, RegistryKeyNames, WindowsRegistryBackend, DEFAULT_REGISTRY_PATH};

/// A key-value store in the Windows registry, byte-compatible with py-key-value's
/// `WindowsRegistryStore`: key `<path>\<collection>`, value `<key>` (`REG_SZ`, the envelope).
/// No native TTL, no optional operations. Stability: [`Stability::Unstable`].
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_windows_registry::WindowsRegistryStore;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = WindowsRegistryStore::builder().build()?;
/// let value = serde_json::json!({"a": 1}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, None).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct WindowsRegistryStore {
    pub(crate) inner: Store<WindowsRegistryBackend>,
}

kv_core::delegate_key_value!(WindowsRegistryStore, inner);

impl WindowsRegistryStore {
    /// A builder: hive, registry path, V1 collection names, default collection.
    pub fn builder() -> WindowsRegistryStoreBuilder {
        WindowsRegistryStoreBuilder::default()
    }

    /// The wire-format stability label.
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }
}

/// Configures a [`WindowsRegistryStore`].
///
/// ```no_run
/// use kv_store_windows_registry::{Hive, WindowsRegistryStore};
/// let store = WindowsRegistryStore::builder()
///     .hive(Hive::CurrentUser)
///     .registry_path(r"Software\my-app")
///     .v1_collections(true)
///     .build()?;
/// # Ok::<(), kv_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct WindowsRegistryStoreBuilder {
    hive: Hive,
    path: String,
    v1_collections: bool,
    default_collection: Option<String>,
}

impl Default for WindowsRegistryStoreBuilder {
    fn default() -> Self {
        WindowsRegistryStoreBuilder {
            hive: Hive::CurrentUser,
            path: DEFAULT_REGISTRY_PATH.to_owned(),
            v1_collections: false,
            default_collection: None,
        }
    }
}

impl WindowsRegistryStoreBuilder {
    /// The hive (default `HKEY_CURRENT_USER`).
    pub fn hive(mut self, hive: Hive) -> Self {
        self.hive = hive;
        self
    }

    /// The parent key of the collections (default `Software\py-key-value`).
    pub fn registry_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sanitizes collection names with py-key-value's `WindowsRegistryV1CollectionSanitizationStrategy`.
    pub fn v1_collections(mut self, on: bool) -> Self {
        self.v1_collections = on;
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store; no registry access happens until the first operation.
    pub fn build(self) -> Result<WindowsRegistryStore> {
        let path = self.path.trim_matches('\\').to_owned();
        if path.is_empty() {
            return Err(kv_core::Error::setup("the registry path is empty"));
        }
        let mut inner = Store::new(WindowsRegistryBackend {
            hive: self.hive,
            path,
        });
        inner = if self.v1_collections {
            inner.with_collection_strategy(windows_registry_v1_collection())
        } else {
            inner.with_collection_strategy(RegistryKeyNames)
        };
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(WindowsRegistryStore { inner })
    }
}
