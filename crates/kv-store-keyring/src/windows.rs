//! Windows Credential Manager entries as Python's `keyring` (WinVaultKeyring) addresses them.

use keyring::windows::WinCredential;
use kv_core::Result;

use crate::error::from_keyring;

/// Python's lookup order: the credential whose `TargetName` is the service if its `UserName`
/// is `user`, else `user@service` (where new entries are written).
pub(crate) fn credential(service: &str, user: &str) -> Result<Box<keyring::Credential>> {
    let by_service =
        WinCredential::new_with_target(Some(service), service, user).map_err(from_keyring)?;
    if let Ok(found) = by_service.get_credential() {
        if found.username == user {
            return Ok(Box::new(by_service));
        }
    }
    let target = format!("{user}@{service}");
    let credential =
        WinCredential::new_with_target(Some(&target), service, user).map_err(from_keyring)?;
    Ok(Box::new(credential))
}
