//! The shared conformance suite on the credential store named by `KV_TEST_KEYRING`
//! (`secret-service`: a private D-Bus session with an unlocked gnome-keyring, see
//! `DBUS_SESSION_BUS_ADDRESS`). The kernel keyutils keyring runs the same suite in
//! `tests/keyutils.rs`.

mod common;

use std::sync::Arc;

use kv_core::KeyValue;

kv_core::conformance_tests!(
    keyring,
    || async {
        let platform = common::platform_of("KV_TEST_KEYRING")?;
        Some(Arc::new(common::store(platform, common::service())) as Arc<dyn KeyValue>)
    },
    common::suite_config("KV_TEST_KEYRING")
);
