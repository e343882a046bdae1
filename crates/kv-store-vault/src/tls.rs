//! The rustls crypto provider: ring, installed process-wide once unless the application
//! installed one already (reqwest is built without a default provider).

use std::sync::Once;

/// Installs rustls's ring provider as the process default if none is installed yet.
pub(crate) fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: a provider is installed either way.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}
