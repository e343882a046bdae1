//! Secret Service items exactly as Python's `keyring` (SecretService backend) writes them.

use keyring::secret_service::SsCredential;
use kv_core::Result;

/// Python `keyring`'s `appid` attribute value.
pub(crate) const PYTHON_APPLICATION: &str = "Python keyring library";

/// A credential whose item has the attributes `service`, `username` and
/// `application = "Python keyring library"` and the label `Password for '<user>' on '<service>'`,
/// created in the default collection. Lookups find items by `{service, username}` only (keyring's
/// fallback search of the default collection), so items written by Python are found, and
/// Python's `create_item(replace=True)` replaces items written here.
pub(crate) fn python_compatible(service: &str, user: &str) -> Result<SsCredential> {
    let mut credential = SsCredential::new_with_target(Some("default"), service, user)
        .map_err(crate::error::from_keyring)?;
    credential.attributes.remove("target");
    credential
        .attributes
        .insert("application".to_owned(), PYTHON_APPLICATION.to_owned());
    credential.label = format!("Password for '{user}' on '{service}'");
    Ok(credential)
}
