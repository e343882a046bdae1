//! The stored unit: a value with its creation and expiry instants.

use std::time::Duration;

use crate::time::Timestamp;
use crate::Object;

/// A value with its creation and optional expiry instant, as kept by a backend.
///
/// ```
/// use std::time::Duration;
/// use kv_core::{Entry, Object, Timestamp};
/// let now = Timestamp::now();
/// let entry = Entry::new(Object::new(), now, Some(Duration::from_secs(10))).unwrap();
/// assert!(entry.is_live(now));
/// assert!(entry.remaining(now).unwrap() <= Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The user's value.
    pub value: Object,
    /// When the entry was written (absent in very old envelopes).
    pub created_at: Option<Timestamp>,
    /// When the entry expires; `None` never expires.
    pub expires_at: Option<Timestamp>,
}

impl Entry {
    /// An entry created at `now` that lives for `ttl`; `None` if `now + ttl` is past year 9999.
    pub fn new(value: Object, now: Timestamp, ttl: Option<Duration>) -> Option<Entry> {
        let expires_at = match ttl {
            Some(ttl) => Some(now.checked_add(ttl)?),
            None => None,
        };
        Some(Entry {
            value,
            created_at: Some(now),
            expires_at,
        })
    }

    /// Whether the entry is expired at `now` (`expires_at <= now`).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// Whether the entry is live at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        !self.is_expired(now)
    }

    /// Time left at `now`: `None` for entries that never expire, zero for expired ones.
    pub fn remaining(&self, now: Timestamp) -> Option<Duration> {
        self.expires_at
            .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
    }

    /// Lowers `expires_at` to a native expiry reported by the backend, if that is earlier.
    pub fn clamp_expiry(&mut self, native: Option<Timestamp>) {
        if let Some(native) = native {
            self.expires_at = Some(self.expires_at.map_or(native, |at| at.min(native)));
        }
    }
}
