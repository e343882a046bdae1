//! [`Store`]: a [`Backend`] plus everything every store must do the same way.

mod ops;
mod setup;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::backend::{Backend, Name};
use crate::error::Result;
use crate::sanitize::{Passthrough, SanitizationStrategy};
use crate::Object;

/// The default collection name when none is configured.
pub const DEFAULT_COLLECTION: &str = "default_collection";

/// Seed data: `collection -> key -> value`, written once after the first successful setup.
pub type Seed = BTreeMap<String, BTreeMap<String, Object>>;

/// A [`Backend`] made into a full [`KeyValue`](crate::KeyValue) store.
///
/// `Store` owns what every store must do identically: the default collection (`None` and `""`),
/// TTL validation, timestamps, the expiry check on every read, lazy concurrency-safe setup of the
/// store and of each collection (retried after a failure), key/collection sanitization, error
/// context, seed data and `close()`.
///
/// ```
/// # use kv_core::{Store, sanitize::Hybrid};
/// # fn demo<B: kv_core::Backend>(backend: B) {
/// let store = Store::new(backend)
///     .with_default_collection("app")
///     .with_collection_strategy(Hybrid::new().max_length(64));
/// assert_eq!(store.default_collection(), "app");
/// # }
/// ```
pub struct Store<B: Backend> {
    backend: B,
    default_collection: String,
    key_strategy: Arc<dyn SanitizationStrategy>,
    collection_strategy: Arc<dyn SanitizationStrategy>,
    seed: Seed,
    store_setup: setup::Once,
    collection_setup: setup::PerCollection,
    closed: AtomicBool,
}

impl<B: Backend> Store<B> {
    /// Wraps `backend` with default collection `default_collection` and Passthrough names.
    pub fn new(backend: B) -> Self {
        Store {
            backend,
            default_collection: DEFAULT_COLLECTION.to_owned(),
            key_strategy: Arc::new(Passthrough),
            collection_strategy: Arc::new(Passthrough),
            seed: Seed::new(),
            store_setup: setup::Once::default(),
            collection_setup: setup::PerCollection::default(),
            closed: AtomicBool::new(false),
        }
    }

    /// Sets the collection used for `None` and `""` (an empty name keeps `default_collection`).
    pub fn with_default_collection(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !name.is_empty() {
            self.default_collection = name;
        }
        self
    }

    /// Sets the key sanitization strategy.
    pub fn with_key_strategy(mut self, strategy: impl SanitizationStrategy + 'static) -> Self {
        self.key_strategy = Arc::new(strategy);
        self
    }

    /// Sets the collection sanitization strategy.
    pub fn with_collection_strategy(
        mut self,
        strategy: impl SanitizationStrategy + 'static,
    ) -> Self {
        self.collection_strategy = Arc::new(strategy);
        self
    }

    /// Sets seed data, written by ordinary puts (no TTL) right after the first successful setup.
    pub fn with_seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// The name used for `None` and `""`.
    pub fn default_collection(&self) -> &str {
        &self.default_collection
    }

    /// The backend's stability label.
    pub fn stability(&self) -> crate::Stability {
        self.backend.stability()
    }

    /// The wrapped backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    fn resolve<'a>(&'a self, collection: Option<&'a str>) -> &'a str {
        match collection {
            None | Some("") => &self.default_collection,
            Some(c) => c,
        }
    }

    fn collection_name<'a>(&self, given: &'a str) -> Result<Name<'a>> {
        if self.collection_strategy.is_passthrough() {
            return Ok(Name::plain(given));
        }
        self.collection_strategy.validate(given)?;
        Ok(Name {
            given,
            stored: self.collection_strategy.sanitize(given),
        })
    }

    fn key_name<'a>(&self, given: &'a str) -> Result<Name<'a>> {
        if self.key_strategy.is_passthrough() {
            return Ok(Name::plain(given));
        }
        self.key_strategy.validate(given)?;
        Ok(Name {
            given,
            stored: self.key_strategy.sanitize(given),
        })
    }
}

impl<B: Backend + fmt::Debug> fmt::Debug for Store<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("default_collection", &self.default_collection)
            .field("key_strategy", &self.key_strategy)
            .field("collection_strategy", &self.collection_strategy)
            .finish_non_exhaustive()
    }
}
