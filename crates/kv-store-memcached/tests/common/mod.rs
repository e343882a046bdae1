//! Shared test helpers: the server address, a raw client, a private memcached.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// A memcached of the test's own on a free loopback port, killed (by PID) on drop.
pub struct PrivateServer {
    pub port: u16,
    child: Option<Child>,
}

impl PrivateServer {
    /// Starts `memcached -l 127.0.0.1 -p <free port> -U 0 -u root` and waits until it accepts.
    pub fn start() -> PrivateServer {
        let port = kv_core::conformance::private_port();
        let mut server = PrivateServer { port, child: None };
        server.spawn();
        server
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// (Re)starts the process on the same port.
    pub fn spawn(&mut self) {
        let child = Command::new("memcached")
            .args([
                "-l",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "0",
                "-m",
                "64",
                "-u",
                "root",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("memcached on PATH (apt-get install memcached)");
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "memcached did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The running process's PID.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("server running")
    }

    /// Kills the process (by its PID) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        self.stop();
    }
}
