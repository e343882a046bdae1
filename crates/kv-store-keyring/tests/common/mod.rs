//! Shared helpers of the keyring integration tests: the store under test from
//! `KV_TEST_KEYRING` (`secret-service` or `keyutils`) and raw access to its items.
#![allow(dead_code)]

use std::sync::Arc;

use kv_core::conformance::RawAccess;
use kv_core::{async_trait, Error, Result};
use kv_store_keyring::{KeyringStore, Platform};

/// The platform named by `KV_TEST_KEYRING`, or `None` (after printing why) when unset.
pub fn platform() -> Option<Platform> {
    let name = kv_core::conformance::service_url("KV_TEST_KEYRING")?;
    Some(Platform::from_name(&name).expect("KV_TEST_KEYRING names a platform"))
}

/// A store on the test platform with a per-run service name, so runs never see each other.
pub fn store(platform: Platform, service: &str) -> KeyringStore {
    KeyringStore::builder()
        .platform(platform)
        .service(service)
        .build()
        .expect("keyring store")
}

/// Raw access through the store's own `keyring` entries.
pub struct RawKeyring {
    pub store: Arc<KeyringStore>,
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::backend(false, format!("raw keyring access: {e}"))
}

#[async_trait]
impl RawAccess for RawKeyring {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let store = self.store.clone();
        let (user, bytes) = (kv_core::compound_key(collection, key), bytes.to_vec());
        tokio::task::spawn_blocking(move || store.write_raw_secret(&user, &bytes))
            .await
            .map_err(err)?
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let store = self.store.clone();
        let user = kv_core::compound_key(collection, key);
        tokio::task::spawn_blocking(move || Ok(store.read_raw_secret(&user)?.is_some()))
            .await
            .map_err(err)?
    }
}
