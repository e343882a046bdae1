//! Shared helpers of the Redis integration tests: the server URL, a plain client, raw access.
#![allow(dead_code)]

pub mod private;

use kv_core::conformance::RawAccess;
use kv_core::{async_trait, Error, Result};
use redis::aio::MultiplexedConnection;

/// The URL of the test server, or `None` (after printing why) when `KV_TEST_REDIS_URL` is unset.
pub fn url() -> Option<String> {
    kv_core::conformance::service_url("KV_TEST_REDIS_URL")
}

/// `url` with its database number replaced by `db`.
pub fn with_db(url: &str, db: u32) -> String {
    let (scheme, rest) = url.split_once("://").expect("URL has a scheme");
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{db}")
}

/// A plain redis-rs connection, bypassing the store.
pub async fn plain(url: &str) -> MultiplexedConnection {
    redis::Client::open(url)
        .expect("valid URL")
        .get_multiplexed_async_connection()
        .await
        .expect("plain client connects")
}

fn err(e: redis::RedisError) -> Error {
    Error::backend(false, e.to_string())
}

/// Raw access in the store's layout (`C::K` strings) through a plain client.
pub struct RawRedis {
    pub url: String,
}

impl RawRedis {
    /// Raw access to the server of `KV_TEST_REDIS_URL` (a no-op without it).
    pub fn from_env() -> Self {
        RawRedis {
            url: std::env::var("KV_TEST_REDIS_URL").unwrap_or_default(),
        }
    }
}

#[async_trait]
impl RawAccess for RawRedis {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let mut conn = plain(&self.url).await;
        redis::cmd("SET")
            .arg(kv_core::compound_key(collection, key))
            .arg(bytes)
            .query_async::<()>(&mut conn)
            .await
            .map_err(err)
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let mut conn = plain(&self.url).await;
        let n: u32 = redis::cmd("EXISTS")
            .arg(kv_core::compound_key(collection, key))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(n > 0)
    }
}
