//! The on-server layout shared with py-key-value: key `sanitize(collection::key)`, value the
//! envelope, exptime per `semantics.md` §3.

use kv_core::sanitize::{HashExcessLength, SanitizationStrategy};
use kv_core::{Error, Result, Timestamp};

/// Memcached's key length limit in bytes.
pub const MAX_KEY_BYTES: usize = 250;

/// memcached reads an exptime above this many seconds (30 days) as an absolute Unix time.
pub const MAX_RELATIVE_EXPTIME: i64 = 2_592_000;

/// memcached parses exptime as a signed 32-bit number: absolute times stop in January 2038.
pub const MAX_ABSOLUTE_EXPTIME: i64 = i32::MAX as i64;

/// How a `(collection, key)` pair becomes a memcached key.
#[derive(Debug, Clone, Copy, Default)]
pub enum KeyStrategy {
    /// `collection::key` as given; names memcached cannot store are `InvalidKey`.
    #[default]
    Passthrough,
    /// py-key-value's `MemcachedV1KeySanitizationStrategy`: compound keys over 240 characters
    /// become `H_` + SHA-256 hex; collections starting with `H_`/`S_` are `InvalidKey`.
    V1(HashExcessLength),
}

impl KeyStrategy {
    /// The V1 strategy.
    pub fn v1() -> KeyStrategy {
        KeyStrategy::V1(kv_core::sanitize::memcached_v1_key())
    }

    /// The memcached key of `(collection, key)`, or `InvalidKey` when memcached cannot store it
    /// (over 250 bytes, whitespace or control characters) or the strategy reserves it.
    ///
    /// ```
    /// use kv_store_memcached::KeyStrategy;
    /// assert_eq!(KeyStrategy::Passthrough.memcached_key("users", "alice").unwrap(), "users::alice");
    /// assert!(KeyStrategy::Passthrough.memcached_key("users", "a b").is_err());
    /// let long = "k".repeat(300);
    /// assert!(KeyStrategy::Passthrough.memcached_key("c", &long).is_err());
    /// assert_eq!(KeyStrategy::v1().memcached_key("c", &long).unwrap().len(), 66);
    /// ```
    pub fn memcached_key(&self, collection: &str, key: &str) -> Result<String> {
        let compound = kv_core::compound_key(collection, key);
        let name = match self {
            KeyStrategy::Passthrough => compound,
            KeyStrategy::V1(strategy) => {
                strategy.validate(&compound)?;
                strategy.sanitize(&compound).into_owned()
            }
        };
        check_key(&name)?;
        Ok(name)
    }
}

/// Rejects names memcached's text protocol cannot carry.
fn check_key(name: &str) -> Result<()> {
    if name.len() > MAX_KEY_BYTES {
        return Err(Error::invalid_key(format!(
            "memcached keys are limited to {MAX_KEY_BYTES} bytes; `collection::key` has {} \
             (use the MemcachedV1 key strategy to hash long keys)",
            name.len()
        )));
    }
    if let Some(c) = name.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_key(format!(
            "memcached keys cannot contain whitespace or control characters (found {c:?})"
        )));
    }
    Ok(())
}

/// The exptime for an entry expiring at `expires_at`, written at `now`: `0` without expiry,
/// else `max(1, ceil(remaining seconds))`, or the absolute `ceil(expires_at)` (capped at
/// 2038-01-19) when that is over 30 days. Never rounds down, never 0 for a TTL.
///
/// ```
/// use kv_core::Timestamp;
/// use kv_store_memcached::exptime;
/// let now = Timestamp::from_unix_micros(1_700_000_000_000_000).unwrap();
/// let at = |s: f64| Timestamp::from_unix_micros(1_700_000_000_000_000 + (s * 1e6) as i64);
/// assert_eq!(exptime(None, now), 0);
/// assert_eq!(exptime(at(10.0), now), 10);
/// assert_eq!(exptime(at(10.2), now), 11);
/// assert_eq!(exptime(at(0.3), now), 1);
/// assert_eq!(exptime(at(40.0 * 86400.0), now), 1_700_000_000 + 40 * 86400);
/// ```
pub fn exptime(expires_at: Option<Timestamp>, now: Timestamp) -> i64 {
    let Some(at) = expires_at else {
        return 0;
    };
    let remaining_micros = at.unix_micros().saturating_sub(now.unix_micros());
    let seconds = if remaining_micros <= 0 {
        1
    } else {
        (remaining_micros as u64).div_ceil(1_000_000) as i64
    };
    if seconds > MAX_RELATIVE_EXPTIME {
        at.unix_seconds_ceil().min(MAX_ABSOLUTE_EXPTIME)
    } else {
        seconds
    }
}
