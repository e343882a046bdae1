//! The two indexes of a collection: `{key: 1}` for lookups and the TTL index
//! `{expires_at: 1}` with `expireAfterSeconds: 0`, compared by key pattern (servers name them
//! differently).

use std::time::Duration;

use mongodb::bson::{doc, Bson, Document};
use mongodb::error::{Error, ErrorKind};
use mongodb::options::IndexOptions;
use mongodb::IndexModel;

use crate::document::{EXPIRES_AT, KEY};

/// `NamespaceExists`: the collection was created concurrently.
const NAMESPACE_EXISTS: i32 = 48;

/// The index on `key` (not unique, as py-key-value creates it).
pub(crate) fn key_index() -> IndexModel {
    IndexModel::builder().keys(doc! {KEY: 1}).build()
}

/// The TTL index on `expires_at`: the server removes a document once `expires_at` has passed.
pub(crate) fn ttl_index() -> IndexModel {
    IndexModel::builder()
        .keys(doc! {EXPIRES_AT: 1})
        .options(
            IndexOptions::builder()
                .expire_after(Duration::from_secs(0))
                .build(),
        )
        .build()
}

/// Whether `keys` is the single-field ascending pattern `{field: 1}`.
pub(crate) fn is_ascending_on(keys: &Document, field: &str) -> bool {
    keys.len() == 1
        && match keys.get(field) {
            Some(Bson::Int32(1)) | Some(Bson::Int64(1)) => true,
            Some(Bson::Double(d)) => *d == 1.0,
            _ => false,
        }
}

/// The wanted indexes that `existing` lacks, by key pattern (an existing index on `expires_at`
/// counts even without a TTL: creating another one on the same pattern would conflict).
pub(crate) fn missing(existing: Vec<IndexModel>) -> Vec<IndexModel> {
    let has = |field: &str| {
        existing
            .iter()
            .any(|index| is_ascending_on(&index.keys, field))
    };
    let mut wanted = Vec::new();
    if !has(KEY) {
        wanted.push(key_index());
    }
    if !has(EXPIRES_AT) {
        wanted.push(ttl_index());
    }
    wanted
}

/// Whether `err` says the collection already exists.
pub(crate) fn is_namespace_exists(err: &Error) -> bool {
    matches!(&*err.kind, ErrorKind::Command(c) if c.code == NAMESPACE_EXISTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_compares_key_patterns_not_names() {
        assert_eq!(missing(Vec::new()).len(), 2);
        let named_oddly = vec![
            IndexModel::builder()
                .keys(doc! {"key": 1.0})
                .options(
                    IndexOptions::builder()
                        .name("idx_kv_key".to_owned())
                        .build(),
                )
                .build(),
            IndexModel::builder()
                .keys(doc! {"expires_at": 1_i64})
                .build(),
        ];
        assert!(missing(named_oddly).is_empty());
        let compound = vec![IndexModel::builder().keys(doc! {"key": 1, "x": 1}).build()];
        assert_eq!(missing(compound).len(), 2);
    }
}
