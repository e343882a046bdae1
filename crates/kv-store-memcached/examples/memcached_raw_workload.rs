//! The benchmark workload on the bare client (async-memcached connections in a bb8 pool, as the
//! store uses them), no kv in between: `set` with the same bytes and exptime, `get`, one
//! multi-key `get` per batch, one pipelined `set_multi` per batch.
//! `cargo xtask bench memcached` runs it next to `kv bench`; by hand:
//! `cargo run --release -p kv-store-memcached --example memcached_raw_workload -- memcached://127.0.0.1:11211 out.jsonl --quick`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use async_memcached::{AsciiProtocol, Client, Error as McError, Status};
use kv_bench::raw::{compound, envelope_bytes, example_main};
use kv_bench::Workload;
use kv_core::{async_trait, Error, Object, Result};

struct Manager(String);

impl bb8::ManageConnection for Manager {
    type Connection = Client;
    type Error = McError;

    async fn connect(&self) -> std::result::Result<Client, McError> {
        Client::new(self.0.as_str()).await
    }

    async fn is_valid(&self, conn: &mut Client) -> std::result::Result<(), McError> {
        conn.version().await.map(drop)
    }

    fn has_broken(&self, conn: &mut Client) -> bool {
        conn.is_closed()
    }
}

struct RawMemcached(bb8::Pool<Manager>);

fn fail(e: impl std::fmt::Debug) -> Error {
    Error::backend(true, format!("{e:?}"))
}

fn exptime(ttl: Option<Duration>) -> i64 {
    ttl.map_or(0, |t| t.as_secs_f64().ceil() as i64)
}

#[async_trait]
impl Workload for RawMemcached {
    async fn put(&self, key: &str, value: Object, ttl: Option<Duration>) -> Result<()> {
        let doc = envelope_bytes(key, value, ttl).0;
        let mut conn = self.0.get().await.map_err(fail)?;
        conn.set(
            compound(key).as_str(),
            doc.as_str(),
            Some(exptime(ttl)),
            Some(0),
        )
        .await
        .map_err(fail)
    }

    async fn get(&self, key: &str) -> Result<bool> {
        let mut conn = self.0.get().await.map_err(fail)?;
        let value = conn.get(compound(key).as_str()).await.map_err(fail)?;
        Ok(value.is_some_and(|v| v.data.is_some()))
    }

    async fn get_many(&self, keys: &[String]) -> Result<usize> {
        let keys: Vec<String> = keys.iter().map(|k| compound(k)).collect();
        let mut conn = self.0.get().await.map_err(fail)?;
        match conn.get_multi(&keys).await {
            Ok(values) => Ok(values.iter().filter(|v| v.data.is_some()).count()),
            Err(McError::Protocol(Status::NotFound)) => Ok(0),
            Err(e) => Err(fail(e)),
        }
    }

    async fn put_many(&self, entries: Vec<(String, Object)>, ttl: Option<Duration>) -> Result<()> {
        let docs: Vec<(String, String)> = entries
            .into_iter()
            .map(|(key, value)| (compound(&key), envelope_bytes(&key, value, ttl).0))
            .collect();
        let pairs: Vec<(&str, &str)> = docs.iter().map(|(k, d)| (k.as_str(), d.as_str())).collect();
        let mut conn = self.0.get().await.map_err(fail)?;
        let results = conn
            .set_multi(&pairs, Some(exptime(ttl)), Some(0))
            .await
            .map_err(fail)?;
        match results.into_iter().find_map(|(_, r)| r.err()) {
            None => Ok(()),
            Some(e) => Err(fail(e)),
        }
    }

    /// Cleaning between repetitions (untimed): one pipeline of `delete … noreply`, then
    /// `version` to know memcached ran them.
    async fn delete_many(&self, keys: &[String]) -> Result<()> {
        let mut conn = self.0.get().await.map_err(fail)?;
        let keys: Vec<String> = keys.iter().map(|k| compound(k)).collect();
        conn.delete_multi_no_reply(&keys).await.map_err(fail)?;
        conn.version().await.map_err(fail)?;
        Ok(())
    }
}

fn main() -> ExitCode {
    example_main("memcached", |url| async move {
        let address = url
            .trim_start_matches("memcached://")
            .trim_end_matches('/')
            .to_owned();
        // kv's pool settings: no health check (a `version` round trip) on every checkout.
        let pool = bb8::Pool::builder()
            .max_size(kv_store_memcached::DEFAULT_POOL_SIZE)
            .test_on_check_out(false)
            .build(Manager(format!("tcp://{address}")))
            .await
            .map_err(fail)?;
        Ok(Arc::new(RawMemcached(pool)) as Arc<dyn Workload>)
    })
}
