//! Lazy, concurrency-safe, retried-on-failure setup of a store and of each collection.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::OnceCell;

use crate::error::{Error, ErrorKind, Result};

/// Runs a setup at most once successfully; concurrent callers wait for one run and a failure
/// leaves it to be retried by the next caller.
#[derive(Default)]
pub(crate) struct Once {
    cell: OnceCell<()>,
}

impl Once {
    pub(crate) fn is_done(&self) -> bool {
        self.cell.initialized()
    }

    pub(crate) async fn run<F, Fut>(&self, setup: F) -> Result<()>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<()>>,
    {
        if self.cell.initialized() {
            return Ok(());
        }
        self.cell.get_or_try_init(setup).await.map(|_| ())
    }
}

/// One [`Once`] per collection name.
#[derive(Default)]
pub(crate) struct PerCollection {
    cells: RwLock<HashMap<String, Arc<Once>>>,
}

impl PerCollection {
    pub(crate) fn cell(&self, collection: &str) -> Arc<Once> {
        if let Some(cell) = self.cells.read().get(collection) {
            return Arc::clone(cell);
        }
        Arc::clone(self.cells.write().entry(collection.to_owned()).or_default())
    }

    /// Forgets a collection's setup (after it was destroyed), so it runs again on next use.
    pub(crate) fn forget(&self, collection: &str) {
        self.cells.write().remove(collection);
    }

    pub(crate) fn forget_all(&self) {
        self.cells.write().clear();
    }
}

/// Wraps a setup failure as a `Setup` error keeping the cause; a retryable cause (the server
/// unreachable or slow during setup) keeps its kind, so callers retry it like the same outage
/// after setup.
pub(crate) fn setup_error(what: &str, cause: Error) -> Error {
    if cause.kind() == &ErrorKind::Setup {
        return cause;
    }
    let message = format!("{what} setup failed: {}", cause.message());
    if cause.is_retryable() {
        return Error::new(cause.kind().clone(), message).with_source(cause);
    }
    Error::setup(message).with_source(cause)
}
