//! The connection pool: bb8 over async-memcached clients.
//!
//! A memcached text-protocol connection carries one command at a time, and async-memcached
//! closes a client for good when a call is cancelled or fails mid-reply. So every checked-out
//! connection is handed back as *broken* (and bb8 drops it) when its client reports closed or a
//! call on it failed; and when a call shows that the server went away (I/O error), the pool's
//! generation is bumped so that idle connections opened before are discarded at checkout instead
//! of failing one by one after a server restart.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_memcached::{Client, Error as McError};
use bb8::PooledConnection;
use kv_core::{Error, Result};

use crate::error::{command_timeout, from_memcached, pool_timeout, Damage};

/// Opens connections for the pool, stamping each with the current generation.
pub(crate) struct Manager {
    address: String,
    connect_timeout: Duration,
    generation: Arc<AtomicU64>,
}

/// One pooled connection.
pub(crate) struct Conn {
    pub(crate) client: Client,
    generation: u64,
    broken: bool,
}

impl bb8::ManageConnection for Manager {
    type Connection = Conn;
    type Error = McError;

    async fn connect(&self) -> std::result::Result<Conn, McError> {
        let generation = self.generation.load(Ordering::Acquire);
        let client =
            match tokio::time::timeout(self.connect_timeout, Client::new(&self.address)).await {
                Ok(client) => client?,
                Err(_) => {
                    return Err(McError::Connect(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "connect timed out",
                    )))
                }
            };
        Ok(Conn {
            client,
            generation,
            broken: false,
        })
    }

    async fn is_valid(&self, conn: &mut Conn) -> std::result::Result<(), McError> {
        conn.client.version().await.map(|_| ())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken || conn.client.is_closed()
    }
}

/// Receives bb8's background connect errors so a caller waiting for a connection fails at once
/// with the real cause (refused, unreachable) instead of waiting for the pool timeout.
#[derive(Default)]
pub(crate) struct ConnectErrors {
    last: parking_lot::Mutex<Option<(kv_core::ErrorKind, String)>>,
    notify: tokio::sync::Notify,
}

/// The bb8 error sink feeding [`ConnectErrors`].
#[derive(Clone)]
pub(crate) struct Sink(Arc<ConnectErrors>);

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sink")
    }
}

impl bb8::ErrorSink<McError> for Sink {
    fn sink(&self, error: McError) {
        let (err, _) = from_memcached(error);
        *self.0.last.lock() = Some((err.kind().clone(), err.to_string()));
        self.0.notify.notify_waiters();
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<McError>> {
        Box::new(self.clone())
    }
}

/// The store's pool, built on first use (bb8 needs a running Tokio runtime; building the
/// store must not).
pub(crate) struct Pool {
    pool: OnceLock<bb8::Pool<Manager>>,
    config: PoolConfig,
    errors: Arc<ConnectErrors>,
    generation: Arc<AtomicU64>,
}

/// Pool settings.
pub(crate) struct PoolConfig {
    pub(crate) address: String,
    pub(crate) max_size: u32,
    pub(crate) connect_timeout: Duration,
    pub(crate) command_timeout: Duration,
}

impl Pool {
    /// A pool that opens no connection until the first checkout.
    pub(crate) fn new(config: PoolConfig) -> Pool {
        Pool {
            pool: OnceLock::new(),
            config,
            errors: Arc::new(ConnectErrors::default()),
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    fn pool(&self) -> &bb8::Pool<Manager> {
        self.pool.get_or_init(|| {
            let manager = Manager {
                address: self.config.address.clone(),
                connect_timeout: self.config.connect_timeout,
                generation: Arc::clone(&self.generation),
            };
            bb8::Pool::builder()
                .max_size(self.config.max_size)
                .min_idle(None)
                .test_on_check_out(false)
                .retry_connection(false)
                .connection_timeout(self.config.connect_timeout)
                .error_sink(Box::new(Sink(Arc::clone(&self.errors))))
                .build_unchecked(manager)
        })
    }

    /// Checks out a connection opened since the server was last seen failing.
    pub(crate) async fn get(&self) -> Result<Guard<'_>> {
        let max_attempts = self.config.max_size as usize + 2;
        for _ in 0..max_attempts {
            let mut conn = self.checkout().await?;
            if conn.generation >= self.generation.load(Ordering::Acquire)
                && !conn.client.is_closed()
            {
                return Ok(Guard { conn, pool: self });
            }
            conn.broken = true;
        }
        Err(pool_timeout(self.config.connect_timeout))
    }

    async fn checkout(&self) -> Result<PooledConnection<'_, Manager>> {
        let failed = self.errors.notify.notified();
        tokio::select! {
            biased;
            conn = self.pool().get() => conn.map_err(|e| match e {
                bb8::RunError::User(e) => from_memcached(e).0,
                bb8::RunError::TimedOut => pool_timeout(self.config.connect_timeout),
            }),
            () = failed => {
                let cause = self.errors.last.lock().clone();
                Err(match cause {
                    Some((kind, message)) => Error::new(kind, message),
                    None => pool_timeout(self.config.connect_timeout),
                })
            }
        }
    }
}

/// A checked-out connection; calls on it run under the command timeout.
pub(crate) struct Guard<'a> {
    conn: PooledConnection<'a, Manager>,
    pool: &'a Pool,
}

impl Guard<'_> {
    /// Runs one call on the client under the command timeout; a failure retires the connection
    /// (and, when the server went away, every connection opened before it).
    pub(crate) async fn run<'c, T, F, Fut>(&'c mut self, call: F) -> Result<T>
    where
        F: FnOnce(&'c mut Client) -> Fut,
        Fut: Future<Output = std::result::Result<T, McError>> + 'c,
    {
        let timeout = self.pool.config.command_timeout;
        let generation = &self.pool.generation;
        let conn = &mut *self.conn;
        let outcome = tokio::time::timeout(timeout, call(&mut conn.client)).await;
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => {
                let (err, damage) = from_memcached(err);
                match damage {
                    Damage::None => {}
                    Damage::Connection => conn.broken = true,
                    Damage::Server => {
                        conn.broken = true;
                        generation.fetch_max(conn.generation + 1, Ordering::AcqRel);
                    }
                }
                Err(err)
            }
            Err(_) => {
                // The cancelled call closed the client; make sure it never goes back to the pool.
                conn.broken = true;
                Err(command_timeout(timeout))
            }
        }
    }
}
