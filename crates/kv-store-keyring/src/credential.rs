//! One `keyring` credential per entry, built for the chosen [`Platform`].

use keyring::Entry as KeyringEntry;
use kv_core::{Error, Result};

use crate::platform::Platform;

/// The keyring entry of `(service, user)` on `platform`, in the encoding Python's `keyring`
/// library uses where the store is shared with it.
pub(crate) fn entry(platform: Platform, service: &str, user: &str) -> Result<KeyringEntry> {
    let unavailable = || {
        Error::setup(format!(
            "the {platform} credential store is not available on this platform"
        ))
    };
    let credential: Box<keyring::Credential> = match platform {
        #[cfg(target_os = "linux")]
        Platform::SecretService => Box::new(crate::secret_service::python_compatible(service, user)?),
        #[cfg(target_os = "linux")]
        Platform::Keyutils => Box::new(
            keyring::keyutils::KeyutilsCredential::new_with_target(None, service, user)
                .map_err(crate::error::from_keyring)?,
        ),
        #[cfg(target_os = "macos")]
        Platform::MacosKeychain => Box::new(
            keyring::macos::MacCredential::new_with_target(None, service, user)
                .map_err(crate::error::from_keyring)?,
        ),
        #[cfg(windows)]
        Platform::WindowsCredentialManager => {
            return crate::windows::entry(service, user);
        }
        #[allow(unreachable_patterns)]
        _ => return Err(unavailable()),
    };
    Ok(KeyringEntry::new_with_credential(credential))
}
