//! Secret Service items exactly as Python's `keyring` (SecretService backend) handles them:
//! in the default collection, attributes `service`, `username` and
//! `application = "Python keyring library"`, label `Password for '<user>' on '<service>'`,
//! found by `{service, username}` only. Python's `create_item(replace=True)` therefore replaces
//! items written here and the other way round.

use std::collections::HashMap;
use std::sync::Mutex;

use kv_core::{Error, ErrorKind, Result};
use secret_service::blocking::{Collection, SecretService};
use secret_service::EncryptionType;

/// Python `keyring`'s `appid` attribute value.
pub(crate) const PYTHON_APPLICATION: &str = "Python keyring library";

fn from_ss(err: secret_service::Error) -> Error {
    let (kind, message) = match &err {
        secret_service::Error::Unavailable | secret_service::Error::Zbus(_) => (
            ErrorKind::Connection,
            "cannot reach the Secret Service on the session bus (DBUS_SESSION_BUS_ADDRESS)",
        ),
        secret_service::Error::Locked | secret_service::Error::Prompt => (
            ErrorKind::Setup,
            "the Secret Service collection is locked and needs an interactive unlock",
        ),
        _ => (
            ErrorKind::Backend { transient: false },
            "the Secret Service failed",
        ),
    };
    Error::new(kind, message).with_source(err)
}

/// One session shared by a store's calls (connecting costs a D-Bus connection and a
/// Diffie-Hellman exchange); dropped after a connection error so the next call reconnects.
#[derive(Default)]
pub(crate) struct SessionCache(Mutex<Option<Session>>);

impl SessionCache {
    /// Runs `op` on the cached session, connecting first if needed.
    pub(crate) fn with<T>(&self, op: impl FnOnce(&Session) -> Result<T>) -> Result<T> {
        let mut guard = match self.0.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let session = match guard.take() {
            Some(session) => session,
            None => Session::connect()?,
        };
        let result = op(&session);
        let broken = matches!(&result, Err(e) if e.kind() == &ErrorKind::Connection);
        if !broken {
            *guard = Some(session);
        }
        result
    }
}

impl Drop for SessionCache {
    /// zbus's blocking connection blocks on its executor when dropped, which panics on a
    /// runtime thread (where stores are usually dropped): drop it on a thread of its own.
    fn drop(&mut self) {
        let session = match self.0.get_mut() {
            Ok(slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(session) = session {
            std::thread::spawn(move || drop(session));
        }
    }
}

/// One blocking Secret Service session (a D-Bus connection with an encrypted session).
pub(crate) struct Session(SecretService<'static>);

impl Session {
    pub(crate) fn connect() -> Result<Session> {
        SecretService::connect(EncryptionType::Dh)
            .map(Session)
            .map_err(from_ss)
    }

    fn collection(&self) -> Result<Collection<'_>> {
        let collection = self.0.get_default_collection().map_err(from_ss)?;
        if collection.is_locked().map_err(from_ss)? {
            collection.unlock().map_err(from_ss)?;
        }
        Ok(collection)
    }

    /// The secret of the first item matching `{service, username}` (as Python reads it).
    pub(crate) fn get(&self, service: &str, user: &str) -> Result<Option<Vec<u8>>> {
        let collection = self.collection()?;
        let items = collection
            .search_items(HashMap::from([("service", service), ("username", user)]))
            .map_err(from_ss)?;
        let Some(item) = items.first() else {
            return Ok(None);
        };
        if item.is_locked().map_err(from_ss)? {
            item.unlock().map_err(from_ss)?;
        }
        item.get_secret().map(Some).map_err(from_ss)
    }

    /// Creates or replaces the item.
    pub(crate) fn set(&self, service: &str, user: &str, secret: &[u8]) -> Result<()> {
        let collection = self.collection()?;
        let label = format!("Password for '{user}' on '{service}'");
        let attributes = HashMap::from([
            ("application", PYTHON_APPLICATION),
            ("service", service),
            ("username", user),
        ]);
        collection
            .create_item(&label, attributes, secret, true, "text/plain")
            .map(|_| ())
            .map_err(from_ss)
    }

    /// Deletes every item matching `{service, username}`; `true` if there was one.
    pub(crate) fn delete(&self, service: &str, user: &str) -> Result<bool> {
        let collection = self.collection()?;
        let items = collection
            .search_items(HashMap::from([("service", service), ("username", user)]))
            .map_err(from_ss)?;
        for item in &items {
            item.delete().map_err(from_ss)?;
        }
        Ok(!items.is_empty())
    }
}
