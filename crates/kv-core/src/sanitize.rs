//! Key and collection sanitization strategies, producing exactly py-key-value's names.
//!
//! A store calls [`SanitizationStrategy::validate`] (reject reserved inputs) and then
//! [`SanitizationStrategy::sanitize`]. The `*_v1_*` constructors are fixed parameterisations
//! whose output is part of a backend's naming scheme.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Maps user keys or collections to names a backend can store.
///
/// ```
/// use kv_core::sanitize::{Hybrid, SanitizationStrategy};
/// let strategy = Hybrid::new().allowed_characters(kv_core::sanitize::ALPHANUMERIC);
/// assert_eq!(strategy.sanitize("test::key"), "S_test_key-a2bc4860");
/// assert!(strategy.validate("S_reserved").is_err());
/// ```
pub trait SanitizationStrategy: Send + Sync + fmt::Debug {
    /// Rejects inputs the strategy reserves (`H_`/`S_` prefixes) with `InvalidKey`.
    fn validate(&self, value: &str) -> Result<()> {
        let _ = value;
        Ok(())
    }

    /// The backend name for `value`.
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str>;

    /// True when `sanitize` is the identity and `validate` accepts everything.
    fn is_passthrough(&self) -> bool {
        false
    }
}

/// `a-z A-Z 0-9`.
pub const ALPHANUMERIC: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Lower-case hex SHA-256 of the UTF-8 bytes of `value` (64 characters).
///
/// ```
/// assert_eq!(&kv_core::sanitize::sha256_hex("test")[..8], "9f86d081");
/// ```
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

fn reject_reserved(value: &str) -> Result<()> {
    if value.starts_with("H_") || value.starts_with("S_") {
        Err(Error::invalid_key(format!(
            "names cannot start with the reserved prefixes 'H_' or 'S_': {value:?}"
        )))
    } else {
        Ok(())
    }
}

/// The first `n` characters of `s`, with Python's meaning for negative `n` (drop from the end).
fn py_prefix(s: &str, n: i64) -> &str {
    let count = s.chars().count() as i64;
    let take = if n >= 0 {
        n.min(count)
    } else {
        (count + n).max(0)
    };
    match s.char_indices().nth(take as usize) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}

/// The longest prefix of `s` of at most `max_bytes` UTF-8 bytes on a character boundary.
fn truncate_to_bytes(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Names used as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Passthrough;

impl SanitizationStrategy for Passthrough {
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(value)
    }
    fn is_passthrough(&self) -> bool {
        true
    }
}

/// Every name becomes the first `hash_length` hex characters of its SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct AlwaysHash {
    hash_length: usize,
}

impl AlwaysHash {
    /// A strategy keeping `hash_length` hex characters; `8 < hash_length <= 64` or `Setup` error.
    pub fn new(hash_length: usize) -> Result<Self> {
        if hash_length <= 8 || hash_length > 64 {
            return Err(Error::setup(format!(
                "hash_length must be greater than 8 and at most 64: {hash_length}"
            )));
        }
        Ok(AlwaysHash { hash_length })
    }
}

impl Default for AlwaysHash {
    fn default() -> Self {
        AlwaysHash { hash_length: 64 }
    }
}

impl SanitizationStrategy for AlwaysHash {
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        let mut h = sha256_hex(value);
        h.truncate(self.hash_length);
        Cow::Owned(h)
    }
}

/// Names longer than `max_length` characters become `H_` + their hash.
#[derive(Debug, Clone, Copy)]
pub struct HashExcessLength {
    max_length: usize,
}

impl HashExcessLength {
    /// Hashes names longer than `max_length` characters.
    pub fn new(max_length: usize) -> Self {
        HashExcessLength { max_length }
    }
}

impl Default for HashExcessLength {
    fn default() -> Self {
        HashExcessLength { max_length: 240 }
    }
}

impl SanitizationStrategy for HashExcessLength {
    fn validate(&self, value: &str) -> Result<()> {
        reject_reserved(value)
    }
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        if value.chars().count() > self.max_length {
            let hash = sha256_hex(value);
            Cow::Owned(format!(
                "H_{}",
                py_prefix(&hash, self.max_length as i64 - 2)
            ))
        } else {
            Cow::Borrowed(value)
        }
    }
}

/// When the [`Hybrid`] strategy appends a hash fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashFragmentMode {
    /// Always.
    Always,
    /// Only when the name was changed by character replacement.
    #[default]
    OnlyIfChanged,
    /// Never.
    Never,
}

