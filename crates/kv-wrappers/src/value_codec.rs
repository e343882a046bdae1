//! `ValueCodecStore<C, S>`: one `KeyValue` implementation for wrappers that rewrite the stored
//! value object (Compression, Encryption).

use std::time::Duration;

use kv_core::{async_trait, Capabilities, Error, KeyValue, Object, Result, ValueWithTtl};

/// A reversible rewrite of the value object.
pub trait ValueCodec: Send + Sync {
    /// The object to store for `value`.
    fn encode(&self, value: Object) -> Result<Object>;

    /// The user's value for a stored object; `Ok(None)` makes the entry read as missing.
    fn decode(&self, stored: Object) -> Result<Option<Object>>;
}

/// A store whose values pass through a [`ValueCodec`] (encode on writes, decode on reads).
/// Names, TTLs and capabilities are unchanged.
pub struct ValueCodecStore<C, S: ?Sized> {
    pub(crate) codec: C,
    pub(crate) inner: S,
}

impl<C, S> ValueCodecStore<C, S> {
    /// Wraps `inner` with `codec`.
    pub fn with_codec(inner: S, codec: C) -> Self {
        ValueCodecStore { codec, inner }
    }

    /// The wrapped store, consuming the wrapper.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<C, S: ?Sized> ValueCodecStore<C, S> {
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The codec.
    pub fn codec(&self) -> &C {
        &self.codec
    }
}

fn context(e: Error, op: &'static str, c: Option<&str>, k: &str) -> Error {
    let e = if e.operation().is_none() {
        e.with_operation(op)
    } else {
        e
    };
    let e = if e.collection().is_none() {
        e.with_collection(crate::names::or_default(c, "default"))
    } else {
        e
    };
    if e.key().is_none() {
        e.with_key(k)
    } else {
        e
    }
}

impl<C: ValueCodec, S: ?Sized> ValueCodecStore<C, S> {
    fn decode(
        &self,
        op: &'static str,
        c: Option<&str>,
        k: &str,
        v: Object,
    ) -> Result<Option<Object>> {
        self.codec.decode(v).map_err(|e| context(e, op, c, k))
    }

    fn encode(&self, op: &'static str, c: Option<&str>, k: &str, v: Object) -> Result<Object> {
        self.codec.encode(v).map_err(|e| context(e, op, c, k))
    }
}

#[async_trait]
impl<C: ValueCodec, S: KeyValue + ?Sized> KeyValue for ValueCodecStore<C, S> {
    async fn get(&self, c: Option<&str>, k: &str) -> Result<Option<Object>> {
        match self.inner.get(c, k).await? {
            None => Ok(None),
            Some(v) => self.decode("get", c, k, v),
        }
    }
    async fn get_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<Object>>> {
        let values = self.inner.get_many(c, k).await?;
        values
            .into_iter()
            .zip(k)
            .map(|(v, key)| match v {
                None => Ok(None),
                Some(v) => self.decode("get_many", c, key, v),
            })
            .collect()
    }
    async fn ttl(&self, c: Option<&str>, k: &str) -> Result<Option<ValueWithTtl>> {
        match self.inner.ttl(c, k).await? {
            None => Ok(None),
            Some((v, t)) => Ok(self.decode("ttl", c, k, v)?.map(|v| (v, t))),
        }
    }
    async fn ttl_many(&self, c: Option<&str>, k: &[&str]) -> Result<Vec<Option<ValueWithTtl>>> {
        let values = self.inner.ttl_many(c, k).await?;
        values
            .into_iter()
            .zip(k)
            .map(|(v, key)| match v {
                None => Ok(None),
                Some((v, t)) => Ok(self.decode("ttl_many", c, key, v)?.map(|v| (v, t))),
            })
            .collect()
    }
    async fn put(&self, c: Option<&str>, k: &str, v: Object, t: Option<Duration>) -> Result<()> {
        let v = self.encode("put", c, k, v)?;
        self.inner.put(c, k, v, t).await
    }
    async fn put_many(
        &self,
        c: Option<&str>,
        e: Vec<(String, Object)>,
        t: Option<Duration>,
    ) -> Result<()> {
        let mut encoded = Vec::with_capacity(e.len());
        for (k, v) in e {
            let v = self.encode("put_many", c, &k, v)?;
            encoded.push((k, v));
        }
        self.inner.put_many(c, encoded, t).await
    }
    async fn delete(&self, c: Option<&str>, k: &str) -> Result<bool> {
        self.inner.delete(c, k).await
    }
    async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> Result<usize> {
        self.inner.delete_many(c, k).await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn keys(&self, c: Option<&str>, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.keys(c, l).await
    }
    async fn collections(&self, l: Option<usize>) -> Result<Vec<String>> {
        self.inner.collections(l).await
    }
    async fn destroy(&self) -> Result<bool> {
        self.inner.destroy().await
    }
    async fn destroy_collection(&self, c: &str) -> Result<bool> {
        self.inner.destroy_collection(c).await
    }
    async fn cull(&self) -> Result<()> {
        self.inner.cull().await
    }
    async fn put_if_absent(
        &self,
        c: Option<&str>,
        k: &str,
        v: Object,
        t: Option<Duration>,
    ) -> Result<bool> {
        let v = self.encode("put_if_absent", c, k, v)?;
        self.inner.put_if_absent(c, k, v, t).await
    }
    async fn setup(&self) -> Result<()> {
        self.inner.setup().await
    }
    async fn close(&self) -> Result<()> {
        self.inner.close().await
    }
}
