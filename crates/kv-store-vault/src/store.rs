//! [`VaultStore`]: the public store type.

use kv_core::{Result, Stability, Store};

use crate::backend::VaultBackend;
use crate::config::VaultStoreBuilder;

/// A key-value store on the KV version 2 secrets engine of HashiCorp Vault (or OpenBao),
/// byte-compatible with py-key-value's `VaultStore`.
///
/// Entry `(C, K)` is the secret `<mount>/C::K` whose data is `{"value": "<envelope>"}`. There is
/// no native TTL: expiry lives in the envelope and is checked on every read. `delete` removes
/// every version and the metadata. Optional operations: `keys` (a `LIST` of the collection,
/// then a read of each candidate to skip expired entries), `destroy_collection` and
/// `put_if_absent` (KV v2 check-and-set, atomic). Batch operations run up to
/// [`concurrency`](VaultStoreBuilder::concurrency) requests at once (Vault has no batch API).
/// The token and the AppRole secret ID never appear in `Debug` output or errors.
/// Stability: [`Stability::Unstable`] (as in py-key-value).
///
/// ```no_run
/// use kv_core::KeyValue;
/// use kv_store_vault::VaultStore;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = VaultStore::new("http://127.0.0.1:8200", "root")?;
/// let value = json!({"name": "Alice"}).as_object().cloned().unwrap_or_default();
/// store.put(Some("users"), "alice", value, None).await?;
/// assert!(store.get(Some("users"), "alice").await?.is_some());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct VaultStore {
    pub(crate) inner: Store<VaultBackend>,
}

kv_core::delegate_key_value!(VaultStore, inner);

impl VaultStore {
    /// A builder: address, token or AppRole, mount, namespace, timeout, concurrency.
    pub fn builder() -> VaultStoreBuilder {
        VaultStoreBuilder::default()
    }

    /// A store at `address` with token authentication and the defaults (mount `secret`,
    /// 10 s timeout). No I/O happens until the first operation.
    ///
    /// ```
    /// let store = kv_store_vault::VaultStore::new("http://127.0.0.1:8200", "root")?;
    /// assert_eq!(store.mount(), "secret");
    /// # Ok::<(), kv_core::Error>(())
    /// ```
    pub fn new(address: &str, token: &str) -> Result<VaultStore> {
        VaultStore::builder().address(address).token(token).build()
    }

    /// The wire-format stability label (unstable, like py-key-value's `VaultStore`).
    pub fn stability(&self) -> Stability {
        self.inner.stability()
    }

    /// The collection used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        self.inner.default_collection()
    }

    /// The KV v2 mount point.
    pub fn mount(&self) -> &str {
        &self.inner.backend().mount
    }
}