/// Replaces runs of disallowed characters, prefixes changed names with `S_` and adds a hash fragment.
#[derive(Debug, Clone)]
pub struct Hybrid {
    max_length: usize,
    allowed: Option<String>,
    replacement: String,
    mode: HashFragmentMode,
    fragment_length: usize,
}

impl Default for Hybrid {
    fn default() -> Self {
        Hybrid {
            max_length: 240,
            allowed: None,
            replacement: "_".into(),
            mode: HashFragmentMode::OnlyIfChanged,
            fragment_length: 8,
        }
    }
}

impl Hybrid {
    /// Max 240 characters, every character allowed, replacement `_`, fragment of 8 only if changed.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the maximum length in characters.
    pub fn max_length(mut self, max_length: usize) -> Self {
        self.max_length = max_length;
        self
    }
    /// Sets the allowed characters (`None` or empty: everything allowed).
    pub fn allowed_characters(mut self, allowed: &str) -> Self {
        self.allowed = Some(allowed.to_owned());
        self
    }
    /// Sets the replacement for each run of disallowed characters.
    pub fn replacement(mut self, replacement: &str) -> Self {
        self.replacement = replacement.to_owned();
        self
    }
    /// Sets when the hash fragment is added.
    pub fn mode(mut self, mode: HashFragmentMode) -> Self {
        self.mode = mode;
        self
    }
    /// Sets the hash fragment length.
    pub fn fragment_length(mut self, fragment_length: usize) -> Self {
        self.fragment_length = fragment_length;
        self
    }
}

/// Keeps allowed characters and replaces each run of others by `replace_with`; a result that is a
/// single replacement produced by replacing returns `""` (py-key-value's `sanitize_characters_in_string`).
///
/// ```
/// use kv_core::sanitize::{replace_disallowed, ALPHANUMERIC};
/// assert_eq!(replace_disallowed("a!!!b", ALPHANUMERIC, "_"), "a_b");
/// assert_eq!(replace_disallowed("!!!", ALPHANUMERIC, "_"), "");
/// ```
pub fn replace_disallowed(value: &str, allowed: &str, replace_with: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut last_replaced = false;
    for ch in value.chars() {
        if allowed.contains(ch) {
            out.push(ch);
            last_replaced = false;
        } else if !last_replaced {
            out.push_str(replace_with);
            last_replaced = true;
        }
    }
    if last_replaced && out.chars().count() == 1 {
        return String::new();
    }
    out
}

impl SanitizationStrategy for Hybrid {
    fn validate(&self, value: &str) -> Result<()> {
        reject_reserved(value)
    }

    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        let replaced: Cow<'a, str> = match self.allowed.as_deref() {
            Some(allowed) if !allowed.is_empty() => {
                Cow::Owned(replace_disallowed(value, allowed, &self.replacement))
            }
            _ => Cow::Borrowed(value),
        };
        let mut changed = replaced != value;
        let add_hash = match self.mode {
            HashFragmentMode::Always => true,
            HashFragmentMode::OnlyIfChanged => changed,
            HashFragmentMode::Never => false,
        };
        let max = self.max_length as i64;
        if add_hash {
            let hash = sha256_hex(value);
            let fragment = py_prefix(&hash, self.fragment_length as i64);
            let max_value = max - 3 - self.fragment_length as i64;
            let body = if replaced.chars().count() as i64 > max_value {
                py_prefix(&replaced, max_value)
            } else {
                &replaced
            };
            return Cow::Owned(format!("S_{body}-{fragment}"));
        }
        let mut body: &str = &replaced;
        if body.chars().count() > self.max_length {
            body = py_prefix(body, max);
            changed = true;
        }
        if !changed {
            return replaced;
        }
        if body.chars().count() + 2 > self.max_length {
            body = py_prefix(body, max - 2);
        }
        Cow::Owned(format!("S_{body}"))
    }
}

/// Names longer than `max_bytes` UTF-8 bytes are cut on a character boundary to `max_bytes - 8`
/// bytes and followed by the first 8 hex characters of their hash (py-key-value's S3 strategies).
#[derive(Debug, Clone, Copy)]
pub struct ByteTruncation {
    max_bytes: usize,
}

impl ByteTruncation {
    /// Truncates names longer than `max_bytes` bytes.
    pub fn new(max_bytes: usize) -> Self {
        ByteTruncation { max_bytes }
    }
}

impl Default for ByteTruncation {
    fn default() -> Self {
        ByteTruncation { max_bytes: 500 }
    }
}

