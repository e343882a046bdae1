//! The Secret Service behind the `keyring` backend (test-services.md §3.10): a private D-Bus
//! session bus (`dbus-daemon`, socket in the state directory) and an unlocked headless
//! `gnome-keyring-daemon` started on it before any client can auto-activate a locked one.
//! Each process has its own state directory (`keyring` for the keyring daemon, `keyring-dbus`
//! for the bus, with `xtask.pid`), so `services down` stops them like any service: the keyring
//! daemon first, then the bus.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::envfile;
use crate::process;
use crate::services;

const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// The password of the test keyring (created on first start, unlocked on later ones).
const KEYRING_PASSWORD: &str = "kv-test-password";

/// Starts the bus and the keyring daemon unless they run. `Ok(None)`: not installed.
pub fn start(state: &Path) -> Result<Option<String>> {
    let (Some(dbus), Some(gkd), Some(dbus_send)) = (
        process::which("dbus-daemon"),
        process::which("gnome-keyring-daemon"),
        process::which("dbus-send"),
    ) else {
        println!(
            "{:<12} not installed (`dbus-daemon`/`gnome-keyring-daemon` not on PATH), skipped; \
             `cargo xtask services install` installs them",
            "keyring"
        );
        return Ok(None);
    };
    let dir = state.join("keyring");
    let bus_dir = state.join("keyring-dbus");
    if services::running_pid(&dir).is_some() && services::running_pid(&bus_dir).is_some() {
        return Ok(Some("already running".into()));
    }
    services::stop(&dir)?;
    services::stop(&bus_dir)?;
    let home = dir.join("home");
    let xdg = dir.join("xdg");
    fs::create_dir_all(&home).with_context(|| format!("creating {}", home.display()))?;
    fs::create_dir_all(&xdg).with_context(|| format!("creating {}", xdg.display()))?;
    fs::set_permissions(&xdg, fs::Permissions::from_mode(0o700))?;
    fs::create_dir_all(&bus_dir).with_context(|| format!("creating {}", bus_dir.display()))?;
    let socket = bus_dir.join("bus.sock");
    let _ = fs::remove_file(&socket);
    let address = format!("unix:path={}", socket.display());
    let started = Instant::now();

    // 1) The private session bus; it prints its PID on stdout.
    let output = Command::new(&dbus)
        .args(["--session", "--fork", "--nopidfile", "--print-pid"])
        .arg(format!("--address={address}"))
        .stdin(Stdio::null())
        .output()
        .context("starting dbus-daemon")?;
    let pid: u32 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .with_context(|| format!("dbus-daemon printed no PID: {output:?}"))?;
    services::record(&bus_dir, pid, &dbus)?;

    // 2) The keyring daemon, unlocked with the password on stdin, before any client.
    let env = |cmd: &mut Command| {
        cmd.env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &xdg)
            .env("DBUS_SESSION_BUS_ADDRESS", &address);
    };
    let mut keyring = Command::new(&gkd);
    keyring
        .args(["--daemonize", "--unlock", "--components=secrets"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    env(&mut keyring);
    let mut child = keyring.spawn().context("starting gnome-keyring-daemon")?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(KEYRING_PASSWORD.as_bytes())?;
    }
    let status = child.wait()?;
    if !status.success() {
        let _ = services::stop(&bus_dir);
        bail!("gnome-keyring-daemon exited with {status}");
    }

    // Ready when org.freedesktop.secrets answers; its PID comes from the bus.
    let deadline = Instant::now() + READY_TIMEOUT;
    let daemon_pid = loop {
        let mut ask = Command::new(&dbus_send);
        ask.args([
            "--session",
            "--dest=org.freedesktop.DBus",
            "--print-reply",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ]);
        env(&mut ask);
        let pid = process::output_of(&mut ask).and_then(|reply| {
            reply
                .split_whitespace()
                .skip_while(|w| *w != "uint32")
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok())
        });
        if let Some(pid) = pid {
            break pid;
        }
        if Instant::now() > deadline {
            let _ = services::stop(&bus_dir);
            bail!("org.freedesktop.secrets did not appear on the private bus within {READY_TIMEOUT:?}");
        }
        sleep(Duration::from_millis(100));
    };
    services::record(&dir, daemon_pid, &gkd)?;
    envfile::write(
        &dir.join("env"),
        &[
            ("KV_TEST_KEYRING".to_owned(), "secret-service".to_owned()),
            ("DBUS_SESSION_BUS_ADDRESS".to_owned(), address.clone()),
        ],
    )?;
    Ok(Some(format!(
        "started dbus-daemon (pid {pid}) and gnome-keyring-daemon (pid {daemon_pid}) on {address} in {:.2}s",
        started.elapsed().as_secs_f64()
    )))
}
