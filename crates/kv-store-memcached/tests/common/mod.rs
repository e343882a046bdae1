//! Shared test helpers: the server address, a raw client, a private memcached.

#![allow(dead_code)]

use std::process::Command;
use std::time::Duration;

use async_memcached::{AsciiProtocol, Client};
use kv_core::conformance::RawAccess;
use kv_core::{Error, Result};
use kv_store_memcached::KeyStrategy;

/// `KV_TEST_MEMCACHED` (`host:port`), or `None` after printing why the test skips.
pub fn addr() -> Option<String> {
    kv_core::conformance::service_url("KV_TEST_MEMCACHED")
}

/// A plain async-memcached client for reading and writing items behind the store's back.
pub struct RawMemcached {
    pub addr: String,
    pub keys: KeyStrategy,
}

fn raw_err(e: async_memcached::Error) -> Error {
    Error::connection(format!("raw memcached: {e}"))
}

impl RawMemcached {
    pub fn new(addr: &str, keys: KeyStrategy) -> Self {
        RawMemcached {
            addr: format!("tcp://{addr}"),
            keys,
        }
    }

    pub async fn client(&self) -> Client {
        Client::new(&self.addr)
            .await
            .expect("raw memcached connection")
    }

    /// The raw bytes stored under a memcached key.
    pub async fn get(&self, mkey: &str) -> Option<Vec<u8>> {
        self.client()
            .await
            .get(mkey)
            .await
            .expect("raw get")
            .and_then(|v| v.data)
    }

    /// Stores raw bytes under a memcached key with an exptime.
    pub async fn set(&self, mkey: &str, bytes: &[u8], exptime: i64) {
        self.client()
            .await
            .set(mkey, bytes, Some(exptime), Some(0))
            .await
            .expect("raw set");
    }
}

#[async_trait::async_trait]
impl RawAccess for RawMemcached {
    async fn write_raw(&self, collection: &str, key: &str, bytes: &[u8]) -> Result<()> {
        let mkey = self.keys.memcached_key(collection, key)?;
        let mut client = Client::new(&self.addr).await.map_err(raw_err)?;
        client
            .set(mkey.as_str(), bytes, Some(0), Some(0))
            .await
            .map_err(raw_err)
    }

    async fn exists_raw(&self, collection: &str, key: &str) -> Result<bool> {
        let mkey = self.keys.memcached_key(collection, key)?;
        let mut client = Client::new(&self.addr).await.map_err(raw_err)?;
        Ok(client.get(mkey.as_str()).await.map_err(raw_err)?.is_some())
    }
}

/// A memcached of the test's own on a private loopback port (kv-core's [`PrivateServer`]:
/// killed on drop, and a start that finds the port taken fails instead of testing someone
/// else's server); `stop` and `spawn` restart it on the same port.
///
/// [`PrivateServer`]: kv_core::conformance::PrivateServer
pub struct PrivateServer {
    pub port: u16,
    process: Option<kv_core::conformance::PrivateServer>,
}

impl PrivateServer {
    /// Starts `memcached -l 127.0.0.1 -p <private port> -U 0 -m 64 -u root` and waits until it
    /// accepts connections.
    pub fn start() -> PrivateServer {
        let port = kv_core::conformance::private_port();
        let mut server = PrivateServer {
            port,
            process: None,
        };
        server.spawn();
        server
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// (Re)starts the process on the same port.
    pub fn spawn(&mut self) {
        let mut command = Command::new("memcached");
        command.args(["-l", "127.0.0.1", "-p", &self.port.to_string()]);
        command.args(["-U", "0", "-m", "64", "-u", "root"]);
        let process =
            kv_core::conformance::PrivateServer::start(command, self.port, Duration::from_secs(20))
                .expect("memcached on PATH (apt-get install memcached)");
        self.process = Some(process);
    }

    /// The running process's PID.
    pub fn pid(&self) -> u32 {
        self.process
            .as_ref()
            .map(kv_core::conformance::PrivateServer::pid)
            .expect("server running")
    }

    /// Sends `signal` (`-STOP`, `-CONT`) to the running process.
    pub fn signal(&self, signal: &str) {
        self.process
            .as_ref()
            .expect("server running")
            .signal(signal);
    }

    /// Kills the process (SIGKILL) and waits for it.
    pub fn stop(&mut self) {
        self.process = None;
    }
}
