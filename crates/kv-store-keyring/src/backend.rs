//! [`KeyringBackend`]: the raw entry operations, each on a blocking thread.

use async_trait::async_trait;
use kv_core::codec::envelope;
use kv_core::{Backend, Entry, Error, Name, Result, Stability, Timestamp};

use std::sync::Arc;

use crate::credential::{self, Handles};
use crate::error::from_join;
use crate::platform::Platform;

/// The Windows Credential Manager's blob limit in bytes (UTF-16: 1 280 code units).
pub const WINDOWS_MAX_SECRET_BYTES: usize = 2560;

/// The keyring [`Backend`]: service name, user name `collection::key`, secret the envelope.
/// Use it through [`KeyringStore`](crate::KeyringStore).
#[derive(Debug)]
pub struct KeyringBackend {
    pub(crate) platform: Platform,
    pub(crate) service: String,
    pub(crate) handles: Arc<Handles>,
}

/// `{Cs}::{Ks}`: both names as stored (after sanitization). A NUL cannot cross D-Bus, the
/// kernel or the Win32 API (C strings): `InvalidKey`.
fn user_name(collection: &Name<'_>, key: &Name<'_>) -> Result<String> {
    let user = kv_core::compound_key(collection.as_str(), key.as_str());
    if user.contains('\0') {
        return Err(Error::invalid_key(
            "credential stores cannot hold a NUL character in a user name",
        ));
    }
    Ok(user)
}

/// Windows stores the secret as UTF-16: more than 1 280 code units does not fit.
pub(crate) fn check_size(platform: Platform, doc: &str) -> Result<()> {
    if platform == Platform::WindowsCredentialManager {
        let bytes = doc.encode_utf16().count() * 2;
        if bytes > WINDOWS_MAX_SECRET_BYTES {
            return Err(Error::new(
                kv_core::ErrorKind::ValueTooLarge,
                format!(
                    "the entry is {bytes} bytes as UTF-16; the Windows Credential Manager holds at most {WINDOWS_MAX_SECRET_BYTES}"
                ),
            ));
        }
    }
    Ok(())
}

impl KeyringBackend {
    /// Runs `op(platform, service)` on a blocking thread: keyring calls block, and the
    /// Secret Service client must not run on a runtime worker.
    async fn blocking<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Handles, Platform, &str) -> Result<T> + Send + 'static,
    {
        let (platform, service) = (self.platform, self.service.clone());
        let handles = self.handles.clone();
        tokio::task::spawn_blocking(move || op(&handles, platform, &service))
            .await
            .map_err(from_join)?
    }

    async fn read(&self, user: String) -> Result<Option<Entry>> {
        let secret = self
            .blocking(move |h, p, s| credential::get(h, p, s, &user))
            .await?;
        secret.map(|s| envelope::decode(&s)).transpose()
    }
}

#[async_trait]
impl Backend for KeyringBackend {
    fn name(&self) -> &'static str {
        "keyring"
    }

    fn stability(&self) -> Stability {
        Stability::Unstable
    }

    /// keyutils reports a denied keyring as a missing key: a process without a session keyring
    /// of its own would read nothing and fail every write with a misleading message. One write
    /// and delete of a probe credential (a user name without `::`, so never an entry) turns
    /// that into a clear setup error.
    async fn setup(&self) -> Result<()> {
        if self.platform != Platform::Keyutils {
            return Ok(());
        }
        self.blocking(credential::probe).await
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        self.read(user_name(collection, key)?).await
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        let doc = envelope::encode(&entry, Some((key.given, collection.given)));
        check_size(self.platform, &doc)?;
        let user = user_name(collection, key)?;
        self.blocking(move |h, p, s| credential::set(h, p, s, &user, doc.as_bytes()))
            .await
    }

    /// Reads first (only a live entry counts), then deletes. A corrupted entry is removed too
    /// and counts as live.
    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let user = user_name(collection, key)?;
        let live = match self.read(user.clone()).await {
            Ok(None) => return Ok(false),
            Ok(Some(entry)) => entry.is_live(now),
            Err(e) if e.kind() == &kv_core::ErrorKind::Deserialization => true,
            Err(e) => return Err(e),
        };
        self.blocking(move |h, p, s| credential::delete(h, p, s, &user))
            .await?;
        Ok(live)
    }
}
