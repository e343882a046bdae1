//! One collection's entries: a plain hash map when unbounded, an LRU when bounded; each entry
//! kept as a [`Slot`] (decoded, or compact JSON).

use std::num::NonZeroUsize;

use hashbrown::HashMap;
use kv_core::{Entry, Result, Timestamp};
use lru::LruCache;
use parking_lot::{Mutex, RwLock};

use crate::slot::Slot;

/// The entries of one collection.
#[derive(Debug)]
pub(crate) struct Table {
    entries: Entries,
    /// Whether new entries are kept as compact JSON.
    compact: bool,
}

#[derive(Debug)]
enum Entries {
    /// No bound: readers share a read lock and nothing tracks recency. Keys are `Box<str>`
    /// (two words, not three: a bucket of the map is 32 bytes instead of 40).
    Unbounded(RwLock<HashMap<Box<str>, Slot>>),
    /// Bounded: reads refresh recency, so every access takes the lock exclusively.
    Bounded(Mutex<LruCache<String, Slot>>, NonZeroUsize),
}

/// A copy of a slot's entry, if there is one.
fn copy(slot: Option<&Slot>) -> Result<Option<Entry>> {
    slot.map(Slot::entry).transpose()
}

impl Table {
    pub(crate) fn new(max: Option<NonZeroUsize>, compact: bool) -> Self {
        let entries = match max {
            None => Entries::Unbounded(RwLock::new(HashMap::new())),
            Some(max) => Entries::Bounded(Mutex::new(LruCache::unbounded()), max),
        };
        Table { entries, compact }
    }

    pub(crate) fn get(&self, key: &str) -> Result<Option<Entry>> {
        match &self.entries {
            Entries::Unbounded(map) => copy(map.read().get(key)),
            Entries::Bounded(lru, _) => copy(lru.lock().get(key)),
        }
    }

    pub(crate) fn get_many<'a>(
        &self,
        keys: impl Iterator<Item = &'a str>,
    ) -> Result<Vec<Option<Entry>>> {
        match &self.entries {
            Entries::Unbounded(map) => {
                let map = map.read();
                keys.map(|k| copy(map.get(k))).collect()
            }
            Entries::Bounded(lru, _) => {
                let mut lru = lru.lock();
                keys.map(|k| copy(lru.get(k))).collect()
            }
        }
    }

    pub(crate) fn insert_many<K: AsRef<str>>(&self, entries: impl Iterator<Item = (K, Entry)>) {
        let compact = self.compact;
        let entries = entries.map(|(k, e)| (k, Slot::new(e, compact)));
        match &self.entries {
            Entries::Unbounded(map) => {
                let mut map = map.write();
                for (key, entry) in entries {
                    let key = key.as_ref();
                    match map.get_mut(key) {
                        Some(slot) => *slot = entry,
                        None => {
                            map.insert(key.into(), entry);
                        }
                    }
                }
            }
            Entries::Bounded(lru, max) => {
                let mut lru = lru.lock();
                let now = Timestamp::now();
                for (key, entry) in entries {
                    insert_bounded(&mut lru, *max, key.as_ref(), entry, now);
                }
            }
        }
    }

    /// Inserts only if no entry live at `now` exists; `true` iff inserted.
    pub(crate) fn insert_if_absent(&self, key: &str, entry: Entry, now: Timestamp) -> bool {
        let entry = Slot::new(entry, self.compact);
        match &self.entries {
            Entries::Unbounded(map) => {
                let mut map = map.write();
                match map.get_mut(key) {
                    Some(existing) if existing.is_live(now) => false,
                    Some(existing) => {
                        *existing = entry;
                        true
                    }
                    None => {
                        map.insert(key.into(), entry);
                        true
                    }
                }
            }
            Entries::Bounded(lru, max) => {
                let mut lru = lru.lock();
                if lru.peek(key).is_some_and(|e| e.is_live(now)) {
                    return false;
                }
                insert_bounded(&mut lru, *max, key, entry, now);
                true
            }
        }
    }

    /// Removes keys; counts those that were live at `now`.
    pub(crate) fn remove_many<'a>(
        &self,
        keys: impl Iterator<Item = &'a str>,
        now: Timestamp,
    ) -> usize {
        let live = |e: Option<Slot>| e.is_some_and(|e| e.is_live(now));
        match &self.entries {
            Entries::Unbounded(map) => {
                let mut map = map.write();
                keys.filter(|k| live(map.remove(*k))).count()
            }
            Entries::Bounded(lru, _) => {
                let mut lru = lru.lock();
                keys.filter(|k| live(lru.pop(*k))).count()
            }
        }
    }

    pub(crate) fn live_keys(&self, limit: usize, now: Timestamp) -> Vec<String> {
        let pick = |(k, e): (&str, &Slot)| e.is_live(now).then(|| k.to_owned());
        match &self.entries {
            Entries::Unbounded(map) => map
                .read()
                .iter()
                .filter_map(|(k, e)| pick((k, e)))
                .take(limit)
                .collect(),
            Entries::Bounded(lru, _) => lru
                .lock()
                .iter()
                .filter_map(|(k, e)| pick((k, e)))
                .take(limit)
                .collect(),
        }
    }

    pub(crate) fn remove_expired(&self, now: Timestamp) {
        match &self.entries {
            Entries::Unbounded(map) => map.write().retain(|_, e| e.is_live(now)),
            Entries::Bounded(lru, _) => {
                let mut lru = lru.lock();
                drop_expired(&mut lru, now);
            }
        }
    }
}

fn drop_expired(lru: &mut LruCache<String, Slot>, now: Timestamp) {
    let expired: Vec<String> = lru
        .iter()
        .filter(|(_, e)| e.is_expired(now))
        .map(|(k, _)| k.clone())
        .collect();
    for k in expired {
        lru.pop(&k);
    }
}

/// Inserts into a bounded table: overwriting never evicts; a new key into a full table first
/// drops expired entries, then the least recently used ones.
fn insert_bounded(
    lru: &mut LruCache<String, Slot>,
    max: NonZeroUsize,
    key: &str,
    entry: Slot,
    now: Timestamp,
) {
    if let Some(slot) = lru.get_mut(key) {
        *slot = entry;
        return;
    }
    if lru.len() >= max.get() {
        drop_expired(lru, now);
        while lru.len() >= max.get() {
            lru.pop_lru();
        }
    }
    lru.put(key.to_owned(), entry);
}
