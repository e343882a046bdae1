//! `Intercepted<L, S>`: one `KeyValue` implementation for wrappers that act *around* every call
//! without changing arguments or results (Timeout, ConcurrencyLimit, Tracing, Metrics).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use kv_core::{async_trait, Capabilities, KeyValue, Object, Result, ValueWithTtl};

/// A boxed, sendable future (what `async_trait` methods return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The operations of [`KeyValue`], for labels and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `get`
    Get,
    /// `get_many`
    GetMany,
    /// `ttl`
    Ttl,
    /// `ttl_many`
    TtlMany,
    /// `put`
    Put,
    /// `put_many`
    PutMany,
    /// `delete`
    Delete,
    /// `delete_many`
    DeleteMany,
    /// `keys`
    Keys,
    /// `collections`
    Collections,
    /// `destroy`
    Destroy,
    /// `destroy_collection`
    DestroyCollection,
    /// `cull`
    Cull,
    /// `put_if_absent`
    PutIfAbsent,
    /// `setup`
    Setup,
    /// `close`
    Close,
}

impl Operation {
    /// The method name: `"get"`, `"put_many"`, ...
    ///
    /// ```
    /// assert_eq!(kv_wrappers::Operation::PutMany.name(), "put_many");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Operation::Get => "get",
            Operation::GetMany => "get_many",
            Operation::Ttl => "ttl",
            Operation::TtlMany => "ttl_many",
            Operation::Put => "put",
            Operation::PutMany => "put_many",
            Operation::Delete => "delete",
            Operation::DeleteMany => "delete_many",
            Operation::Keys => "keys",
            Operation::Collections => "collections",
            Operation::Destroy => "destroy",
            Operation::DestroyCollection => "destroy_collection",
            Operation::Cull => "cull",
            Operation::PutIfAbsent => "put_if_absent",
            Operation::Setup => "setup",
            Operation::Close => "close",
        }
    }
}

/// The keys an intercepted call addresses.
#[derive(Debug, Clone)]
pub enum CallKeys<'a> {
    /// No key (`keys`, `collections`, `destroy`, ...).
    None,
    /// One key.
    One(&'a str),
    /// A batch of keys.
    Many(&'a [&'a str]),
    /// A `put_many` batch: its size and (when the interceptor asked for keys) its first 5 keys.
    Entries {
        /// Number of entries.
        count: usize,
        /// Up to 5 keys.
        first: Vec<String>,
    },
}

impl CallKeys<'_> {
    /// Number of keys addressed.
    pub fn count(&self) -> usize {
        match self {
            CallKeys::None => 0,
            CallKeys::One(_) => 1,
            CallKeys::Many(k) => k.len(),
            CallKeys::Entries { count, .. } => *count,
        }
    }

    /// Up to `n` of the keys.
    pub fn first(&self, n: usize) -> Vec<&str> {
        match self {
            CallKeys::None => Vec::new(),
            CallKeys::One(k) => vec![k],
            CallKeys::Many(k) => k.iter().take(n).copied().collect(),
            CallKeys::Entries { first, .. } => first.iter().take(n).map(String::as_str).collect(),
        }
    }
}

/// What an interceptor learns about a call before it runs.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// The operation.
    pub operation: Operation,
    /// The collection as given by the caller (`None` = store default).
    pub collection: Option<&'a str>,
    /// The keys.
    pub keys: CallKeys<'a>,
}

/// A summary of a successful result, for events and metrics (never the values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeSummary {
    /// Values found (single reads: 0 or 1).
    pub hits: Option<usize>,
    /// Keys not found.
    pub misses: Option<usize>,
    /// Entries deleted / destroyed flag as 0 or 1.
    pub deleted: Option<usize>,
    /// Remaining time of a single `ttl` hit (`Some(None)` = never expires).
    pub ttl: Option<Option<Duration>>,
    /// Names returned by `keys` / `collections`.
    pub returned: Option<usize>,
    /// Whether `put_if_absent` wrote.
    pub wrote: Option<bool>,
}

/// Results that can summarise themselves for [`Interceptor`]s.
pub trait Outcome {
    /// The summary of this result.
    fn summary(&self) -> OutcomeSummary;
}

impl Outcome for Option<Object> {
    fn summary(&self) -> OutcomeSummary {
        let hit = usize::from(self.is_some());
        OutcomeSummary {
            hits: Some(hit),
            misses: Some(1 - hit),
            ..Default::default()
        }
    }
}

impl Outcome for Option<ValueWithTtl> {
    fn summary(&self) -> OutcomeSummary {
        let hit = usize::from(self.is_some());
        OutcomeSummary {
            hits: Some(hit),
            misses: Some(1 - hit),
            ttl: self.as_ref().map(|(_, t)| *t),
            ..Default::default()
        }
    }
}

impl Outcome for Vec<Option<Object>> {
    fn summary(&self) -> OutcomeSummary {
        let hits = self.iter().filter(|v| v.is_some()).count();
        OutcomeSummary {
            hits: Some(hits),
            misses: Some(self.len() - hits),
            ..Default::default()
        }
    }
}

