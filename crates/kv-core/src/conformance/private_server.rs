//! A server process a test starts itself: fault tests stop, pause and restart their own server,
//! never the shared one of the run (whose other clients would disturb them and be disturbed).

use std::path::PathBuf;
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
    /// Where the server's stderr goes, quoted when it fails to start; removed on drop.
    stderr_log: PathBuf,
}

impl PrivateServer {
    /// Spawns `command` (stdin and stdout to `/dev/null`, stderr to a temporary file quoted in
    /// any failure) and waits until `port` accepts connections on 127.0.0.1.
    ///
    /// `Err` when the program cannot be started (not installed: the caller decides to skip or
    /// fail); panics when it does not listen within `startup`, exits before listening, or exits
    /// at once after the port answered (it could not bind: the port belongs to someone else).
    pub fn start(command: Command, port: u16, startup: Duration) -> std::io::Result<Self> {
        match Self::launch(command, port, startup)? {
            Ok(server) => Ok(server),
            Err(failure) => panic!("{failure}"),
        }
    }

    /// Like [`start`](Self::start) on a port of [`private_port`](super::private_port), with
    /// the command `make(port)` builds; a server that exits before listening is tried again on
    /// another port (three attempts, then a panic quoting each attempt's stderr). Returns the
    /// server and its port (for restarting it on the same one).
    pub fn start_on_free_port(
        make: impl Fn(u16) -> Command,
        startup: Duration,
    ) -> std::io::Result<(Self, u16)> {
        let mut failures = Vec::new();
        for _ in 0..3 {
            let port = super::private_port();
            match Self::launch(make(port), port, startup)? {
                Ok(server) => return Ok((server, port)),
                Err(failure) => failures.push(failure),
            }
        }
        panic!("{}", failures.join("\n"))
    }

    /// Spawns and waits; the inner `Err` describes a server that exited before listening.
    fn launch(
        mut command: Command,
        port: u16,
        startup: Duration,
    ) -> std::io::Result<Result<Self, String>> {
        let program = command.get_program().to_string_lossy().into_owned();
        static LAUNCHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let launch = LAUNCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let stderr_log = std::env::temp_dir().join(format!(
            "kv-private-server-{}-{port}-{launch}.stderr",
            std::process::id()
        ));
        let stderr = std::fs::File::create(&stderr_log)?;
        let child = match command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_file(&stderr_log);
                return Err(e);
            }
        };
        let mut server = PrivateServer {
            child,
            program,
            stderr_log,
        };
        let deadline = Instant::now() + startup;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "private {} did not listen on port {port} within {startup:?}{}",
                server.program,
                server.stderr_tail()
            );
            if !matches!(server.child.try_wait(), Ok(None)) {
                return Ok(Err(format!(
                    "private {} exited before listening on port {port}{}",
                    server.program,
                    server.stderr_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            matches!(server.child.try_wait(), Ok(None)),
            "private {} on port {port} exited at start (is the port taken?){}",
            server.program,
            server.stderr_tail()
        );
        Ok(Ok(server))
    }

    /// The last lines the server wrote to stderr, as a suffix for a message.
    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.stderr_log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n  ");
        if tail.is_empty() {
            "; it wrote nothing to stderr".to_owned()
        } else {
            format!("; its stderr ends with:\n  {tail}")
        }
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
        let _ = std::fs::remove_file(&self.stderr_log);
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
    fn a_server_that_exits_at_once_is_tried_three_times_and_its_stderr_quoted() {
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            PrivateServer::start_on_free_port(
                |port| {
                    attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let mut command = Command::new("sh");
                    command.args(["-c", &format!("echo cannot serve {port} >&2; exit 3")]);
                    command
                },
                Duration::from_secs(10),
            )
        }));
        let message = match outcome {
            Ok(_) => panic!("a server that never listens was reported started"),
            Err(panic) => panic.downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 3);
        assert_eq!(
            message.matches("exited before listening").count(),
            3,
            "{message}"
        );
        assert_eq!(message.matches("cannot serve").count(), 3, "{message}");
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
