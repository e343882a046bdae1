//! [`Platform`]: which credential store holds the entries, chosen explicitly.

use std::fmt;

use kv_core::{Error, Result};

/// A credential store of the operating system.
///
/// Only the stores of the platform the crate is built for are available
/// ([`Platform::is_available`]); building a store for another one is a `Setup` error.
///
/// ```
/// use kv_store_keyring::Platform;
/// let platform = Platform::native();
/// assert!(platform.map_or(true, |p| p.is_available()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Platform {
    /// Linux: the freedesktop Secret Service over D-Bus (gnome-keyring, KWallet), default
    /// collection, item attributes exactly as Python's `keyring` writes them. Shared with
    /// py-key-value.
    SecretService,
    /// Linux: the kernel keyutils session keyring (`keyring-rs:user@service`). Not shared with
    /// py-key-value; entries live as long as the session keyring.
    Keyutils,
    /// macOS: a generic password in the user's Keychain (service, account).
    MacosKeychain,
    /// Windows: a generic credential in the Credential Manager (blob of at most 2 560 bytes).
    WindowsCredentialManager,
}

impl Platform {
    /// The store py-key-value uses on this OS: Secret Service on Linux, the Keychain on macOS,
    /// the Credential Manager on Windows; `None` elsewhere.
    pub fn native() -> Option<Platform> {
        if cfg!(target_os = "linux") {
            Some(Platform::SecretService)
        } else if cfg!(target_os = "macos") {
            Some(Platform::MacosKeychain)
        } else if cfg!(windows) {
            Some(Platform::WindowsCredentialManager)
        } else {
            None
        }
    }

    /// Whether this build can use the store.
    pub fn is_available(self) -> bool {
        match self {
            Platform::SecretService | Platform::Keyutils => cfg!(target_os = "linux"),
            Platform::MacosKeychain => cfg!(target_os = "macos"),
            Platform::WindowsCredentialManager => cfg!(windows),
        }
    }

    /// A short name (`secret-service`, `keyutils`, `macos-keychain`, `windows-credential-manager`).
    pub fn name(self) -> &'static str {
        match self {
            Platform::SecretService => "secret-service",
            Platform::Keyutils => "keyutils",
            Platform::MacosKeychain => "macos-keychain",
            Platform::WindowsCredentialManager => "windows-credential-manager",
        }
    }

    /// Parses a [`name`](Platform::name) (as in `KV_TEST_KEYRING`).
    pub fn from_name(name: &str) -> Result<Platform> {
        [
            Platform::SecretService,
            Platform::Keyutils,
            Platform::MacosKeychain,
            Platform::WindowsCredentialManager,
        ]
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| Error::setup(format!("unknown keyring platform '{name}'")))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
