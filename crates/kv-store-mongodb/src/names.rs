//! Collection naming: MongoDB's own rules for unsanitized names, and the V1 strategy.

use std::borrow::Cow;
use std::sync::Arc;

use kv_core::sanitize::{Hybrid, SanitizationStrategy};
use kv_core::{Error, Result};

/// The longest namespace (`database.collection`, in bytes) MongoDB accepts for an unsharded
/// collection.
pub const MAX_NAMESPACE_BYTES: usize = 255;

/// py-key-value's `MongoDBV1CollectionSanitizationStrategy`: names of at most 200 characters
/// made of `A-Z a-z 0-9 _`; others become `S_<cleaned>-<8 hex of SHA-256>`.
///
/// ```
/// use kv_core::sanitize::SanitizationStrategy;
/// let v1 = kv_store_mongodb::mongodb_v1_collection();
/// assert_eq!(v1.sanitize("test_collection!@#$%^&*()"), "S_test_collection_-daf4a2ec");
/// assert_eq!(v1.sanitize("plain_name"), "plain_name");
/// ```
pub fn mongodb_v1_collection() -> Hybrid {
    kv_core::sanitize::mongodb_v1_collection()
}

/// Unsanitized collection names, checked up front against MongoDB's rules so a name the
/// server would refuse is an `InvalidKey` error naming it rather than a server error later:
/// not empty, no NUL, no `$`, not `system.*`, and `database.collection` at most
/// [`MAX_NAMESPACE_BYTES`] bytes.
///
/// ```
/// use kv_core::sanitize::SanitizationStrategy;
/// use kv_store_mongodb::MongoDBCollectionNames;
/// let names = MongoDBCollectionNames::for_database("kv-store-adapter");
/// assert!(names.validate("users").is_ok());
/// assert!(names.validate("price$").is_err());
/// assert!(names.validate(&"x".repeat(300)).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct MongoDBCollectionNames {
    max_bytes: usize,
}

impl MongoDBCollectionNames {
    /// The rules for collections of database `db_name`.
    pub fn for_database(db_name: &str) -> Self {
        MongoDBCollectionNames {
            max_bytes: MAX_NAMESPACE_BYTES.saturating_sub(db_name.len() + 1),
        }
    }
}

impl SanitizationStrategy for MongoDBCollectionNames {
    fn validate(&self, value: &str) -> Result<()> {
        let problem = if value.is_empty() {
            Some("it is empty".to_owned())
        } else if value.contains('\0') {
            Some("it contains a NUL character".to_owned())
        } else if value.contains('$') {
            Some("it contains '$'".to_owned())
        } else if value.starts_with("system.") {
            Some("names starting with 'system.' are reserved".to_owned())
        } else if value.len() > self.max_bytes {
            Some(format!(
                "it is {} bytes long and this database allows at most {}",
                value.len(),
                self.max_bytes
            ))
        } else {
            None
        };
        match problem {
            None => Ok(()),
            Some(why) => Err(Error::invalid_key(format!(
                "MongoDB cannot name a collection {:?}: {why} (use the MongoDB V1 collection \
                 strategy to store any name)",
                shorten(value)
            ))),
        }
    }

    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(value)
    }
}

fn shorten(value: &str) -> String {
    if value.chars().count() <= 80 {
        return value.to_owned();
    }
    let head: String = value.chars().take(77).collect();
    format!("{head}...")
}

/// A strategy held behind an `Arc` (so the builder can keep a user's strategy of any type).
#[derive(Debug, Clone)]
pub(crate) struct SharedStrategy(pub(crate) Arc<dyn SanitizationStrategy>);

impl SanitizationStrategy for SharedStrategy {
    fn validate(&self, value: &str) -> Result<()> {
        self.0.validate(value)
    }

    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        self.0.sanitize(value)
    }

    fn is_passthrough(&self) -> bool {
        self.0.is_passthrough()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mongodb_rules() {
        let names = MongoDBCollectionNames::for_database("kv-store-adapter");
        for bad in ["", "a\0b", "a$b", "system.users"] {
            let err = names.validate(bad).unwrap_err();
            assert_eq!(err.kind(), &kv_core::ErrorKind::InvalidKey, "{bad:?}");
        }
        let longest = "x".repeat(255 - "kv-store-adapter.".len());
        assert!(names.validate(&longest).is_ok());
        assert!(names.validate(&format!("{longest}x")).is_err());
        assert!(names.validate("test_collection-1a2b3c4d").is_ok());
        assert!(names.validate("é 键 😀").is_ok());
    }

    #[test]
    fn v1_examples_from_the_spec() {
        let v1 = mongodb_v1_collection();
        assert_eq!(v1.sanitize("Test Collection"), "S_Test_Collection-7be72941");
        assert_eq!(v1.sanitize("é"), "S_-4a99557e");
        assert_eq!(
            v1.sanitize(&"a".repeat(250)),
            format!("S_{}", "a".repeat(198))
        );
    }
}
