//! How a table keeps one entry: as the [`Entry`] itself (a read clones it) or, for
//! [`MemoryStoreBuilder::compact`](crate::MemoryStoreBuilder::compact), as the value's compact
//! JSON (a read parses it).
//!
//! A `serde_json` object is a `BTreeMap` whose nodes are allocated for eleven fields: a small
//! value of about 100 bytes of JSON takes about 1 KB as an `Entry`, and 16 bytes more than its
//! JSON text compact (one allocation: both timestamps, then the JSON). Parsing on read costs a
//! few hundred nanoseconds more than cloning. Either way a slot is at most three words, so
//! the hash table itself stays small.

use kv_core::{Entry, Error, Object, Result, Timestamp};

/// One stored entry (at most three words).
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// The entry as given.
    Decoded(Box<Entry>),
    /// `created_at` and `expires_at` as little-endian Unix microseconds ([`ABSENT`] for none),
    /// then the value as compact JSON.
    Compact(Box<[u8]>),
}

/// The stored microseconds of a missing timestamp (below every valid [`Timestamp`]).
const ABSENT: i64 = i64::MIN;
const HEADER: usize = 16;

fn micros(t: Option<Timestamp>) -> [u8; 8] {
    t.map_or(ABSENT, Timestamp::unix_micros).to_le_bytes()
}

fn stamp(bytes: &[u8]) -> Option<Timestamp> {
    let micros = i64::from_le_bytes(bytes.try_into().ok()?);
    (micros != ABSENT).then(|| Timestamp::from_unix_micros(micros))?
}

impl Slot {
    /// Keeps `entry` decoded, or as compact JSON when `compact`.
    pub(crate) fn new(entry: Entry, compact: bool) -> Slot {
        if !compact {
            return Slot::Decoded(Box::new(entry));
        }
        let mut bytes = Vec::with_capacity(HEADER + 64);
        bytes.extend_from_slice(&micros(entry.created_at));
        bytes.extend_from_slice(&micros(entry.expires_at));
        match serde_json::to_writer(&mut bytes, &entry.value) {
            Ok(()) => Slot::Compact(bytes.into_boxed_slice()),
            // A JSON object always serializes; keep the entry as it is if it ever does not.
            Err(_) => Slot::Decoded(Box::new(entry)),
        }
    }

    fn expires_at(&self) -> Option<Timestamp> {
        match self {
            Slot::Decoded(entry) => entry.expires_at,
            Slot::Compact(bytes) => stamp(bytes.get(8..HEADER)?),
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
            Slot::Decoded(entry) => Ok(Entry::clone(entry)),
            Slot::Compact(bytes) => {
                let invalid = |why: String| {
                    Error::deserialization(format!("compact in-memory value is not valid: {why}"))
                };
                let (header, json) = bytes
                    .split_at_checked(HEADER)
                    .ok_or_else(|| invalid("shorter than its header".into()))?;
                let value: Object =
                    serde_json::from_slice(json).map_err(|e| invalid(e.to_string()))?;
                Ok(Entry {
                    value,
                    created_at: stamp(&header[..8]),
                    expires_at: stamp(&header[8..]),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(ttl: Option<u64>) -> Entry {
        let value = json!({"name": "Ann", "tags": ["a", "b"], "n": 1.5, "deep": {"x": null}});
        Entry::new(
            value.as_object().cloned().unwrap_or_default(),
            Timestamp::now(),
            ttl.map(std::time::Duration::from_secs),
        )
        .expect("entry")
    }

    #[test]
    fn slots_give_back_the_same_entry() {
        for original in [entry(Some(60)), entry(None)] {
            for compact in [false, true] {
                let slot = Slot::new(original.clone(), compact);
                assert_eq!(matches!(slot, Slot::Compact(_)), compact);
                assert_eq!(slot.entry().expect("entry"), original);
                assert!(slot.is_live(Timestamp::now()));
                if let Some(at) = original.expires_at {
                    assert!(slot.is_expired(at));
                }
            }
        }
        let mut no_created = entry(None);
        no_created.created_at = None;
        let slot = Slot::new(no_created.clone(), true);
        assert_eq!(slot.entry().expect("entry"), no_created);
    }

    #[test]
    fn a_slot_is_small() {
        assert!(std::mem::size_of::<Slot>() <= 3 * std::mem::size_of::<usize>());
    }

    #[test]
    fn corrupted_compact_bytes_are_a_deserialization_error() {
        for bytes in [&b"short"[..], &b"0123456789abcdef{not json"[..]] {
            let err = Slot::Compact(bytes.to_vec().into_boxed_slice())
                .entry()
                .expect_err("corrupted");
            assert_eq!(err.kind(), &kv_core::ErrorKind::Deserialization);
        }
    }
}