impl SanitizationStrategy for ByteTruncation {
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        if value.len() <= self.max_bytes {
            return Cow::Borrowed(value);
        }
        let hash = sha256_hex(value);
        let body = truncate_to_bytes(value, self.max_bytes.saturating_sub(8));
        Cow::Owned(format!("{body}{}", &hash[..8]))
    }
}

/// Firestore document and collection ids (py-key-value 0.5.0 `FirestoreV1*SanitizationStrategy`).
#[derive(Debug, Clone, Copy, Default)]
pub struct FirestoreV1;

impl SanitizationStrategy for FirestoreV1 {
    fn validate(&self, value: &str) -> Result<()> {
        reject_reserved(value)
    }
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        const MAX_BYTES: usize = 1500;
        let reserved = value.len() >= 4 && value.starts_with("__") && value.ends_with("__");
        let needs =
            value.is_empty() || value.contains('/') || value == "." || value == ".." || reserved;
        if value.len() > MAX_BYTES {
            return Cow::Owned(format!("H_{}", sha256_hex(value)));
        }
        if !needs {
            return Cow::Borrowed(value);
        }
        let replaced = value.replace('/', "_");
        let body = truncate_to_bytes(&replaced, MAX_BYTES - (2 + 1 + 64));
        Cow::Owned(format!("S_{body}-{}", sha256_hex(value)))
    }
}

/// Azure Tables partition and row keys (py-key-value 0.5.0 `AzureTablesSanitizationStrategy`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AzureTables;

impl SanitizationStrategy for AzureTables {
    fn validate(&self, value: &str) -> Result<()> {
        reject_reserved(value)
    }
    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        let safe = value.chars().count() <= 256
            && value.chars().all(|c| {
                !matches!(c, '/' | '\\' | '#' | '?')
                    && c >= ' '
                    && !('\u{7f}'..='\u{9f}').contains(&c)
            });
        if safe {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(format!("H_{}", sha256_hex(value)))
        }
    }
}

/// Memcached keys: HashExcessLength(240) applied to the compound `collection::key`.
pub fn memcached_v1_key() -> HashExcessLength {
    HashExcessLength::new(240)
}

/// MongoDB collections: Hybrid(max 200, `ALNUM_`, `_`, only if changed).
pub fn mongodb_v1_collection() -> Hybrid {
    Hybrid::new()
        .max_length(200)
        .allowed_characters(&format!("{ALPHANUMERIC}_"))
}

/// Elasticsearch/OpenSearch document ids: AlwaysHash(64).
pub fn elasticsearch_v1_key() -> AlwaysHash {
    AlwaysHash::default()
}

/// Elasticsearch/OpenSearch index suffixes: Hybrid(max 200, `ALNUM_-.`, `_`, always).
pub fn elasticsearch_v1_collection() -> Hybrid {
    Hybrid::new()
        .max_length(200)
        .allowed_characters(&format!("{ALPHANUMERIC}_-."))
        .mode(HashFragmentMode::Always)
}

/// Keyring user-name parts: Hybrid(max 256, `ALNUM`).
pub fn keyring_v1() -> Hybrid {
    Hybrid::new()
        .max_length(256)
        .allowed_characters(ALPHANUMERIC)
}

/// Windows registry collections: Hybrid(max 96, `ALNUM`).
pub fn windows_registry_v1_collection() -> Hybrid {
    Hybrid::new()
        .max_length(96)
        .allowed_characters(ALPHANUMERIC)
}

/// S3 keys and collections: byte truncation at 500 bytes.
pub fn s3_v1() -> ByteTruncation {
    ByteTruncation::new(500)
}

