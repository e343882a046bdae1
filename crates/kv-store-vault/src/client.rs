//! The vaultrs client behind the store: built once, re-authenticated with AppRole on demand.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use kv_core::{Error, Result};
use vaultrs::client::{Client as _, VaultClient, VaultClientSettingsBuilder};
use vaultrs::error::ClientError;

use crate::auth::Auth;
use crate::error::{from_login, from_vault, is_forbidden};

/// Connection settings (the credential lives in [`Auth`]).
#[derive(Clone)]
pub(crate) struct ClientConfig {
    pub address: String,
    pub namespace: Option<String>,
    pub timeout: Duration,
    pub auth: Auth,
}

/// A shared vaultrs client; with AppRole, replaced by a fresh login when a token expires.
pub(crate) struct Connection {
    config: ClientConfig,
    client: RwLock<Arc<VaultClient>>,
}

fn build(config: &ClientConfig, token: &str) -> Result<VaultClient> {
    crate::tls::install_crypto_provider();
    let mut settings = VaultClientSettingsBuilder::default();
    settings
        .address(config.address.as_str())
        .token(token)
        .timeout(Some(config.timeout))
        .verify(true);
    if let Some(namespace) = &config.namespace {
        settings.set_namespace(namespace.clone());
    }
    let settings = settings
        .build()
        .map_err(|e| Error::setup(format!("invalid Vault client settings: {e}")))?;
    VaultClient::new(settings).map_err(|e| {
        Error::setup("cannot build the Vault HTTP client (check the address)").with_source(e)
    })
}

impl Connection {
    /// A connection; with a token no I/O happens, with AppRole the login waits for [`login`].
    ///
    /// [`login`]: Connection::login
    pub(crate) fn new(config: ClientConfig) -> Result<Connection> {
        let token = match &config.auth {
            Auth::Token(token) => token.expose().to_owned(),
            Auth::AppRole { .. } => String::new(),
        };
        let client = build(&config, &token)?;
        Ok(Connection {
            config,
            client: RwLock::new(Arc::new(client)),
        })
    }

    /// The current client.
    pub(crate) fn client(&self) -> Arc<VaultClient> {
        match self.client.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Logs in with AppRole (no-op for token auth) and installs the new token.
    pub(crate) async fn login(&self) -> Result<()> {
        let Auth::AppRole {
            mount,
            role_id,
            secret_id,
        } = &self.config.auth
        else {
            return Ok(());
        };
        let anonymous = self.client();
        let info =
            vaultrs::auth::approle::login(anonymous.as_ref(), mount, role_id, secret_id.expose())
                .await
                .map_err(from_login)?;
        if !crate::auth::valid_header_value(&info.client_token) {
            return Err(Error::setup(
                "AppRole login returned a token that is not a valid header value",
            ));
        }
        let mut fresh = build(&self.config, "")?;
        fresh.set_token(&info.client_token);
        match self.client.write() {
            Ok(mut guard) => *guard = Arc::new(fresh),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(fresh),
        }
        Ok(())
    }

    /// Runs `call` on the current client; with AppRole, a 403 triggers one new login and one retry.
    pub(crate) async fn run<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn(Arc<VaultClient>) -> Fut,
        Fut: Future<Output = std::result::Result<T, ClientError>>,
    {
        match call(self.client()).await {
            Err(err) if is_forbidden(&err) && self.config.auth.is_app_role() => {
                self.login().await?;
                call(self.client()).await.map_err(from_vault)
            }
            other => other.map_err(from_vault),
        }
    }

    /// Like [`run`](Connection::run), but a 404 is `Ok(None)`.
    pub(crate) async fn run_opt<T, F, Fut>(&self, call: F) -> Result<Option<T>>
    where
        F: Fn(Arc<VaultClient>) -> Fut,
        Fut: Future<Output = std::result::Result<T, ClientError>>,
    {
        self.run(|client| {
            let fut = call(client);
            async move {
                match fut.await {
                    Ok(value) => Ok(Some(value)),
                    Err(err) if crate::error::is_not_found(&err) => Ok(None),
                    Err(err) => Err(err),
                }
            }
        })
        .await
    }
}
