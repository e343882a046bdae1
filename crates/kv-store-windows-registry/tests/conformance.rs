//! The shared conformance suite on the registry of the machine running the tests (Windows, or
//! Wine with `CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER`), under a per-run
//! `HKEY_CURRENT_USER\Software\kv-test-<token>` so runs never touch `Software\py-key-value`.
#![cfg(windows)]

use std::sync::{Arc, OnceLock};

use kv_core::conformance::{unique_token, SuiteConfig};
use kv_core::KeyValue;
use kv_store_windows_registry::WindowsRegistryStore;

fn registry_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| format!(r"Software\kv-test-{}", unique_token()))
}

kv_core::conformance_tests!(
    windows_registry,
    || async {
        let store = WindowsRegistryStore::builder()
            .registry_path(registry_path())
            .build()
            .expect("registry store");
        Some(Arc::new(store) as Arc<dyn KeyValue>)
    },
    SuiteConfig::new().rejects_long_collections()
);