/// py-key-value's low-level `sanitize_string` helper (suffixes `text-hash` without `S_`).
///
/// Lengths are characters, or UTF-8 bytes with `length_is_bytes`. Errors (`Setup`) for
/// `max_length < 16`, a fragment longer than half of `max_length`, or a fully replaced value in
/// `Never` mode.
#[allow(clippy::too_many_arguments)]
pub fn sanitize_string(
    value: &str,
    max_length: usize,
    allowed: Option<&str>,
    replacement: &str,
    separator: &str,
    mode: HashFragmentMode,
    fragment_length: usize,
    length_is_bytes: bool,
) -> Result<String> {
    if max_length < 16 {
        return Err(Error::setup(
            "max_length must be greater than or equal to 16",
        ));
    }
    if fragment_length > max_length / 2 {
        return Err(Error::setup(
            "hash_fragment_length must be less than or equal to half of max_length",
        ));
    }
    let hash = sha256_hex(value);
    let fragment = py_prefix(&hash, fragment_length as i64);
    let required = if length_is_bytes {
        separator.len() + fragment.len()
    } else {
        separator.chars().count() + fragment.chars().count()
    };
    let sanitized = match allowed {
        Some(a) if !a.is_empty() => replace_disallowed(value, a, replacement),
        _ => value.to_owned(),
    };
    let truncate = |s: &str, n: i64| -> String {
        if length_is_bytes {
            truncate_to_bytes(s, n.max(0) as usize).to_owned()
        } else {
            py_prefix(s, n).to_owned()
        }
    };
    let with_fragment = |s: String| -> String {
        if s.is_empty() {
            fragment.to_owned()
        } else {
            format!("{s}{separator}{fragment}")
        }
    };
    let max = max_length as i64;
    match mode {
        HashFragmentMode::Always => Ok(with_fragment(truncate(&sanitized, max - required as i64))),
        HashFragmentMode::OnlyIfChanged => {
            let s = truncate(&sanitized, max);
            if s == value {
                return Ok(value.to_owned());
            }
            Ok(with_fragment(truncate(&s, max - required as i64)))
        }
        HashFragmentMode::Never => {
            if sanitized.is_empty() {
                return Err(Error::setup(
                    "entire value was sanitized and hash_fragment_mode is never",
                ));
            }
            Ok(truncate(&sanitized, max))
        }
    }
}

/// py-key-value's low-level `hash_excess_length` helper: values over `max_length` are cut to
/// `max_length - 8` and followed by 8 hex characters of their hash. `max_length < 16` is an error.
pub fn hash_excess_length(value: &str, max_length: usize, length_is_bytes: bool) -> Result<String> {
    if max_length < 16 {
        return Err(Error::setup(
            "max_length must be greater than or equal to 16",
        ));
    }
    let length = if length_is_bytes {
        value.len()
    } else {
        value.chars().count()
    };
    if length <= max_length {
        return Ok(value.to_owned());
    }
    let body = if length_is_bytes {
        truncate_to_bytes(value, max_length - 8)
    } else {
        py_prefix(value, max_length as i64 - 8)
    };
    Ok(format!("{body}{}", &sha256_hex(value)[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        let alnum = Hybrid::new().allowed_characters(ALPHANUMERIC);
        assert_eq!(alnum.sanitize("test::key"), "S_test_key-a2bc4860");
        assert_eq!(alnum.sanitize("a!!!b"), "S_a_b-1463ca16");
        assert_eq!(alnum.sanitize("!!!"), "S_-e84c538e");
        assert_eq!(alnum.sanitize("test"), "test");
        let never = alnum.clone().mode(HashFragmentMode::Never);
        assert_eq!(never.sanitize("test::key"), "S_test_key");
        assert_eq!(
            never.clone().replacement("-").sanitize("test::key"),
            "S_test-key"
        );
        let lower = Hybrid::new()
            .allowed_characters("abcdefghijklmnopqrstuvwxyz")
            .mode(HashFragmentMode::Never);
        assert_eq!(lower.sanitize("Test123"), "S__est_");
        assert_eq!(
            Hybrid::new().sanitize(&"a".repeat(250)),
            format!("S_{}", "a".repeat(238))
        );
        let mongo = mongodb_v1_collection();
        assert_eq!(
            mongo.sanitize("Test Collection"),
            "S_Test_Collection-7be72941"
        );
        assert_eq!(mongo.sanitize("é"), "S_-4a99557e");
        assert_eq!(
            elasticsearch_v1_collection().sanitize(&"test_collection".repeat(100)),
            format!("S_{}-4d223fc9", &"test_collection".repeat(100)[..189])
        );
        assert_eq!(
            memcached_v1_key().sanitize(&format!("test_collection::{}", "test_key".repeat(100))),
            "H_b539655fb3c6571f3970b1d53f136c989f502bdfce535a80b5fc6e2c7d0c93ce"
        );
        assert_eq!(
            s3_v1().sanitize(&"é".repeat(300)),
            format!("{}7250b666", "é".repeat(246))
        );
        assert!(memcached_v1_key().validate("H_x").is_err());
        assert!(keyring_v1().validate("S_x").is_err());
        assert_eq!(
            AlwaysHash::new(16).unwrap().sanitize("test"),
            "9f86d081884c7d65"
        );
        assert!(AlwaysHash::new(8).is_err());
    }
}
