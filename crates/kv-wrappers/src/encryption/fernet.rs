//! Fernet (spec version 0x80), implemented with RustCrypto: AES-128-CBC + HMAC-SHA256.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use kv_core::{Error, ErrorKind, Result};
use sha2::Sha256;

use super::EncryptionScheme;

type Aes128CbcEnc = cbc::Encryptor<aes::Aes128>;
type Aes128CbcDec = cbc::Decryptor<aes::Aes128>;
type HmacSha256 = Hmac<Sha256>;

/// py-key-value's PBKDF2 iteration count for passphrase-derived keys.
pub const KDF_ITERATIONS: u32 = 1_200_000;

/// The encryption version written by the Fernet wrapper.
pub const FERNET_ENCRYPTION_VERSION: i64 = 1;

/// A 32-byte Fernet key: signing key (first 16 bytes) and AES-128 key (last 16 bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct FernetKey([u8; 32]);

impl std::fmt::Debug for FernetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FernetKey(..)")
    }
}

impl FernetKey {
    /// A key from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        FernetKey(bytes)
    }

    /// A key from its url-safe base64 text (44 characters, as Python's `Fernet.generate_key()`).
    ///
    /// ```
    /// let key = kv_wrappers::FernetKey::from_base64("znx7rVYt4roVgu3ymt5sIYFmfMNGEPbm8AShXQv6CY4=").unwrap();
    /// assert_eq!(key.to_base64(), "znx7rVYt4roVgu3ymt5sIYFmfMNGEPbm8AShXQv6CY4=");
    /// ```
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = URL_SAFE
            .decode(text.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim()))
            .map_err(|e| Error::setup(format!("invalid Fernet key: {e}")))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::setup("a Fernet key must be 32 bytes"))?;
        Ok(FernetKey(bytes))
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::setup(format!("no randomness: {e}")))?;
        Ok(FernetKey(bytes))
    }

    /// py-key-value's passphrase key: PBKDF2-HMAC-SHA256(password = `source_material`,
    /// salt = `salt`, 1 200 000 iterations, 32 bytes). Blank inputs are a `Setup` error.
    /// Slow by design (about a second in release builds): derive once and reuse.
    pub fn from_passphrase(source_material: &str, salt: &str) -> Result<Self> {
        if source_material.trim().is_empty() {
            return Err(Error::setup("source_material must not be blank"));
        }
        if salt.trim().is_empty() {
            return Err(Error::setup("salt must not be blank"));
        }
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(
            source_material.as_bytes(),
            salt.as_bytes(),
            KDF_ITERATIONS,
            &mut out,
        );
        Ok(FernetKey(out))
    }

    /// The url-safe base64 text of the key.
    pub fn to_base64(&self) -> String {
        URL_SAFE.encode(self.0)
    }

    /// The HMAC signing key (first half).
    pub fn signing_key(&self) -> &[u8] {
        &self.0[..16]
    }

    /// The AES-128 encryption key (second half).
    pub fn encryption_key(&self) -> &[u8] {
        &self.0[16..]
    }

    /// The Fernet token (url-safe base64 text) of `plaintext` at `timestamp` with `iv`.
    pub fn encrypt_at(&self, plaintext: &[u8], timestamp: u64, iv: [u8; 16]) -> String {
        let cipher = Aes128CbcEnc::new(self.encryption_key().into(), &iv.into());
        let ciphertext = cipher.encrypt_padded_vec_mut::<Pkcs7>(plaintext);
        let mut token = Vec::with_capacity(1 + 8 + 16 + ciphertext.len() + 32);
        token.push(0x80);
        token.extend_from_slice(&timestamp.to_be_bytes());
        token.extend_from_slice(&iv);
        token.extend_from_slice(&ciphertext);
        let mut mac = self.mac();
        mac.update(&token);
        token.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE.encode(token)
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; 16 bytes cannot fail.
        match <HmacSha256 as Mac>::new_from_slice(self.signing_key()) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }

    /// The plaintext of a Fernet token (token age is not checked).
    pub fn decrypt(&self, token: &[u8]) -> Result<Vec<u8>> {
        let invalid = || Error::new(ErrorKind::Decryption, "invalid Fernet token");
        let raw = URL_SAFE.decode(token).map_err(|_| invalid())?;
        if raw.len() < 1 + 8 + 16 + 16 + 32 || raw[0] != 0x80 {
            return Err(invalid());
        }
        let (signed, tag) = raw.split_at(raw.len() - 32);
        let mut mac = self.mac();
        mac.update(signed);
        mac.verify_slice(tag).map_err(|_| invalid())?;
        let iv: [u8; 16] = signed[9..25].try_into().map_err(|_| invalid())?;
        let ciphertext = &signed[25..];
        if ciphertext.len() % 16 != 0 {
            return Err(invalid());
        }
        Aes128CbcDec::new(self.encryption_key().into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .map_err(|_| invalid())
    }
}

/// Fernet with key rotation (Python's `MultiFernet`): encrypts with the first key, decrypts
/// with any.
#[derive(Debug, Clone)]
pub struct Fernet {
    keys: Vec<FernetKey>,
}

impl Fernet {
    /// One or more keys; the first encrypts. An empty list is a `Setup` error.
    pub fn new(keys: Vec<FernetKey>) -> Result<Self> {
        if keys.is_empty() {
            return Err(Error::setup("Fernet needs at least one key"));
        }
        Ok(Fernet { keys })
    }

    /// The keys, encryption key first.
    pub fn keys(&self) -> &[FernetKey] {
        &self.keys
    }
}

impl EncryptionScheme for Fernet {
    fn version(&self) -> i64 {
        FERNET_ENCRYPTION_VERSION
    }

    fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut iv = [0u8; 16];
        getrandom::fill(&mut iv)
            .map_err(|e| Error::new(ErrorKind::Encryption, format!("no randomness: {e}")))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Ok(self.keys[0].encrypt_at(plaintext, now, iv).into_bytes())
    }

    fn decrypt(&self, ciphertext: &[u8], _version: i64) -> Result<Vec<u8>> {
        let mut last = None;
        for key in &self.keys {
            match key.decrypt(ciphertext) {
                Ok(p) => return Ok(p),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::new(ErrorKind::Decryption, "no key")))
    }
}