impl Outcome for Vec<Option<ValueWithTtl>> {
    fn summary(&self) -> OutcomeSummary {
        let hits = self.iter().filter(|v| v.is_some()).count();
        OutcomeSummary {
            hits: Some(hits),
            misses: Some(self.len() - hits),
            ..Default::default()
        }
    }
}

impl Outcome for Vec<String> {
    fn summary(&self) -> OutcomeSummary {
        OutcomeSummary {
            returned: Some(self.len()),
            ..Default::default()
        }
    }
}

impl Outcome for () {
    fn summary(&self) -> OutcomeSummary {
        OutcomeSummary::default()
    }
}

impl Outcome for usize {
    fn summary(&self) -> OutcomeSummary {
        OutcomeSummary {
            deleted: Some(*self),
            ..Default::default()
        }
    }
}

/// `bool` results: `delete`/`destroy*` (deleted 0/1) and `put_if_absent` (wrote).
impl Outcome for bool {
    fn summary(&self) -> OutcomeSummary {
        OutcomeSummary {
            deleted: Some(usize::from(*self)),
            wrote: Some(*self),
            ..Default::default()
        }
    }
}

/// Acts around every call of the wrapped store (see [`Intercepted`]).
pub trait Interceptor: Send + Sync {
    /// Runs `inner` (the wrapped store's call) and returns its result, possibly changed into an error.
    fn intercept<'a, T: Outcome + Send + 'a>(
        &'a self,
        call: Call<'a>,
        inner: BoxFuture<'a, Result<T>>,
    ) -> BoxFuture<'a, Result<T>>;

    /// Whether [`Call::keys`] of `put_many` should carry the first keys (costs a small copy).
    fn wants_keys(&self) -> bool {
        false
    }
}

/// A store wrapped by an [`Interceptor`]: arguments, results and capabilities are unchanged.
pub struct Intercepted<L, S: ?Sized> {
    pub(crate) layer: L,
    pub(crate) inner: S,
}

impl<L, S> Intercepted<L, S> {
    /// Wraps `inner` with `layer`.
    pub fn with_interceptor(inner: S, layer: L) -> Self {
        Intercepted { layer, inner }
    }

    /// The wrapped store, consuming the wrapper.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<L, S: ?Sized> Intercepted<L, S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The interceptor.
    pub fn interceptor(&self) -> &L {
        &self.layer
    }
}

fn call<'a>(operation: Operation, collection: Option<&'a str>, keys: CallKeys<'a>) -> Call<'a> {
    Call {
        operation,
        collection,
        keys,
    }
}

#[async_trait]
impl<L: Interceptor, S: KeyValue + ?Sized> KeyValue for Intercepted<L, S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        let info = call(Operation::Get, c, CallKeys::One(k));
        self.layer.intercept(info, self.inner.get(c, k)).await
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let info = call(Operation::GetMany, c, CallKeys::Many(k));
        self.layer.intercept(info, self.inner.get_many(c, k)).await
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        let info = call(Operation::Ttl, c, CallKeys::One(k));
        self.layer.intercept(info, self.inner.ttl(c, k)).await
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let info = call(Operation::TtlMany, c, CallKeys::Many(k));
        self.layer.intercept(info, self.inner.ttl_many(c, k)).await
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        let info = call(Operation::Put, c, CallKeys::One(k));
        self.layer.intercept(info, self.inner.put(c, k, v, t)).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let first = if self.layer.wants_keys() {
            e.iter().take(5).map(|(k, _)| k.clone()).collect()
        } else {
            Vec::new()
        };
        let keys = CallKeys::Entries {
            count: e.len(),
            first,
        };
        let info = call(Operation::PutMany, c, keys);
        self.layer
            .intercept(info, self.inner.put_many(c, e, t))
            .await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        let info = call(Operation::Delete, c, CallKeys::One(k));
        self.layer.intercept(info, self.inner.delete(c, k)).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        let info = call(Operation::DeleteMany, c, CallKeys::Many(k));
        self.layer
            .intercept(info, self.inner.delete_many(c, k))
            .await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        let info = call(Operation::Keys, c, CallKeys::None);
        self.layer.intercept(info, self.inner.keys(c, l)).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        let info = call(Operation::Collections, None, CallKeys::None);
        self.layer.intercept(info, self.inner.collections(l)).await
    }
    async fn destroy(&self) -> Result<bool> {
        let info = call(Operation::Destroy, None, CallKeys::None);
        self.layer.intercept(info, self.inner.destroy()).await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        let info = call(Operation::DestroyCollection, Some(c), CallKeys::None);
        self.layer
            .intercept(info, self.inner.destroy_collection(c))
            .await
    }
    async fn cull(&self) -> Result<()> {
        let info = call(Operation::Cull, None, CallKeys::None);
        self.layer.intercept(info, self.inner.cull()).await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        let info = call(Operation::PutIfAbsent, c, CallKeys::One(k));
        self.layer
            .intercept(info, self.inner.put_if_absent(c, k, v, t))
            .await
    }
    async fn setup(&self) -> Result<()> {
        let info = call(Operation::Setup, None, CallKeys::None);
        self.layer.intercept(info, self.inner.setup()).await
    }
    async fn close(&self) -> Result<()> {
        let info = call(Operation::Close, None, CallKeys::None);
        self.layer.intercept(info, self.inner.close()).await
    }
}
