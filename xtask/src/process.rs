//! Small process helpers: run a command loudly, find a binary on PATH, check and stop a PID.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// A shell-like rendering of a command, for logs.
pub fn display(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// Runs `cmd` with inherited stdio, failing with the command line when it does not succeed.
pub fn run(cmd: &mut Command) -> Result<()> {
    println!("$ {}", display(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("starting `{}`", display(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

/// Runs `cmd` quietly and tells whether it succeeded (false if it cannot be started).
pub fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `cmd` quietly and returns its trimmed stdout if it succeeded.
pub fn output_of(cmd: &mut Command) -> Option<String> {
    let output = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The first executable called `name` on PATH.
pub fn which(name: impl AsRef<OsStr>) -> Option<PathBuf> {
    let name = name.as_ref();
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Whether we run as root (so apt-get needs no sudo and memcached needs `-u root`).
pub fn is_root() -> bool {
    output_of(Command::new("id").arg("-u")).is_some_and(|uid| uid == "0")
}

/// Whether a process with this PID exists (and is not a zombie, where `/proc` tells).
pub fn is_alive(pid: u32) -> bool {
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesized command name.
        return stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X");
    }
    succeeds(Command::new("kill").args(["-0", &pid.to_string()]))
}

/// Whether the process with this PID runs `binary` (checked on `/proc/<pid>/cmdline` where it
/// exists), so a recycled PID is never signalled.
pub fn runs_binary(pid: u32, binary: &str) -> bool {
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => {
            // The program, or the script an interpreter runs (PyPI console scripts such as
            // nx-27017 show up as `…/python3 …/bin/nx-27017`).
            cmdline.split(|b| *b == 0).take(2).any(|arg| {
                let program = String::from_utf8_lossy(arg);
                let base = program.split(['/', ' ']).find(|s| s.contains(binary));
                base.is_some() || program.contains(binary)
            })
        }
        Err(_) => is_alive(pid),
    }
}

/// Stops the process `pid`: SIGTERM, then SIGKILL if it is still alive after `grace`.
pub fn terminate(pid: u32, grace: Duration) -> Result<()> {
    let pid_text = pid.to_string();
    if !is_alive(pid) {
        return Ok(());
    }
    // A failing kill means the process is already gone (or not ours, which the caller ruled out).
    let _ = Command::new("kill")
        .args(["-TERM", &pid_text])
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if !is_alive(pid) {
            return Ok(());
        }
        sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .args(["-KILL", &pid_text])
        .stderr(Stdio::null())
        .status();
    sleep(Duration::from_millis(100));
    if is_alive(pid) {
        bail!("process {pid} does not stop");
    }
    Ok(())
}
