//! Shared helpers of the keyring integration tests: the store under test from
//! `KV_TEST_KEYRING` (`secret-service` or `keyutils`) and raw access to its items.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kv_core::conformance::{unique_token, RawAccess, SuiteConfig};
use kv_core::{async_trait, Error, Result};
use kv_store_keyring::{KeyringStore, Platform};

/// The platform named by the variable `var`, or `None` (after printing why) when unset.
pub fn platform_of(var: &str) -> Option<Platform> {
    let name = kv_core::conformance::service_url(var)?;
    Some(Platform::from_name(&name).unwrap_or_else(|_| panic!("{var} names a platform")))
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

/// One service name per test process: the suite's collections are unique already, this keeps
/// runs apart from real `py-key-value` items in the same keyring.
pub fn service() -> &'static str {
    static SERVICE: OnceLock<String> = OnceLock::new();
    SERVICE.get_or_init(|| format!("kv-test-{}", unique_token()))
}

/// The suite's configuration; raw access when `var` names a usable platform.
pub fn suite_config(var: &str) -> SuiteConfig {
    // Every call is a D-Bus round trip (Secret Service) on a blocking thread, and
    // gnome-keyring answers one call at a time: parallel tests queue behind each other. The
    // deadline only catches a hang: under CI load the 480 calls of `concurrent_overlapping_writes`
    // queued behind the other tests' for over 180 s.
    let config = SuiteConfig::new()
        .deadline(Duration::from_secs(600))
        .skip(
            "sub_second_ttl",
            "a 500 ms TTL is shorter than a put plus a read through gnome-keyring while the suite's \
             other tests queue on the same daemon (passes when run alone)"
        )
        .skip(
            "bad_input__value_16_mib",
            "a 16 MiB secret through the Secret Service (D-Bus, gnome-keyring) grew the daemon past 3 GB \
             on the test machine; credential stores hold small secrets"
        )
        .skip(
            "bad_input__batch_of_10000",
            "10 000 credentials are 20 000+ D-Bus sessions and items in one keyring, minutes of work and \
             gigabytes of daemon memory; credential stores hold small numbers of secrets"
        );
    let platform = std::env::var(var)
        .ok()
        .and_then(|name| kv_store_keyring::Platform::from_name(&name).ok())
        .filter(|p| p.is_available());
    match platform {
        Some(platform) => {
            let store: Arc<KeyringStore> = Arc::new(store(platform, service()));
            config.raw(Arc::new(RawKeyring { store }))
        }
        None => config,
    }
}
