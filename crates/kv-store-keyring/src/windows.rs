//! Windows Credential Manager entries as Python's `keyring` (WinVaultKeyring) addresses them.

use keyring::windows::WinCredential;
use keyring::Entry as KeyringEntry;
use kv_core::Result;

use crate::error::from_keyring;

/// Python's lookup order: the credential whose `TargetName` is the service if its `UserName`
/// is `user`, else `user@service` (where new entries are written).
pub(crate) fn entry(service: &str, user: &str) -> Result<KeyringEntry> {
    let by_service =
        WinCredential::new_with_target(Some(service), service, user).map_err(from_keyring)?;
    if let Ok(found) = by_service.get_credential() {
        if found.username == user {
            return Ok(KeyringEntry::new_with_credential(Box::new(by_service)));
        }
    }
    let target = format!("{user}@{service}");
    let credential =
        WinCredential::new_with_target(Some(&target), service, user).map_err(from_keyring)?;
    Ok(KeyringEntry::new_with_credential(Box::new(credential)))
}
