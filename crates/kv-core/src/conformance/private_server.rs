//! A server process a test starts itself: fault tests stop, pause and restart their own server,
//! never the shared one of the run (whose other clients would disturb them and be disturbed).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process started by [`PrivateServer::start`] on a loopback port; killed (SIGKILL)
/// and reaped when dropped.
///
/// ```no_run
/// use std::process::Command;
/// use std::time::Duration;
/// use kv_core::conformance::{private_port, PrivateServer};
///
/// let port = private_port();
/// let mut command = Command::new("redis-server");
/// command.args(["--bind", "127.0.0.1", "--port", &port.to_string()]);
/// let server = PrivateServer::start(command, port, Duration::from_secs(10))
///     .expect("redis-server is installed");
/// server.signal("-STOP"); // pause it; dropping it kills it
/// ```
#[derive(Debug)]
pub struct PrivateServer {
    child: Child,
    program: String,
}

impl PrivateServer {
    /// Spawns `command` (stdin, stdout and stderr to `/dev/null`) and waits until `port`
    /// accepts connections on 127.0.0.1.
    ///
    /// `Err` when the program cannot be started (not installed: the caller decides to skip or
    /// fail); panics when it does not listen within `startup`, or exits at once after the
    /// port answered (it could not bind: the port belongs to someone else).
    pub fn start(mut command: Command, port: u16, startup: Duration) -> std::io::Result<Self> {
        let program = command.get_program().to_string_lossy().into_owned();
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut server = PrivateServer { child, program };
        let deadline = Instant::now() + startup;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "private {} did not listen on port {port} within {startup:?}",
                server.program
            );
            assert!(
                matches!(server.child.try_wait(), Ok(None)),
                "private {} exited before listening on port {port}",
                server.program
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            matches!(server.child.try_wait(), Ok(None)),
            "private {} on port {port} exited at start (is the port taken?)",
            server.program
        );
        Ok(server)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (as `kill` spells it: `-STOP`, `-CONT`, `-TERM`) to this server's own
    /// process, never anyone else's.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {} failed", self.program);
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::conformance::private_port;

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let command = Command::new("kv-no-such-server-binary");
        assert!(PrivateServer::start(command, private_port(), Duration::from_secs(1)).is_err());
    }

    #[test]
    fn a_listener_is_waited_for_and_killed_on_drop() {
        let port = private_port();
        let mut command = Command::new("python3");
        command.args([
            "-c",
            &format!(
                "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',{port}))\ns.listen()\ntime.sleep(60)"
            ),
        ]);
        let Ok(server) = PrivateServer::start(command, port, Duration::from_secs(20)) else {
            println!("SKIPPED: python3 is not installed");
            return;
        };
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        drop(server);
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
