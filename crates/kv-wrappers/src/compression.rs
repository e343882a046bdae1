//! Compression: py-key-value's CompressionWrapper payloads (gzip + base64 marker objects).

use std::io::{Read, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flate2::{read::MultiGzDecoder, Compression as Level, GzBuilder};
use kv_core::codec::canonical::canonical_len;
use kv_core::{Error, Object, Result};
use serde_json::Value;

use crate::compact::{parse_object, to_compact_json};
use crate::value_codec::{ValueCodec, ValueCodecStore};

const DATA: &str = "__compressed_data__";
const ALGORITHM: &str = "__compression_algorithm__";
const VERSION: &str = "__compression_version__";

/// py-key-value's default `min_size_to_compress`: 1024 bytes of canonical JSON.
pub const DEFAULT_MIN_SIZE_TO_COMPRESS: usize = 1024;

/// The codec of [`Compression`]: gzip level 1 of the compact JSON, standard base64, in
/// `{"__compressed_data__", "__compression_algorithm__": "gzip", "__compression_version__": 1}`.
#[derive(Debug, Clone, Copy)]
pub struct CompressionCodec {
    min_size_to_compress: usize,
}

/// Compresses values whose canonical JSON is at least `min_size_to_compress` bytes (default
/// 1024) into py-key-value's marker object; reads decompress marker objects and pass other values
/// unchanged. A corrupt marker is a [`Deserialization`](kv_core::ErrorKind::Deserialization)
/// error (py-key-value returns the marker itself). Place it **outside** encryption.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kv_core::Result<()> {
/// use std::sync::Arc;
/// use kv_core::KeyValue;
/// use kv_store_memory::MemoryStore;
/// use kv_wrappers::Compression;
/// use serde_json::json;
///
/// let inner = Arc::new(MemoryStore::new());
/// let store = Compression::new(Arc::clone(&inner)).min_size_to_compress(0);
/// let value = json!({"data": "x".repeat(10_000)}).as_object().unwrap().clone();
/// store.put(None, "k", value.clone(), None).await?;
/// let raw = inner.get(None, "k").await?.unwrap();
/// assert!(raw["__compressed_data__"].as_str().unwrap().len() < 1000);
/// assert_eq!(store.get(None, "k").await?, Some(value));
/// # Ok(()) }
/// ```
pub type Compression<S> = ValueCodecStore<CompressionCodec, S>;

impl<S> ValueCodecStore<CompressionCodec, S> {
    /// Wraps `inner` with the default threshold (1024 bytes).
    pub fn new(inner: S) -> Self {
        ValueCodecStore::with_codec(
            inner,
            CompressionCodec {
                min_size_to_compress: DEFAULT_MIN_SIZE_TO_COMPRESS,
            },
        )
    }

    /// Values smaller than `min` bytes (canonical JSON) are stored uncompressed.
    pub fn min_size_to_compress(mut self, min: usize) -> Self {
        self.codec.min_size_to_compress = min;
        self
    }

    /// A layer for [`KeyValueLayerExt::with`](crate::KeyValueLayerExt::with).
    pub fn layer(min_size_to_compress: usize) -> impl FnOnce(S) -> Self {
        move |inner| Self::new(inner).min_size_to_compress(min_size_to_compress)
    }
}

impl CompressionCodec {
    /// A codec compressing values of at least `min_size_to_compress` bytes.
    pub fn new(min_size_to_compress: usize) -> Self {
        CompressionCodec {
            min_size_to_compress,
        }
    }

    /// The marker object for `value` (always compressed, regardless of size).
    pub fn compress(value: &Object) -> Result<Object> {
        let json = to_compact_json(value);
        let mtime = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0);
        let mut encoder = GzBuilder::new()
            .mtime(mtime)
            .operating_system(255)
            .write(Vec::with_capacity(json.len() / 4 + 32), Level::fast());
        let gz = encoder
            .write_all(json.as_bytes())
            .and_then(|_| encoder.finish())
            .map_err(|e| Error::serialization(format!("gzip failed: {e}")).with_source(e))?;
        let mut marker = Object::new();
        marker.insert(DATA.into(), Value::String(STANDARD.encode(gz)));
        marker.insert(ALGORITHM.into(), Value::String("gzip".into()));
        marker.insert(VERSION.into(), Value::from(1));
        Ok(marker)
    }

    /// The value inside a marker object (`None` if `stored` is not a marker).
    pub fn decompress(stored: &Object) -> Option<Result<Object>> {
        let data = stored.get(DATA)?;
        Some(decompress_marker(stored, data))
    }
}

fn corrupt(reason: impl std::fmt::Display) -> Error {
    Error::deserialization(format!("corrupt compressed value: {reason}"))
}

fn decompress_marker(stored: &Object, data: &Value) -> Result<Object> {
    let Value::String(data) = data else {
        return Err(corrupt("__compressed_data__ is not a string"));
    };
    match stored.get(ALGORITHM) {
        None => {}
        Some(Value::String(a)) if a == "gzip" => {}
        Some(other) => return Err(corrupt(format!("unsupported algorithm {other}"))),
    }
    match stored.get(VERSION) {
        None => {}
        Some(Value::Number(n)) if n.as_i64() == Some(1) => {}
        Some(other) => return Err(corrupt(format!("unsupported version {other}"))),
    }
    let gz = STANDARD
        .decode(data.as_bytes())
        .map_err(|e| corrupt(format!("bad base64: {e}")))?;
    let mut json = Vec::with_capacity(gz.len() * 4);
    MultiGzDecoder::new(gz.as_slice())
        .read_to_end(&mut json)
        .map_err(|e| corrupt(format!("bad gzip: {e}")))?;
    if std::str::from_utf8(&json).is_err() {
        return Err(corrupt("not UTF-8"));
    }
    parse_object(&json).ok_or_else(|| corrupt("not a JSON object"))
}

impl ValueCodec for CompressionCodec {
    fn encode(&self, value: Object) -> Result<Object> {
        if value.contains_key(DATA) {
            return Ok(value);
        }
        if self.min_size_to_compress > 0 && canonical_len(&value) < self.min_size_to_compress {
            return Ok(value);
        }
        Self::compress(&value)
    }

    fn decode(&self, stored: Object) -> Result<Option<Object>> {
        match Self::decompress(&stored) {
            None => Ok(Some(stored)),
            Some(result) => result.map(Some),
        }
    }
}
