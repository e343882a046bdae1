//! One collection's entries: a plain hash map when unbounded, an LRU when bounded.

use std::num::NonZeroUsize;

use hashbrown::HashMap;
use kv_core::{Entry, Timestamp};
use lru::LruCache;
use parking_lot::{Mutex, RwLock};

/// The entries of one collection.
#[derive(Debug)]
pub(crate) enum Table {
    /// No bound: readers share a read lock and nothing tracks recency.
    Unbounded(RwLock<HashMap<String, Entry>>),
    /// Bounded: reads refresh recency, so every access takes the lock exclusively.
    Bounded(Mutex<LruCache<String, Entry>>, NonZeroUsize),
}

impl Table {
    pub(crate) fn new(max: Option<NonZeroUsize>) -> Self {
        match max {
            None => Table::Unbounded(RwLock::new(HashMap::new())),
            Some(max) => Table::Bounded(Mutex::new(LruCache::unbounded()), max),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<Entry> {
        match self {
            Table::Unbounded(map) => map.read().get(key).cloned(),
            Table::Bounded(lru, _) => lru.lock().get(key).cloned(),
        }
    }

    pub(crate) fn get_many<'a>(&self, keys: impl Iterator<Item = &'a str>) -> Vec<Option<Entry>> {
        match self {
            Table::Unbounded(map) => {
                let map = map.read();
                keys.map(|k| map.get(k).cloned()).collect()
            }
            Table::Bounded(lru, _) => {
                let mut lru = lru.lock();
                keys.map(|k| lru.get(k).cloned()).collect()
            }
        }
    }

    pub(crate) fn insert_many<K: AsRef<str>>(&self, entries: impl Iterator<Item = (K, Entry)>) {
        match self {
            Table::Unbounded(map) => {
                let mut map = map.write();
                for (key, entry) in entries {
                    let key = key.as_ref();
                    match map.get_mut(key) {
                        Some(slot) => *slot = entry,
                        None => {
                            map.insert(key.to_owned(), entry);
                        }
                    }
                }
            }
            Table::Bounded(lru, max) => {
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
        match self {
            Table::Unbounded(map) => {
                let mut map = map.write();
                match map.get_mut(key) {
                    Some(existing) if existing.is_live(now) => false,
                    Some(existing) => {
                        *existing = entry;
                        true
                    }
                    None => {
                        map.insert(key.to_owned(), entry);
                        true
                    }
                }
            }
            Table::Bounded(lru, max) => {
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
        let live = |e: Option<Entry>| e.is_some_and(|e| e.is_live(now));
        match self {
            Table::Unbounded(map) => {
                let mut map = map.write();
                keys.filter(|k| live(map.remove(*k))).count()
            }
            Table::Bounded(lru, _) => {
                let mut lru = lru.lock();
                keys.filter(|k| live(lru.pop(*k))).count()
            }
        }
    }

    pub(crate) fn live_keys(&self, limit: usize, now: Timestamp) -> Vec<String> {
        let pick = |(k, e): (&String, &Entry)| e.is_live(now).then(|| k.clone());
        match self {
            Table::Unbounded(map) => map.read().iter().filter_map(pick).take(limit).collect(),
            Table::Bounded(lru, _) => lru.lock().iter().filter_map(pick).take(limit).collect(),
        }
    }

    pub(crate) fn remove_expired(&self, now: Timestamp) {
        match self {
            Table::Unbounded(map) => map.write().retain(|_, e| e.is_live(now)),
            Table::Bounded(lru, _) => {
                let mut lru = lru.lock();
                drop_expired(&mut lru, now);
            }
        }
    }
}

fn drop_expired(lru: &mut LruCache<String, Entry>, now: Timestamp) {
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
    lru: &mut LruCache<String, Entry>,
    max: NonZeroUsize,
    key: &str,
    entry: Entry,
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
