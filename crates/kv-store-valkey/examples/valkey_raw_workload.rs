//! The benchmark workload on the bare client (a fred pool), no kv in between: the same
//! commands (`SET … PX`, `GET`, `MGET`, `MSET` / a pipeline of `SET … PX`) with the same bytes,
//! on a standalone server. `cargo xtask bench valkey` runs it next to `kv bench`; by hand:
//! `cargo run --release -p kv-store-valkey --example valkey_raw_workload -- redis://127.0.0.1:6380/0 out.jsonl --quick`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use fred::prelude::{Builder, ClientLike, Config, Expiration, KeysInterface, Pool, Value};
use fred::types::Key;
use kv_bench::raw::{compound, envelope_bytes, example_main};
use kv_bench::Workload;
use kv_core::{async_trait, Error, Object, Result};

struct RawValkey(Pool);

fn fail(e: impl std::fmt::Display) -> Error {
    Error::backend(true, e.to_string())
}

fn px(millis: Option<u64>) -> Option<Expiration> {
    millis.map(|ms| Expiration::PX(ms as i64))
}

#[async_trait]
impl Workload for RawValkey {
    async fn put(&self, key: &str, value: Object, ttl: Option<Duration>) -> Result<()> {
        let (bytes, millis) = envelope_bytes(key, value, ttl);
        let client = self.0.next();
        client
            .set::<(), _, _>(compound(key), bytes, px(millis), None, false)
            .await
            .map_err(fail)
    }

    async fn get(&self, key: &str) -> Result<bool> {
        let value: Option<Vec<u8>> = self.0.next().get(compound(key)).await.map_err(fail)?;
        Ok(value.is_some())
    }

    async fn get_many(&self, keys: &[String]) -> Result<usize> {
        let keys: Vec<Key> = keys.iter().map(|k| Key::from(compound(k))).collect();
        let values: Vec<Option<Vec<u8>>> = self.0.next().mget(keys).await.map_err(fail)?;
        Ok(values.iter().filter(|v| v.is_some()).count())
    }

    async fn put_many(&self, entries: Vec<(String, Object)>, ttl: Option<Duration>) -> Result<()> {
        let client = self.0.next();
        if ttl.is_none() {
            let pairs: Vec<(Key, Value)> = entries
                .into_iter()
                .map(|(key, value)| {
                    let bytes = envelope_bytes(&key, value, None).0;
                    (Key::from(compound(&key)), Value::from(bytes))
                })
                .collect();
            return client.mset(pairs).await.map_err(fail);
        }
        let pipe = client.pipeline();
        for (key, value) in entries {
            let (bytes, millis) = envelope_bytes(&key, value, ttl);
            let () = pipe
                .set(compound(&key), bytes, px(millis), None, false)
                .await
                .map_err(fail)?;
        }
        let _: Vec<Value> = pipe.all().await.map_err(fail)?;
        Ok(())
    }

    async fn delete_many(&self, keys: &[String]) -> Result<()> {
        let keys: Vec<Key> = keys.iter().map(|k| Key::from(compound(k))).collect();
        let _: usize = self.0.next().del(keys).await.map_err(fail)?;
        Ok(())
    }
}

fn main() -> ExitCode {
    example_main("valkey", |url| async move {
        let config = Config::from_url(&url).map_err(fail)?;
        // kv's default pool size.
        let pool = Builder::from_config(config)
            .build_pool(kv_store_valkey::DEFAULT_POOL_SIZE)
            .map_err(fail)?;
        pool.init().await.map_err(fail)?;
        Ok(Arc::new(RawValkey(pool)) as Arc<dyn Workload>)
    })
}
