//! Which optional operations a store offers.

/// The optional operations a store or wrapper offers; the others return
/// [`Unsupported`](crate::ErrorKind::Unsupported).
///
/// ```
/// use kv_core::Capabilities;
/// let caps = Capabilities { keys: true, ..Capabilities::NONE };
/// assert!(caps.keys && !caps.destroy);
/// assert!(Capabilities::ALL.put_if_absent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// `keys(collection, limit)`.
    pub keys: bool,
    /// `collections(limit)`.
    pub collections: bool,
    /// `destroy()`.
    pub destroy: bool,
    /// `destroy_collection(collection)`.
    pub destroy_collection: bool,
    /// `cull()`.
    pub cull: bool,
    /// `put_if_absent(...)`, atomic.
    pub put_if_absent: bool,
}

impl Capabilities {
    /// No optional operation.
    pub const NONE: Capabilities = Capabilities {
        keys: false,
        collections: false,
        destroy: false,
        destroy_collection: false,
        cull: false,
        put_if_absent: false,
    };

    /// Every optional operation.
    pub const ALL: Capabilities = Capabilities {
        keys: true,
        collections: true,
        destroy: true,
        destroy_collection: true,
        cull: true,
        put_if_absent: true,
    };

    /// The capabilities offered by both `self` and `other`.
    pub fn intersection(self, other: Capabilities) -> Capabilities {
        Capabilities {
            keys: self.keys && other.keys,
            collections: self.collections && other.collections,
            destroy: self.destroy && other.destroy,
            destroy_collection: self.destroy_collection && other.destroy_collection,
            cull: self.cull && other.cull,
            put_if_absent: self.put_if_absent && other.put_if_absent,
        }
    }
}

/// The limit convention of `keys` and `collections`: `None`/`Some(0)` mean 10 000, others are capped at 10 000.
///
/// ```
/// assert_eq!(kv_core::effective_limit(None), 10_000);
/// assert_eq!(kv_core::effective_limit(Some(0)), 10_000);
/// assert_eq!(kv_core::effective_limit(Some(2)), 2);
/// assert_eq!(kv_core::effective_limit(Some(50_000)), 10_000);
/// ```
pub fn effective_limit(limit: Option<usize>) -> usize {
    match limit {
        None | Some(0) => MAX_LIST_LIMIT,
        Some(n) => n.min(MAX_LIST_LIMIT),
    }
}

/// The most names `keys` and `collections` return.
pub const MAX_LIST_LIMIT: usize = 10_000;
