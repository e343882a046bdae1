//! The shared conformance suite on the credential store named by `KV_TEST_KEYRING`
//! (`secret-service`: a private D-Bus session with an unlocked gnome-keyring, see
//! `DBUS_SESSION_BUS_ADDRESS`; `keyutils`: run inside `keyctl session -`).

mod common;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kv_core::conformance::{unique_token, SuiteConfig};
use kv_core::KeyValue;
use kv_store_keyring::KeyringStore;

/// One service name per test process: the suite's collections are unique already, this keeps
/// runs apart from real `py-key-value` items in the same keyring.
fn service() -> &'static str {
    static SERVICE: OnceLock<String> = OnceLock::new();
    SERVICE.get_or_init(|| format!("kv-test-{}", unique_token()))
}

/// The suite's configuration; raw access when `KV_TEST_KEYRING` names a usable platform.
fn config() -> SuiteConfig {
    // Every call is a D-Bus round trip (Secret Service) on a blocking thread, and
    // gnome-keyring answers one call at a time: parallel tests queue behind each other.
    let config = SuiteConfig::new()
        .deadline(Duration::from_secs(180))
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
    let platform = std::env::var("KV_TEST_KEYRING")
        .ok()
        .and_then(|name| kv_store_keyring::Platform::from_name(&name).ok())
        .filter(|p| p.is_available());
    match platform {
        Some(platform) => {
            let store: Arc<KeyringStore> = Arc::new(common::store(platform, service()));
            config.raw(Arc::new(common::RawKeyring { store }))
        }
        None => config,
    }
}

kv_core::conformance_tests!(
    keyring,
    || async {
        let platform = common::platform()?;
        Some(Arc::new(common::store(platform, service())) as Arc<dyn KeyValue>)
    },
    config()
);
