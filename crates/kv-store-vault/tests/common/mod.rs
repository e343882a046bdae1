//! Shared helpers of the Vault integration tests: server address and token, a plain vaultrs
//! client, raw access in the store's layout.
#![allow(dead_code)]

use kv_core::conformance::RawAccess;
use kv_core::{async_trait, Error, Result};
use kv_store_vault::vaultrs::client::{VaultClient, VaultClientSettingsBuilder};
use kv_store_vault::vaultrs::kv2;
use kv_store_vault::VaultStore;

/// `KV_TEST_VAULT_ADDR`, or `None` (after printing why) when unset.
pub fn address() -> Option<String> {
    kv_core::conformance::service_url("KV_TEST_VAULT_ADDR")
}

/// `KV_TEST_VAULT_TOKEN` (a dev server's root token; default `root`).
pub fn token() -> String {
    std::env::var("KV_TEST_VAULT_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "root".to_owned())
}

/// A store on the test server with token auth and the default mount.
pub fn store(address: &str) -> VaultStore {
    VaultStore::new(address, &token()).expect("valid KV_TEST_VAULT_ADDR")
}

/// A plain vaultrs client with the test token, bypassing the store.
pub fn plain(address: &str) -> VaultClient {
    // reqwest is built without a default rustls provider (the store installs ring the same way).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let settings = VaultClientSettingsBuilder::default()
        .address(address)
        .token(token())
        .build()
        .expect("client settings");
    VaultClient::new(settings).expect("vault client")
}

/// Raw access in the store's layout (`secret/C::K` holding `{"value": …}`).
pub struct RawVault {
    pub address: String,
}

impl RawVault {
    /// Raw access to the server of `KV_TEST_VAULT_ADDR` (unused without it).
    pub fn from_env() -> Self {
        RawVault {
            address: std::env::var("KV_TEST_VAULT_ADDR").unwrap_or_default(),
        }
    }
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::backend(false, format!("raw vault access: {e}"))
}

#[async_trait]
impl RawAccess for RawVault {
    /// Vault secrets are JSON: the bytes must be UTF-8 (the non-UTF-8 case is skipped).
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let text = std::str::from_utf8(bytes).map_err(err)?;
        let data = serde_json::json!({ "value": text });
        kv2::set(
            &plain(&self.address),
            "secret",
            &kv_core::compound_key(collection, key),
            &data,
        )
        .await
        .map(|_| ())
        .map_err(err)
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let path = kv_core::compound_key(collection, key);
        match kv2::read_metadata(&plain(&self.address), "secret", &path).await {
            Ok(_) => Ok(true),
            Err(kv_store_vault::vaultrs::error::ClientError::APIError { code: 404, .. }) => {
                Ok(false)
            }
            Err(e) => Err(err(e)),
        }
    }
}
