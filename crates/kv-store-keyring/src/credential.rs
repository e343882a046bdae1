//! The item of one entry on the chosen [`Platform`]: raw get / set / delete, blocking.

use kv_core::{Error, Result};

use crate::error::from_keyring;
use crate::platform::Platform;

/// Connections a store keeps between calls (the Secret Service session on Linux).
#[derive(Default)]
pub(crate) struct Handles {
    #[cfg(target_os = "linux")]
    secret_service: crate::secret_service::SessionCache,
}

impl std::fmt::Debug for Handles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handles")
    }
}

/// Reads the secret of `(service, user)`; `None` when there is none.
pub(crate) fn get(
    handles: &Handles,
    platform: Platform,
    service: &str,
    user: &str,
) -> Result<Option<Vec<u8>>> {
    #[cfg(target_os = "linux")]
    if platform == Platform::SecretService {
        return handles.secret_service.with(|s| s.get(service, user));
    }
    let _ = handles;
    match keyring_entry(platform, service, user)?.get_secret() {
        Ok(secret) => Ok(Some(secret)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(from_keyring(e)),
    }
}

/// Creates or replaces the secret of `(service, user)`.
pub(crate) fn set(
    handles: &Handles,
    platform: Platform,
    service: &str,
    user: &str,
    secret: &[u8],
) -> Result<()> {
    #[cfg(target_os = "linux")]
    if platform == Platform::SecretService {
        return handles
            .secret_service
            .with(|s| s.set(service, user, secret));
    }
    let _ = handles;
    let entry = keyring_entry(platform, service, user)?;
    // Text where the platform stores text (Windows: UTF-16), so Python reads it back.
    let write = || match std::str::from_utf8(secret) {
        Ok(text) => entry.set_password(text),
        Err(_) => entry.set_secret(secret),
    };
    // keyutils adds the key to the session keyring, then links it to the persistent one: a
    // delete of the same entry between the two makes the link report a missing key. Writing
    // again settles it (the delete came first); a keyring that refuses every write (reported
    // as a missing key too) still fails after the attempts.
    let mut attempt = 1;
    loop {
        match write() {
            Err(keyring::Error::NoEntry) if attempt < WRITE_ATTEMPTS => {
                attempt += 1;
                // Let the racing delete finish before writing again.
                std::thread::yield_now();
            }
            result => return result.map_err(from_keyring),
        }
    }
}

/// Writes tried before a "missing key" answer to a write is taken as a refusal (a refusal
/// costs that many failed system calls; 3 was too few for 16 writers racing deletes of one
/// entry on a loaded machine).
const WRITE_ATTEMPTS: u32 = 16;

/// Deletes the secret of `(service, user)`; `true` if there was one.
pub(crate) fn delete(
    handles: &Handles,
    platform: Platform,
    service: &str,
    user: &str,
) -> Result<bool> {
    #[cfg(target_os = "linux")]
    if platform == Platform::SecretService {
        return handles.secret_service.with(|s| s.delete(service, user));
    }
    let _ = handles;
    match keyring_entry(platform, service, user)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(from_keyring(e)),
    }
}

/// Writes and deletes a probe credential: `Setup` when the platform refuses (keyutils without
/// a session keyring reports every key as missing).
pub(crate) fn probe(handles: &Handles, platform: Platform, service: &str) -> Result<()> {
    let _ = handles;
    // One probe name per call: concurrent setups sharing a name delete each other's probe
    // between its write and its link to the persistent keyring, which reads as a refusal.
    static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let probe = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let user = format!("kv-setup-probe-{}-{probe}", std::process::id());
    let entry = keyring_entry(platform, service, &user)?;
    match entry.set_password("probe") {
        Ok(()) => {
            let _ = entry.delete_credential();
            Ok(())
        }
        Err(keyring::Error::NoEntry) => Err(Error::setup(format!(
            "the {platform} keyring refused a write (it reports access denied as a missing key): \
             run the program inside a session keyring of its own, e.g. `keyctl session - <command>`"
        ))),
        Err(e) => Err(from_keyring(e)),
    }
}

/// The `keyring` entry of `(service, user)` for the platforms keyring-rs encodes like Python.
fn keyring_entry(platform: Platform, service: &str, user: &str) -> Result<keyring::Entry> {
    let credential: Box<keyring::Credential> = match platform {
        #[cfg(target_os = "linux")]
        Platform::Keyutils => Box::new(
            keyring::keyutils::KeyutilsCredential::new_with_target(None, service, user)
                .map_err(from_keyring)?,
        ),
        #[cfg(target_os = "macos")]
        Platform::MacosKeychain => Box::new(
            keyring::macos::MacCredential::new_with_target(None, service, user)
                .map_err(from_keyring)?,
        ),
        #[cfg(windows)]
        Platform::WindowsCredentialManager => crate::windows::credential(service, user)?,
        #[allow(unreachable_patterns)]
        _ => {
            let _ = (service, user);
            return Err(Error::setup(format!(
                "the {platform} credential store is not available on this platform"
            )));
        }
    };
    Ok(keyring::Entry::new_with_credential(credential))
}
