//! [`WindowsRegistryBackend`]: the raw entry operations on registry keys and values.

use std::borrow::Cow;

use async_trait::async_trait;
use kv_core::codec::envelope;
use kv_core::sanitize::SanitizationStrategy;
use kv_core::{Backend, Entry, Error, ErrorKind, Name, Result, Stability, Timestamp};
use windows_registry::{Key, Type, CURRENT_USER, LOCAL_MACHINE};

/// The registry path used when none is given (py-key-value's default).
pub const DEFAULT_REGISTRY_PATH: &str = r"Software\py-key-value";
/// Longest registry key name (one path component).
const MAX_KEY_NAME: usize = 255;
/// Longest registry value name.
const MAX_VALUE_NAME: usize = 16_383;
/// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`.
const NOT_FOUND: i32 = 0x8007_0002_u32 as i32;
/// `HRESULT_FROM_WIN32(ERROR_MORE_DATA)`: the value grew between sizing the buffer and reading.
const MORE_DATA: i32 = 0x8007_00EA_u32 as i32;
/// Reads of a value that a concurrent writer keeps growing, before giving up.
const READ_ATTEMPTS: usize = 16;

/// The registry hive holding the store.
///
/// ```
/// assert_eq!(kv_store_windows_registry::Hive::default(), kv_store_windows_registry::Hive::CurrentUser);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hive {
    /// `HKEY_CURRENT_USER` (the default).
    #[default]
    CurrentUser,
    /// `HKEY_LOCAL_MACHINE` (needs administrator rights to write).
    LocalMachine,
}

impl Hive {
    fn root(self) -> &'static Key {
        match self {
            Hive::CurrentUser => CURRENT_USER,
            Hive::LocalMachine => LOCAL_MACHINE,
        }
    }
}

/// The registry [`Backend`]: key `<path>\<collection>`, value `<key>` of type `REG_SZ`.
/// Use it through [`WindowsRegistryStore`](crate::WindowsRegistryStore).
#[derive(Debug)]
pub struct WindowsRegistryBackend {
    pub(crate) hive: Hive,
    pub(crate) path: String,
}

/// A registry failure, with the system's message.
fn failed(message: String) -> Error {
    Error::backend(false, format!("registry call failed: {message}"))
}

/// Whether an error's HRESULT is `ERROR_FILE_NOT_FOUND` (missing key or value).
fn is_not_found(code: i32) -> bool {
    code == NOT_FOUND
}

/// A collection must be one registry key name: 1 to 255 characters, no `\`.
fn check_collection(collection: &str) -> Result<()> {
    if collection.is_empty()
        || collection.chars().count() > MAX_KEY_NAME
        || collection.contains('\\')
    {
        return Err(Error::invalid_key(format!(
            "a registry key name must be 1 to {MAX_KEY_NAME} characters without '\\'"
        )));
    }
    Ok(())
}

/// The collection strategy without V1 sanitization: names are kept as given, and one that
/// cannot be a registry key name is an `InvalidKey` error before any registry call.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RegistryKeyNames;

impl SanitizationStrategy for RegistryKeyNames {
    fn validate(&self, value: &str) -> Result<()> {
        check_collection(value)
    }

    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(value)
    }
}

fn check_names(collection: &Name<'_>, key: &Name<'_>) -> Result<()> {
    check_collection(collection.as_str())?;
    if key.as_str().chars().count() > MAX_VALUE_NAME {
        return Err(Error::invalid_key(format!(
            "a registry value name holds at most {MAX_VALUE_NAME} characters"
        )));
    }
    Ok(())
}

impl WindowsRegistryBackend {
    fn collection_path(&self, collection: &Name<'_>) -> String {
        format!(r"{}\{}", self.path, collection.as_str())
    }

