//! Shared helpers of the Valkey integration tests: server URLs, a plain fred client, raw access.
#![allow(dead_code)]

pub mod private;

use fred::prelude::{Builder, Client, ClientLike, Config, KeysInterface, Value};
use kv_core::conformance::RawAccess;
use kv_core::{async_trait, Error, Result};

/// Standalone server URL (`KV_TEST_VALKEY_URL`), or `None` after printing why.
pub fn standalone() -> Option<String> {
    kv_core::conformance::service_url("KV_TEST_VALKEY_URL")
}

/// Cluster URL (`KV_TEST_VALKEY_CLUSTER_URL`), or `None` after printing why.
pub fn cluster() -> Option<String> {
    kv_core::conformance::service_url("KV_TEST_VALKEY_CLUSTER_URL")
}

/// `url` with its database number replaced by `db` (standalone URLs only).
pub fn with_db(url: &str, db: u32) -> String {
    let (scheme, rest) = url.split_once("://").expect("URL has a scheme");
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{db}")
}

/// A connected plain fred client, bypassing the store.
pub async fn plain(url: &str) -> Client {
    let client = Builder::from_config(Config::from_url(url).expect("valid URL"))
        .build()
        .expect("client builds");
    client.init().await.expect("plain client connects");
    client
}

fn err(e: fred::error::Error) -> Error {
    Error::backend(false, e.to_string())
}

/// Raw access in the store's layout (`C::K` strings) through a plain fred client.
pub struct RawValkey {
    pub variable: &'static str,
}

#[async_trait]
impl RawAccess for RawValkey {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let client = plain(&std::env::var(self.variable).unwrap_or_default()).await;
        let () = client
            .set(
                kv_core::compound_key(collection, key),
                Value::from(bytes),
                None,
                None,
                false,
            )
            .await
            .map_err(err)?;
        client.quit().await.map_err(err)
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let client = plain(&std::env::var(self.variable).unwrap_or_default()).await;
        let n: u32 = client
            .exists(kv_core::compound_key(collection, key))
            .await
            .map_err(err)?;
        client.quit().await.map_err(err)?;
        Ok(n > 0)
    }
}
