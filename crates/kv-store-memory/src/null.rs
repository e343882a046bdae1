//! [`NullStore`]: accepts every write and keeps nothing.

use kv_core::{async_trait, Backend, Entry, Name, Result, Store, Timestamp};

/// The raw backend of [`NullStore`].
#[derive(Debug, Default)]
pub struct NullBackend;

#[async_trait]
impl Backend for NullBackend {
    fn name(&self) -> &'static str {
        "null"
    }
    async fn get_entry(&self, _: &Name<'_>, _: &Name<'_>) -> Result<Option<Entry>> {
        Ok(None)
    }
    async fn get_entries(&self, _: &Name<'_>, keys: &[Name<'_>]) -> Result<Vec<Option<Entry>>> {
        Ok(vec![None; keys.len()])
    }
    async fn put_entry(&self, _: &Name<'_>, _: &Name<'_>, _: Entry) -> Result<()> {
        Ok(())
    }
    async fn put_entries(&self, _: &Name<'_>, _: Vec<(Name<'_>, Entry)>) -> Result<()> {
        Ok(())
    }
    async fn delete_entry(&self, _: &Name<'_>, _: &Name<'_>, _: Timestamp) -> Result<bool> {
        Ok(false)
    }
    async fn delete_entries(&self, _: &Name<'_>, _: &[Name<'_>], _: Timestamp) -> Result<usize> {
        Ok(0)
    }
}

/// A store that keeps nothing: reads miss, deletes report `false`/`0`, writes succeed
/// (TTLs are still validated). For tests and for disabling a cache. Unstable.
///
/// ```
/// use kv_core::KeyValue;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// let store = kv_store_memory::NullStore::new();
/// store.put(None, "k", kv_core::Object::new(), None).await?;
/// assert_eq!(store.get(None, "k").await?, None);
/// # Ok(()) }
/// ```
pub struct NullStore {
    inner: Store<NullBackend>,
}

kv_core::delegate_key_value!(NullStore, inner);

impl NullStore {
    /// A new null store.
    pub fn new() -> Self {
        NullStore {
            inner: Store::new(NullBackend),
        }
    }
}

impl Default for NullStore {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for NullStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NullStore")
    }
}
