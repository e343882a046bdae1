//! A sanitization strategy shared between the [`Store`](kv_core::Store) and the public store
//! type (which uses it to report index names).

use std::borrow::Cow;
use std::sync::Arc;

use kv_core::sanitize::{Passthrough, SanitizationStrategy};
use kv_core::Result;

/// An `Arc`'d strategy that is itself a strategy.
#[derive(Debug, Clone)]
pub(crate) struct Shared(pub Arc<dyn SanitizationStrategy>);

impl Default for Shared {
    fn default() -> Self {
        Shared(Arc::new(Passthrough))
    }
}

impl SanitizationStrategy for Shared {
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
