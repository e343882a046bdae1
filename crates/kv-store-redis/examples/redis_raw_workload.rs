//! The benchmark workload on the bare client (bb8 + bb8-redis), no kv in between: the same
//! commands (`SET … PX`, `GET`, `MGET`, `MSET` / a pipeline of `SET … PX`) with the same bytes.
//! `cargo xtask bench redis` runs it next to `kv bench`; by hand:
//! `cargo run --release -p kv-store-redis --example redis_raw_workload -- redis://127.0.0.1:6379/0 out.jsonl --quick`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bb8_redis::RedisConnectionManager;
use kv_bench::raw::{compound, envelope_bytes, example_main};
use kv_bench::Workload;
use kv_core::{async_trait, Error, Object, Result};

struct RawRedis(bb8::Pool<RedisConnectionManager>);

fn fail(e: impl std::fmt::Display) -> Error {
    Error::backend(true, e.to_string())
}

impl RawRedis {
    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T> {
        let mut conn = self.0.get().await.map_err(fail)?;
        cmd.query_async(&mut *conn).await.map_err(fail)
    }
}

#[async_trait]
impl Workload for RawRedis {
    async fn put(&self, key: &str, value: Object, ttl: Option<Duration>) -> Result<()> {
        let (bytes, millis) = envelope_bytes(key, value, ttl);
        let mut cmd = redis::cmd("SET");
        cmd.arg(compound(key)).arg(bytes);
        if let Some(ms) = millis {
            cmd.arg("PX").arg(ms);
        }
        self.query::<()>(&cmd).await
    }

    async fn get(&self, key: &str) -> Result<bool> {
        let value: Option<Vec<u8>> = self.query(redis::cmd("GET").arg(compound(key))).await?;
        Ok(value.is_some())
    }

    async fn get_many(&self, keys: &[String]) -> Result<usize> {
        let mut cmd = redis::cmd("MGET");
        for key in keys {
            cmd.arg(compound(key));
        }
        let values: Vec<Option<Vec<u8>>> = self.query(&cmd).await?;
        Ok(values.iter().filter(|v| v.is_some()).count())
    }

    async fn put_many(&self, entries: Vec<(String, Object)>, ttl: Option<Duration>) -> Result<()> {
        let mut conn = self.0.get().await.map_err(fail)?;
        if ttl.is_none() {
            let mut cmd = redis::cmd("MSET");
            for (key, value) in entries {
                cmd.arg(compound(&key))
                    .arg(envelope_bytes(&key, value, None).0);
            }
            return cmd.query_async(&mut *conn).await.map_err(fail);
        }
        let mut pipe = redis::pipe();
        for (key, value) in entries {
            let (bytes, millis) = envelope_bytes(&key, value, ttl);
            pipe.cmd("SET")
                .arg(compound(&key))
                .arg(bytes)
                .arg("PX")
                .arg(millis)
                .ignore();
        }
        pipe.query_async(&mut *conn).await.map_err(fail)
    }

    async fn delete_many(&self, keys: &[String]) -> Result<()> {
        let mut cmd = redis::cmd("DEL");
        for key in keys {
            cmd.arg(compound(key));
        }
        self.query::<usize>(&cmd).await.map(drop)
    }
}

fn main() -> ExitCode {
    example_main("redis", |url| async move {
        let manager = RedisConnectionManager::new(url.as_str()).map_err(fail)?;
        // kv's pool settings: its size, and no health check (a `PING` round trip) on every
        // checkout.
        let pool = bb8::Pool::builder()
            .max_size(16)
            .test_on_check_out(false)
            .build(manager)
            .await
            .map_err(fail)?;
        Ok(Arc::new(RawRedis(pool)) as Arc<dyn Workload>)
    })
}
