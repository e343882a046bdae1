//! A private `valkey-server` for tests that stop it or read its statistics (never the shared
//! server of the run, whose other clients would disturb both).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private server process, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a private `valkey-server` on `port` (no persistence) with `extra` arguments; `None`
/// (after printing why) when the binary is missing.
pub fn start(port: u16, extra: &[&str]) -> Option<Server> {
    let child = Command::new("valkey-server")
        .args([
            "--bind",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(child) = child else {
        println!("SKIPPED: valkey-server is not on PATH");
        return None;
    };
    let mut server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "private valkey-server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // A server that could not bind exits: then the port answered for someone else.
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        matches!(server.0.try_wait(), Ok(None)),
        "private valkey-server on port {port} exited at start"
    );
    Some(server)
}