    async fn blocking<T: Send + 'static>(
        &self,
        op: impl FnOnce(&'static Key) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        // `Key` holds a raw handle (not Send): resolve the hive on the blocking thread.
        let hive = self.hive;
        tokio::task::spawn_blocking(move || op(hive.root()))
            .await
            .map_err(|e| Error::backend(false, "registry call did not complete").with_source(e))?
    }

    async fn read(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        check_names(collection, key)?;
        let (path, name) = (self.collection_path(collection), key.as_str().to_owned());
        let doc = self
            .blocking(move |root| {
                let k = match root.open(&path) {
                    Ok(k) => k,
                    Err(e) if is_not_found(e.code().0) => return Ok(None),
                    Err(e) => return Err(failed(e.message())),
                };
                match k.get_type(&name) {
                    Ok(Type::String) => {}
                    Ok(_) => {
                        return Err(Error::deserialization("the registry value is not REG_SZ"))
                    }
                    Err(e) if is_not_found(e.code().0) => return Ok(None),
                    Err(e) => return Err(failed(e.message())),
                }
                read_string(&k, &name)
            })
            .await?;
        doc.map(|d| envelope::decode(d.as_bytes())).transpose()
    }
}

/// Reads a `REG_SZ` value, again when a concurrent writer grew it between the size query and
/// the read (`ERROR_MORE_DATA`); a value deleted meanwhile is missing.
fn read_string(key: &Key, name: &str) -> Result<Option<String>> {
    let mut attempt = 0;
    loop {
        match key.get_string(name) {
            Ok(doc) => return Ok(Some(doc)),
            Err(e) if is_not_found(e.code().0) => return Ok(None),
            Err(e) if e.code().0 == MORE_DATA && attempt + 1 < READ_ATTEMPTS => attempt += 1,
            Err(e) => return Err(failed(e.message())),
        }
    }
}

#[async_trait]
impl Backend for WindowsRegistryBackend {
    fn name(&self) -> &'static str {
        "windows-registry"
    }

    fn stability(&self) -> Stability {
        Stability::Unstable
    }

    fn has_collection_setup(&self) -> bool {
        true
    }

    /// Creates `<path>\<collection>` (py-key-value creates it at collection setup).
    async fn setup_collection(&self, collection: &Name<'_>) -> Result<()> {
        let path = self.collection_path(collection);
        self.blocking(move |root| {
            root.create(&path)
                .map(|_| ())
                .map_err(|e| Error::setup(format!("cannot create registry key: {}", e.message())))
        })
        .await
    }

    async fn get_entry(&self, collection: &Name<'_>, key: &Name<'_>) -> Result<Option<Entry>> {
        self.read(collection, key).await
    }

    async fn put_entry(&self, collection: &Name<'_>, key: &Name<'_>, entry: Entry) -> Result<()> {
        check_names(collection, key)?;
        let doc = envelope::encode(&entry, Some((key.given, collection.given)));
        let (path, name) = (self.collection_path(collection), key.as_str().to_owned());
        self.blocking(move |root| {
            let k = root.create(&path).map_err(|e| failed(e.message()))?;
            k.set_string(&name, &doc).map_err(|e| failed(e.message()))
        })
        .await
    }

    async fn delete_entry(
        &self,
        collection: &Name<'_>,
        key: &Name<'_>,
        now: Timestamp,
    ) -> Result<bool> {
        let live = match self.read(collection, key).await {
            Ok(None) => return Ok(false),
            Ok(Some(entry)) => entry.is_live(now),
            Err(e) if e.kind() == &ErrorKind::Deserialization => true,
            Err(e) => return Err(e),
        };
        let (path, name) = (self.collection_path(collection), key.as_str().to_owned());
        self.blocking(move |root| {
            let k = match root.create(&path) {
                Ok(k) => k,
                Err(e) => return Err(failed(e.message())),
            };
            match k.remove_value(&name) {
                Ok(()) => Ok(()),
                Err(e) if is_not_found(e.code().0) => Ok(()),
                Err(e) => Err(failed(e.message())),
            }
        })
        .await?;
        Ok(live)
    }
}
