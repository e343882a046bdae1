//! Prefix iteration over `0x02`-tagged keys: `keys`, `collections`, `destroy_collection`, `cull`.
//! Every function here is blocking and runs through [`kv_core::blocking::run`].

use kv_core::{split_compound_key, Result, Timestamp};
use rust_rocksdb::{DBRawIterator, ReadOptions, WriteBatch, WriteOptions, DB};

use crate::error;
use crate::layout::{self, TAG_STR};

/// A raw iterator over the keys starting with `prefix`, positioned at the first one.
fn prefix_iter<'a>(db: &'a DB, prefix: &[u8]) -> DBRawIterator<'a> {
    let mut options = ReadOptions::default();
    if let Some(end) = layout::prefix_end(prefix) {
        options.set_iterate_upper_bound(end);
    }
    let mut it = db.raw_iterator_opt(options);
    it.seek(prefix);
    it
}

/// Stored keys (after `collection::`) of entries live at `now` or undecodable, at most `limit`.
pub(crate) fn live_keys(
    db: &DB,
    prefix: &[u8],
    limit: usize,
    now: Timestamp,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut it = prefix_iter(db, prefix);
    while out.len() < limit {
        let Some((key, value)) = it.item() else { break };
        let live = layout::decode_value(value).map_or(true, |e| e.is_live(now));
        if live {
            if let Ok(text) = std::str::from_utf8(&key[prefix.len()..]) {
                out.push(text.to_owned());
            }
        }
        it.next();
    }
    it.status().map_err(error::rocksdb)?;
    Ok(out)
}

/// Distinct collection names of `0x02`-tagged `collection::key` keys, at most `limit`; skips
/// over each collection's keys with one seek.
pub(crate) fn collections(db: &DB, limit: usize) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut it = prefix_iter(db, &[TAG_STR]);
    while out.len() < limit {
        let Some(key) = it.key() else { break };
        match layout::key_text(key).and_then(split_compound_key) {
            Some((collection, _)) => {
                let collection = collection.to_owned();
                let prefix = layout::collection_prefix(&collection);
                out.push(collection);
                match layout::prefix_end(&prefix) {
                    Some(end) => it.seek(end),
                    None => break,
                }
            }
            // A foreign key without `::` (or not UTF-8): not a collection of this store.
            None => it.next(),
        }
    }
    it.status().map_err(error::rocksdb)?;
    Ok(out)
}

/// Deletes every key starting with `prefix`; `true` if there was any.
pub(crate) fn delete_prefix(db: &DB, prefix: &[u8], options: &WriteOptions) -> Result<bool> {
    let mut batch = WriteBatch::default();
    let mut it = prefix_iter(db, prefix);
    while let Some(key) = it.key() {
        batch.delete(key);
        it.next();
    }
    it.status().map_err(error::rocksdb)?;
    drop(it);
    if batch.is_empty() {
        return Ok(false);
    }
    db.write_opt(&batch, options).map_err(error::rocksdb)?;
    Ok(true)
}

/// Deletes every `0x02`-tagged entry whose envelope expired at `now` (undecodable ones stay).
pub(crate) fn delete_expired(db: &DB, now: Timestamp, options: &WriteOptions) -> Result<()> {
    let mut batch = WriteBatch::default();
    let mut it = prefix_iter(db, &[TAG_STR]);
    while let Some((key, value)) = it.item() {
        if layout::decode_value(value).is_ok_and(|e| e.is_expired(now)) {
            batch.delete(key);
        }
        it.next();
    }
    it.status().map_err(error::rocksdb)?;
    drop(it);
    if !batch.is_empty() {
        db.write_opt(&batch, options).map_err(error::rocksdb)?;
    }
    Ok(())
}
