#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
//! # kv-store-keyring
//!
//! [`KeyringStore`]: the [kv](kv_core) key-value API in the operating system's credential
//! store, through the [keyring] crate, byte-compatible with py-key-value's `KeyringStore`
//! (which uses Python's `keyring` library).
//!
//! - Layout: service `py-key-value` (configurable), user `{collection}::{key}` (optionally
//!   sanitized with the Keyring V1 strategies), secret the JSON envelope with the original names.
//! - Stores, chosen explicitly with [`Platform`]: the Secret Service on Linux (through
//!   `secret-service`, items with Python `keyring`'s attributes and label in the default
//!   collection, so both sides find and replace each other's items), the
//!   kernel keyutils on Linux (not shared with Python), the macOS Keychain, the Windows
//!   Credential Manager (secrets over 2 560 bytes as UTF-16 are `ValueTooLarge` before the call).
//! - No native TTL: `expires_at` in the envelope decides on every read.
//! - Every keyring call runs on a blocking thread (`spawn_blocking`): it blocks, and the Secret
//!   Service client must not run on a runtime worker.
//!
//! ```no_run
//! use kv_core::KeyValue;
//! use kv_store_keyring::{KeyringStore, Platform};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
//! let store = KeyringStore::builder().platform(Platform::SecretService).build()?;
//! let mut value = kv_core::Object::new();
//! value.insert("token".into(), "abc".into());
//! store.put(Some("api"), "github", value, None).await?;
//! # Ok(()) }
//! ```

mod backend;
mod config;
mod credential;
mod error;
mod platform;
#[cfg(target_os = "linux")]
mod secret_service;
mod store;
#[cfg(windows)]
mod windows;

pub use backend::{KeyringBackend, WINDOWS_MAX_SECRET_BYTES};
pub use config::{KeyringStoreBuilder, DEFAULT_SERVICE};
pub use keyring;
pub use platform::Platform;
pub use store::KeyringStore;

#[cfg(test)]
mod tests {
    use super::backend::check_size;
    use super::*;

    #[test]
    fn windows_size_limit_counts_utf16_code_units() {
        let fits = "a".repeat(1280);
        assert!(check_size(Platform::WindowsCredentialManager, &fits).is_ok());
        let too_big = "a".repeat(1281);
        let err = check_size(Platform::WindowsCredentialManager, &too_big).unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::ValueTooLarge);
        // One astral character is two code units.
        let astral = "😀".repeat(641);
        assert!(check_size(Platform::WindowsCredentialManager, &astral).is_err());
        // Other stores have no such limit.
        assert!(check_size(Platform::SecretService, &too_big).is_ok());
    }

    #[test]
    fn platforms_round_trip_by_name() {
        for p in [
            Platform::SecretService,
            Platform::Keyutils,
            Platform::MacosKeychain,
            Platform::WindowsCredentialManager,
        ] {
            assert_eq!(Platform::from_name(p.name()).unwrap(), p);
        }
        assert!(Platform::from_name("nope").is_err());
    }
}
