//! How a table keeps one entry: as the [`Entry`] itself (a read clones it) or, for
//! [`MemoryStoreBuilder::compact`](crate::MemoryStoreBuilder::compact), as the value's compact
//! JSON (a read parses it).
//!
//! A `serde_json` object is a `BTreeMap` whose nodes are allocated for eleven fields: a small
//! value of about 100 bytes of JSON takes about 1 KB as an `Entry`, and about 230 bytes as its
//! JSON text. Parsing on read costs a few hundred nanoseconds more than cloning.

use kv_core::{Entry, Error, Object, Result, Timestamp};

/// One stored entry.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// The entry as given.
    Decoded(Entry),
    /// The value as compact JSON, and the entry's timestamps.
    Compact {
        json: Box<[u8]>,
        created_at: Option<Timestamp>,
        expires_at: Option<Timestamp>,
    },
}

impl Slot {
    /// Keeps `entry` decoded, or as compact JSON when `compact`.
    pub(crate) fn new(entry: Entry, compact: bool) -> Slot {
        if !compact {
            return Slot::Decoded(entry);
        }
        match serde_json::to_vec(&entry.value) {
            Ok(json) => Slot::Compact {
                json: json.into_boxed_slice(),
                created_at: entry.created_at,
                expires_at: entry.expires_at,
            },
            // A JSON object always serializes; keep the entry as it is if it ever does not.
            Err(_) => Slot::Decoded(entry),
        }
    }

    fn expires_at(&self) -> Option<Timestamp> {
        match self {
            Slot::Decoded(entry) => entry.expires_at,
            Slot::Compact { expires_at, .. } => *expires_at,
        }
    }

    /// Whether the entry is expired at `now`.
    pub(crate) fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at().is_some_and(|at| at <= now)
    }

    /// Whether the entry is live at `now`.
    pub(crate) fn is_live(&self, now: Timestamp) -> bool {
        !self.is_expired(now)
    }

    /// A copy of the entry.
    pub(crate) fn entry(&self) -> Result<Entry> {
        match self {
            Slot::Decoded(entry) => Ok(entry.clone()),
            Slot::Compact {
                json,
                created_at,
                expires_at,
            } => {
                let value: Object = serde_json::from_slice(json).map_err(|e| {
                    Error::deserialization(format!("compact in-memory value is not valid: {e}"))
                })?;
                Ok(Entry {
                    value,
                    created_at: *created_at,
                    expires_at: *expires_at,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry() -> Entry {
        let value = json!({"name": "Ann", "tags": ["a", "b"], "n": 1.5, "deep": {"x": null}});
        let now = Timestamp::now();
        Entry::new(
            value.as_object().cloned().unwrap_or_default(),
            now,
            Some(std::time::Duration::from_secs(60)),
        )
        .expect("entry")
    }

    #[test]
    fn compact_slots_give_back_the_same_entry() {
        let original = entry();
        for compact in [false, true] {
            let slot = Slot::new(original.clone(), compact);
            assert_eq!(matches!(slot, Slot::Compact { .. }), compact);
            assert_eq!(slot.entry().expect("entry"), original);
            let now = Timestamp::now();
            assert!(slot.is_live(now));
            assert!(slot.is_expired(original.expires_at.expect("expires")));
        }
    }

    #[test]
    fn corrupted_compact_bytes_are_a_deserialization_error() {
        let slot = Slot::Compact {
            json: b"{not json".to_vec().into_boxed_slice(),
            created_at: None,
            expires_at: None,
        };
        let err = slot.entry().expect_err("corrupted");
        assert_eq!(err.kind(), &kv_core::ErrorKind::Deserialization);
    }
}
