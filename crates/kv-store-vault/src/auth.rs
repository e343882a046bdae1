//! Credentials: a token or an AppRole, kept out of `Debug`, errors and logs.

use std::fmt;

/// A credential string (a Vault token or an AppRole secret ID) that never prints.
///
/// `Debug` and `Display` show `<redacted>`; the only way to read it is [`Secret::expose`].
///
/// ```
/// use kv_store_vault::Secret;
/// let token = Secret::new("s.very-secret");
/// assert_eq!(format!("{token:?}"), "Secret(<redacted>)");
/// assert_eq!(token.expose(), "s.very-secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for sending it to the server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How the store authenticates to Vault.
///
/// ```
/// use kv_store_vault::Auth;
/// let auth = Auth::app_role("my-role-id", "my-secret-id");
/// assert!(!format!("{auth:?}").contains("my-secret-id"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// A Vault token sent as `X-Vault-Token` on every request.
    Token(Secret),
    /// AppRole: `POST /v1/auth/<mount>/login` with the role ID and secret ID when the store is
    /// set up, and again when the server answers 403 (the token expired).
    AppRole {
        /// Where the AppRole auth method is mounted (default `approle`).
        mount: String,
        /// The role ID (not secret, but not printed either).
        role_id: String,
        /// The secret ID.
        secret_id: Secret,
    },
}

impl Auth {
    /// Token authentication.
    pub fn token(token: impl Into<Secret>) -> Self {
        Auth::Token(token.into())
    }

    /// AppRole authentication on the default `approle` mount.
    pub fn app_role(role_id: impl Into<String>, secret_id: impl Into<Secret>) -> Self {
        Auth::AppRole {
            mount: "approle".to_owned(),
            role_id: role_id.into(),
            secret_id: secret_id.into(),
        }
    }

    /// AppRole authentication on a custom auth mount.
    pub fn app_role_at(
        mount: impl Into<String>,
        role_id: impl Into<String>,
        secret_id: impl Into<Secret>,
    ) -> Self {
        Auth::AppRole {
            mount: mount.into(),
            role_id: role_id.into(),
            secret_id: secret_id.into(),
        }
    }

    pub(crate) fn is_app_role(&self) -> bool {
        matches!(self, Auth::AppRole { .. })
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Token(_) => f.write_str("Token(<redacted>)"),
            Auth::AppRole { mount, .. } => f
                .debug_struct("AppRole")
                .field("mount", mount)
                .field("role_id", &"<redacted>")
                .field("secret_id", &"<redacted>")
                .finish(),
        }
    }
}

/// Whether a token can be sent as an HTTP header value (vaultrs would panic otherwise).
pub(crate) fn valid_header_value(token: &str) -> bool {
    token
        .bytes()
        .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}
