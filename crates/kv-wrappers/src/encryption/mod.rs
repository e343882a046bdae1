//! Encryption: py-key-value's encryption wrapper payloads, with a Fernet scheme.

mod fernet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use kv_core::{Error, ErrorKind, Object, Result};
use serde_json::Value;

pub use fernet::{Fernet, FernetKey, FERNET_ENCRYPTION_VERSION, KDF_ITERATIONS};

use crate::compact::{parse_object, to_compact_json};
use crate::value_codec::{ValueCodec, ValueCodecStore};

const DATA: &str = "__encrypted_data__";
const VERSION: &str = "__encryption_version__";

/// A byte-level encryption scheme for [`Encryption`].
pub trait EncryptionScheme: Send + Sync {
    /// The version written into `__encryption_version__`; newer versions are rejected on read.
    fn version(&self) -> i64;
    /// Encrypts the compact JSON bytes of a value.
    fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>>;
    /// Decrypts bytes written with `version` (at most [`version`](Self::version)).
    fn decrypt(&self, ciphertext: &[u8], version: i64) -> Result<Vec<u8>>;
}

/// The codec of [`Encryption`]: the scheme and the error policy.
pub struct EncryptionCodec<E> {
    scheme: E,
    raise_on_decryption_error: bool,
}

/// Encrypts every written value into
/// `{"__encrypted_data__": base64(scheme.encrypt(compact JSON)), "__encryption_version__": v}`
/// and decrypts on read; values without `__encrypted_data__` pass through (plaintext).
///
/// On read, missing or ill-typed fields are [`CorruptedData`](ErrorKind::CorruptedData), a
/// version newer than the scheme's is [`EncryptionVersion`](ErrorKind::EncryptionVersion), and
/// any base64/decrypt/UTF-8/JSON failure (a wrong key included) is
/// [`Decryption`](ErrorKind::Decryption). With `raise_on_decryption_error(false)` each of these
/// makes the entry read as missing.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::sync::Arc;
/// use kv_core::{KeyValue, Object};
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::{Encryption, FernetKey};
///
/// let key = FernetKey::from_base64("znx7rVYt4roVgu3ymt5sIYFmfMNGEPbm8AShXQv6CY4=")?;
/// let inner = Arc::new(MemoryStore::new());
/// let store = Encryption::fernet(Arc::clone(&inner), vec![key])?;
/// let mut value = Object::new();
/// value.insert("card".into(), "4111".into());
/// store.put(None, "k", value.clone(), None).await?;
/// assert!(inner.get(None, "k").await?.unwrap().contains_key("__encrypted_data__"));
/// assert_eq!(store.get(None, "k").await?, Some(value));
/// # Ok(()) }
/// ```
pub type Encryption<S, E = Fernet> = ValueCodecStore<EncryptionCodec<E>, S>;

impl<S> ValueCodecStore<EncryptionCodec<Fernet>, S> {
    /// Fernet with `keys` (first encrypts, all decrypt: rotation).
    pub fn fernet(inner: S, keys: Vec<FernetKey>) -> Result<Self> {
        Ok(Self::with_scheme(inner, Fernet::new(keys)?))
    }

    /// Fernet with py-key-value's passphrase key (PBKDF2-HMAC-SHA256, 1 200 000 iterations).
    pub fn from_passphrase(inner: S, source_material: &str, salt: &str) -> Result<Self> {
        Self::fernet(
            inner,
            vec![FernetKey::from_passphrase(source_material, salt)?],
        )
    }
}

impl<E, S> ValueCodecStore<EncryptionCodec<E>, S> {
    /// Encryption with any scheme; raises on decryption errors.
    pub fn with_scheme(inner: S, scheme: E) -> Self {
        ValueCodecStore::with_codec(
            inner,
            EncryptionCodec {
                scheme,
                raise_on_decryption_error: true,
            },
        )
    }

    /// With `false`, undecryptable values read as missing instead of raising.
    pub fn raise_on_decryption_error(mut self, raise: bool) -> Self {
        self.codec.raise_on_decryption_error = raise;
        self
    }
}

impl<E: EncryptionScheme> EncryptionCodec<E> {
    fn decrypt_marker(&self, stored: &Object) -> Result<Object> {
        let version = match stored.get(VERSION) {
            None => {
                return Err(Error::new(
                    ErrorKind::CorruptedData,
                    "missing __encryption_version__",
                ))
            }
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.as_i64().unwrap_or(i64::MAX),
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::CorruptedData,
                    "__encryption_version__ is not an integer",
                ))
            }
        };
        let Some(Value::String(data)) = stored.get(DATA) else {
            return Err(Error::new(
                ErrorKind::CorruptedData,
                "__encrypted_data__ is not a string",
            ));
        };
        let supported = self.scheme.version();
        if version > supported {
            return Err(Error::new(
                ErrorKind::EncryptionVersion {
                    found: version,
                    supported,
                },
                "payload written with a newer encryption version",
            ));
        }
        let failed = |why: &str| {
            Error::new(
                ErrorKind::Decryption,
                format!("failed to decrypt value: {why}"),
            )
        };
        let bytes = STANDARD
            .decode(data.as_bytes())
            .map_err(|_| failed("invalid base64"))?;
        let plaintext = self
            .scheme
            .decrypt(&bytes, version)
            .map_err(|e| failed(e.message()))?;
        if std::str::from_utf8(&plaintext).is_err() {
            return Err(failed("not UTF-8"));
        }
        parse_object(&plaintext).ok_or_else(|| failed("not a JSON object"))
    }
}

impl<E: EncryptionScheme> ValueCodec for EncryptionCodec<E> {
    fn encode(&self, value: Object) -> Result<Object> {
        let json = to_compact_json(&value);
        let encrypted = self.scheme.encrypt(json.as_bytes()).map_err(|e| {
            Error::new(
                ErrorKind::Encryption,
                format!("failed to encrypt value: {}", e.message()),
            )
        })?;
        let mut out = Object::new();
        out.insert(DATA.into(), Value::String(STANDARD.encode(encrypted)));
        out.insert(VERSION.into(), Value::from(self.scheme.version()));
        Ok(out)
    }

    fn decode(&self, stored: Object) -> Result<Option<Object>> {
        if !stored.contains_key(DATA) {
            return Ok(Some(stored));
        }
        match self.decrypt_marker(&stored) {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.raise_on_decryption_error => Err(e),
            Err(_) => Ok(None),
        }
    }
}
