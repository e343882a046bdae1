//! The connection pool: a bb8 pool the store builds (connections it can retire when they break)
//! or a user's `bb8::Pool<bb8_redis::RedisConnectionManager>` (never closed by the store).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bb8::PooledConnection;
use bb8_redis::RedisConnectionManager;
use kv_core::Result;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, FromRedisValue, RedisError};

use crate::error::{breaks_connection, from_pool, from_redis};

/// Connects for the store's own pool, with the configured timeouts.
pub(crate) struct Manager {
    client: Client,
    config: AsyncConnectionConfig,
}

impl Manager {
    pub(crate) fn new(
        client: Client,
        connect_timeout: Duration,
        command_timeout: Duration,
    ) -> Self {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(connect_timeout))
            .set_response_timeout(Some(command_timeout));
        Manager { client, config }
    }
}

/// A pooled connection that remembers whether it broke (then bb8 drops it instead of reusing it).
pub(crate) struct Conn {
    conn: MultiplexedConnection,
    broken: bool,
}

impl bb8::ManageConnection for Manager {
    type Connection = Conn;
    type Error = RedisError;

    async fn connect(&self) -> Result<Conn, RedisError> {
        let conn = self
            .client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        Ok(Conn {
            conn,
            broken: false,
        })
    }

    async fn is_valid(&self, conn: &mut Conn) -> Result<(), RedisError> {
        redis::cmd("PING").query_async::<()>(&mut conn.conn).await
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken
    }
}

/// Receives bb8's background connection errors so a caller waiting for a connection fails
/// at once with the real cause (refused, authentication) instead of a pool timeout.
#[derive(Default)]
pub(crate) struct ConnectErrors {
    last: parking_lot::Mutex<Option<RedisError>>,
    notify: tokio::sync::Notify,
}

impl fmt::Debug for ConnectErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConnectErrors")
    }
}

/// The bb8 error sink feeding [`ConnectErrors`].
#[derive(Debug, Clone)]
pub(crate) struct Sink(pub(crate) Arc<ConnectErrors>);

impl bb8::ErrorSink<RedisError> for Sink {
    fn sink(&self, error: RedisError) {
        *self.0.last.lock() = Some(error);
        self.0.notify.notify_waiters();
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<RedisError>> {
        Box::new(self.clone())
    }
}

/// The store's pool or the user's.
#[derive(Clone)]
pub(crate) enum Pool {
    /// Built and owned by the store.
    Owned(bb8::Pool<Manager>, Arc<ConnectErrors>),
    /// Given by the user; never closed by the store.
    User(bb8::Pool<RedisConnectionManager>),
}

impl Pool {
    /// Checks a connection out of the pool.
    pub(crate) async fn get(&self, command_timeout: Duration) -> Result<Guard<'_>> {
        match self {
            Pool::Owned(pool, errors) => {
                let failed = errors.notify.notified();
                tokio::select! {
                    biased;
                    conn = pool.get() => Ok(Guard::Owned(conn.map_err(from_pool)?)),
                    () = failed => {
                        let cause = errors.last.lock().clone();
                        Err(cause.map_or_else(|| from_pool(bb8::RunError::TimedOut), from_redis))
                    }
                }
            }
            Pool::User(pool) => {
                let mut conn = pool.get().await.map_err(from_pool)?;
                conn.set_response_timeout(command_timeout);
                Ok(Guard::User { conn, pool })
            }
        }
    }
}

/// A checked-out connection.
pub(crate) enum Guard<'a> {
    Owned(PooledConnection<'a, Manager>),
    User {
        conn: PooledConnection<'a, RedisConnectionManager>,
        pool: &'a bb8::Pool<RedisConnectionManager>,
    },
}

impl Guard<'_> {
    /// The connection to send commands on.
    pub(crate) fn conn(&mut self) -> &mut MultiplexedConnection {
        match self {
            Guard::Owned(c) => &mut c.conn,
            Guard::User { conn, .. } => conn,
        }
    }

    /// Runs a command; on a connection failure the connection is retired (own pool) or
    /// replaced by a fresh one (user pool) so the next call works once the server is back.
    pub(crate) async fn query<T: FromRedisValue>(&mut self, cmd: &redis::Cmd) -> Result<T> {
        let result = cmd.query_async(self.conn()).await;
        self.check(result).await
    }

    /// Runs a pipeline (one round trip), with the same failure handling as [`Guard::query`].
    pub(crate) async fn query_pipe<T: FromRedisValue>(
        &mut self,
        pipe: &redis::Pipeline,
    ) -> Result<T> {
        let result = pipe.query_async(self.conn()).await;
        self.check(result).await
    }

    async fn check<T>(&mut self, result: redis::RedisResult<T>) -> Result<T> {
        match result {
            Ok(v) => Ok(v),
            Err(err) => {
                if breaks_connection(&err) {
                    self.retire().await;
                }
                Err(from_redis(err))
            }
        }
    }

    /// Marks the connection unusable.
    pub(crate) async fn retire(&mut self) {
        match self {
            Guard::Owned(c) => c.broken = true,
            Guard::User { conn, pool } => {
                if let Ok(fresh) = pool.dedicated_connection().await {
                    **conn = fresh;
                }
            }
        }
    }
}
