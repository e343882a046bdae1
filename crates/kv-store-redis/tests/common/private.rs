//! A private `redis-server` for tests that stop it or read its statistics (never the shared
//! server of the run, whose other clients would disturb both).

use std::process::Command;
use std::time::Duration;

pub use kv_core::conformance::PrivateServer as Server;

/// Starts a private `redis-server` on `port` (no persistence) with `extra` arguments; `None`
/// (after printing why) when the binary is missing.
pub fn start(port: u16, extra: &[&str]) -> Option<Server> {
    let mut command = Command::new("redis-server");
    let port_text = port.to_string();
    command
        .args(["--bind", "127.0.0.1", "--port", &port_text])
        .args(["--save", "", "--appendonly", "no"])
        .args(extra);
    match Server::start(command, port, Duration::from_secs(10)) {
        Ok(server) => Some(server),
        Err(e) => {
            println!("SKIPPED: redis-server cannot be started: {e}");
            None
        }
    }
}
