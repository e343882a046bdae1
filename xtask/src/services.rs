//! `cargo xtask services up|down`: start the servers of [`SERVICES`] on free loopback ports,
//! record their PIDs and write the env file; stop them by recorded PID only.
//!
//! State of a service lives in `<target>/kv-services/<name>/`: `xtask.pid` (the PID xtask will
//! stop), `xtask.binary` (the binary name, checked against the PID before signalling), `env`
//! (its variables), plus whatever the server writes (logs, data).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use crate::backends;
use crate::envfile;
use crate::process;
use crate::service_defs::{Binary, Ctx, Launch, Readiness, ServiceDef, SERVICES};
use crate::workspace;

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Starts the services serving `selected` backends (all when empty) and rewrites the env file.
pub fn up(selected: &[String]) -> Result<()> {
    for name in selected {
        backends::find(name)?;
    }
    let state = workspace::ensure_state_dir()?;
    let as_root = process::is_root();
    let mut failures = Vec::new();
    for def in SERVICES {
        let wanted =
            selected.is_empty() || def.backends.iter().any(|b| selected.iter().any(|s| s == b));
        if !wanted {
            continue;
        }
        match start(def, &state, as_root) {
            Ok(Some(summary)) => println!("{:<12} {summary}", def.name),
            Ok(None) => {}
            Err(err) => {
                eprintln!("{:<12} FAILED: {err:#}", def.name);
                failures.push(def.name);
            }
        }
    }
    if selected.is_empty() || selected.iter().any(|s| s == "valkey-cluster") {
        match crate::valkey_cluster::start(&state, as_root) {
            Ok(Some(summary)) => println!("{:<12} {summary}", "valkey-cluster"),
            Ok(None) => {}
            Err(err) => {
                eprintln!("{:<12} FAILED: {err:#}", "valkey-cluster");
                failures.push("valkey-cluster");
            }
        }
    }
    if selected.is_empty() || selected.iter().any(|s| s == "keyring") {
        match crate::keyring_service::start(&state) {
            Ok(Some(summary)) => println!("{:<12} {summary}", "keyring"),
            Ok(None) => {}
            Err(err) => {
                eprintln!("{:<12} FAILED: {err:#}", "keyring");
                failures.push("keyring");
            }
        }
    }
    let mut vars = running_env(&state)?;
    if selected.is_empty() || selected.iter().any(|s| s == "keyutils") {
        // The kernel keyring needs no server: only a session keyring that answers.
        let usable = Command::new("keyctl")
            .args(["show", "@s"])
            .output()
            .is_ok_and(|o| o.status.success());
        if usable {
            println!(
                "{:<12} the kernel session keyring answers (keyctl show @s)",
                "keyutils"
            );
            vars.push(("KV_TEST_KEYUTILS".to_owned(), "keyutils".to_owned()));
        } else {
            println!(
                "{:<12} not available (no keyctl, or no session keyring)",
                "keyutils"
            );
        }
    }
    envfile::write(&envfile::path(), &vars)?;
    println!(
        "wrote {} ({} variables)",
        envfile::path().display(),
        vars.len()
    );
    for (k, v) in &vars {
        println!("  {k}={v}");
    }
    if !failures.is_empty() {
        bail!("services failed to start: {}", failures.join(", "));
    }
    Ok(())
}

/// Stops every service that has a recorded PID and removes the env file.
pub fn down() -> Result<()> {
    let state = workspace::state_dir();
    let mut failures = Vec::new();
    for dir in service_dirs(&state) {
        let name = dir_name(&dir);
        match stop(&dir) {
            Ok(Some(pid)) => println!("{name:<12} stopped (pid {pid})"),
            Ok(None) => {}
            Err(err) => {
                eprintln!("{name:<12} FAILED to stop: {err:#}");
                failures.push(name);
            }
        }
    }
    let env = envfile::path();
    if env.exists() {
        fs::remove_file(&env).with_context(|| format!("removing {}", env.display()))?;
    }
    if !failures.is_empty() {
        bail!("services failed to stop: {}", failures.join(", "));
    }
    Ok(())
}

/// Starts one service unless it already runs. `Ok(None)`: its binary is not installed.
fn start(def: &ServiceDef, state: &Path, as_root: bool) -> Result<Option<String>> {
    let dir = state.join(def.name);
    if let Some(pid) = running_pid(&dir) {
        return Ok(Some(format!("already running (pid {pid})")));
    }
    let Some(binary) = find_binary(&def.binary, state) else {
        println!(
            "{:<12} not installed ({}), skipped; `cargo xtask services install` installs it",
            def.name,
            binary_label(&def.binary)
        );
        return Ok(None);
    };
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for stale in ["xtask.pid", "env"] {
        let _ = fs::remove_file(dir.join(stale));
    }
    let ctx = Ctx {
        dir: dir.clone(),
        port: free_port(def.default_port)?,
        as_root,
    };
    let log_path = dir.join(format!("{}.log", def.name));
    let log =
        File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
    let mut cmd = Command::new(&binary);
    cmd.args((def.args)(&ctx))
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0);
    let started = Instant::now();
    let pid = match def.launch {
        Launch::Daemon { pid_file } => {
            let status = cmd
                .status()
                .with_context(|| format!("starting `{}`", process::display(&cmd)))?;
            if !status.success() {
                bail!(
                    "`{}` exited with {status}\n{}",
                    process::display(&cmd),
                    log_tail(&dir)
                );
            }
            wait_for_pid_file(&dir.join(pid_file), &dir)?
        }
        Launch::Foreground => {
            let child = cmd
                .spawn()
                .with_context(|| format!("starting `{}`", process::display(&cmd)))?;
            child.id()
        }
    };
    record(&dir, pid, &binary)?;
    if let Err(err) = wait_ready(&def.ready, ctx.port, pid) {
        let tail = log_tail(&dir);
        let _ = stop(&dir);
        return Err(err.context(format!("{} did not become ready\n{tail}", def.name)));
    }
    let vars = (def.env)(&ctx);
    envfile::write(&dir.join("env"), &vars)?;
    Ok(Some(format!(
        "started on 127.0.0.1:{} (pid {pid}, ready in {:.2}s)",
        ctx.port,
        started.elapsed().as_secs_f64()
    )))
}

pub(crate) fn record(dir: &Path, pid: u32, binary: &Path) -> Result<()> {
    let name = binary
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    fs::write(dir.join("xtask.binary"), name)?;
    fs::write(dir.join("xtask.pid"), pid.to_string())?;
    Ok(())
}

/// The recorded PID of the service in `dir`, if that process is alive and runs its binary.
pub(crate) fn running_pid(dir: &Path) -> Option<u32> {
    let pid: u32 = fs::read_to_string(dir.join("xtask.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let binary = fs::read_to_string(dir.join("xtask.binary")).ok()?;
    (process::is_alive(pid) && process::runs_binary(pid, binary.trim())).then_some(pid)
}

/// Stops the service in `dir` by its recorded PID. `Ok(None)`: nothing was running.
pub(crate) fn stop(dir: &Path) -> Result<Option<u32>> {
    let pid = running_pid(dir);
    if let Some(pid) = pid {
        process::terminate(pid, STOP_GRACE)?;
    }
    for file in ["xtask.pid", "env"] {
        let _ = fs::remove_file(dir.join(file));
    }
    Ok(pid)
}

/// Service directories with a recorded PID (whatever service table wrote them).
fn service_dirs(state: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(state) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("xtask.pid").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The env lines of every running service.
fn running_env(state: &Path) -> Result<Vec<(String, String)>> {
    let mut vars = Vec::new();
    for dir in service_dirs(state) {
        if running_pid(&dir).is_some() {
            vars.extend(envfile::read(&dir.join("env"))?);
        }
    }
    Ok(vars)
}

fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn binary_label(binary: &Binary) -> String {
    match binary {
        Binary::OnPath(name) => format!("`{name}` not on PATH"),
        Binary::Venv { venv, path } => format!("no {venv}/…/site-packages/{path}"),
        Binary::VenvScript { venv, name } => format!("no {venv}/bin/{name}"),
        Binary::Npm { prefix, name } => format!("no {prefix}/node_modules/.bin/{name}"),
    }
}

/// Locates a service's binary.
pub fn find_binary(binary: &Binary, state: &Path) -> Option<PathBuf> {
    match binary {
        Binary::OnPath(name) => process::which(name),
        Binary::Venv { venv, path } => {
            let lib = state.join(venv).join("lib");
            fs::read_dir(lib)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| dir_name(p).starts_with("python3"))
                .map(|p| p.join("site-packages").join(path))
                .find(|p| p.is_file())
        }
        Binary::VenvScript { venv, name } => {
            Some(state.join(venv).join("bin").join(name)).filter(|p| p.is_file())
        }
        Binary::Npm { prefix, name } => Some(
            state
                .join(prefix)
                .join("node_modules")
                .join(".bin")
                .join(name),
        )
        .filter(|p| p.exists()),
    }
}

/// `preferred` if nothing listens there and it can be bound, else a free ephemeral port.
fn free_port(preferred: u16) -> Result<u16> {
    let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, preferred));
    let listening = TcpStream::connect_timeout(&loopback, Duration::from_millis(200)).is_ok();
    if !listening && TcpListener::bind(loopback).is_ok() {
        return Ok(preferred);
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

pub(crate) fn wait_for_pid_file(pid_file: &Path, dir: &Path) -> Result<u32> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Some(pid) = fs::read_to_string(pid_file)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return Ok(pid);
        }
        if Instant::now() > deadline {
            bail!(
                "no PID file {} after {READY_TIMEOUT:?}\n{}",
                pid_file.display(),
                log_tail(dir)
            );
        }
        sleep(Duration::from_millis(50));
    }
}

pub(crate) fn wait_ready(ready: &Readiness, port: u16, pid: u32) -> Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut last_error = anyhow!("not checked yet");
    while Instant::now() < deadline {
        if !process::is_alive(pid) {
            bail!("process {pid} exited");
        }
        match check(ready, port) {
            Ok(()) => return Ok(()),
            Err(err) => last_error = err,
        }
        sleep(Duration::from_millis(100));
    }
    Err(last_error.context(format!("not ready after {READY_TIMEOUT:?}")))
}

/// One readiness probe.
fn check(ready: &Readiness, port: u16) -> Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let (send, expect): (Vec<u8>, &[u8]) = match ready {
        Readiness::Tcp => return Ok(()),
        Readiness::MongoPing => return mongo_ping(&mut stream),
        Readiness::Exchange { send, expect } => (send.to_vec(), expect),
        Readiness::Http { path } => (
            format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").into_bytes(),
            b"HTTP/1.",
        ),
    };
    stream.write_all(&send)?;
    // Enough bytes to compare the prefix (and, for HTTP, the status code's first digit).
    let needed = match ready {
        Readiness::Http { .. } => 12,
        _ => expect.len(),
    };
    let mut reply = Vec::new();
    let mut buf = [0u8; 256];
    while reply.len() < needed {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
    }
    let ok = reply.starts_with(expect)
        && match ready {
            Readiness::Http { .. } => reply.get(9) == Some(&b'2'),
            _ => true,
        };
    if !ok {
        bail!("unexpected reply {:?}", String::from_utf8_lossy(&reply));
    }
    Ok(())
}

/// OP_MSG `{ping: 1, $db: "admin"}` with request id 1.
const MONGO_PING: &[u8] = &[
    0x33, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xdd, 0x07, 0,
    0, // header: length 51, id 1, OP_MSG
    0, 0, 0, 0, 0, // flag bits, section kind 0
    0x1e, 0, 0, 0, 0x10, b'p', b'i', b'n', b'g', 0, 1, 0, 0, 0, // {ping: 1,
    0x02, b'$', b'd', b'b', 0, 6, 0, 0, 0, b'a', b'd', b'm', b'i', b'n', 0,
    0, // $db: "admin"}
];

/// Sends a MongoDB `ping` and expects an OP_MSG reply to it whose body says `ok: 1.0`.
fn mongo_ping(stream: &mut TcpStream) -> Result<()> {
    stream.write_all(MONGO_PING)?;
    let mut header = [0u8; 16];
    stream.read_exact(&mut header)?;
    let length = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    if header[8..16] != [1, 0, 0, 0, 0xdd, 0x07, 0, 0] || !(21..1 << 20).contains(&length) {
        bail!("unexpected reply header {header:?}");
    }
    let mut body = vec![0u8; length - 16];
    stream.read_exact(&mut body)?;
    // `ok: 1` as a double, an int32 or an int64 (servers differ): type byte, "ok\0", value.
    let oks = [
        [&[0x01, b'o', b'k', 0][..], &1.0f64.to_le_bytes()].concat(),
        [&[0x10, b'o', b'k', 0][..], &1i32.to_le_bytes()].concat(),
        [&[0x12, b'o', b'k', 0][..], &1i64.to_le_bytes()].concat(),
    ];
    if !oks
        .iter()
        .any(|ok| body.windows(ok.len()).any(|w| w == ok.as_slice()))
    {
        bail!("ping did not answer ok: 1");
    }
    Ok(())
}

/// The last lines of the service's logs, for error messages.
fn log_tail(dir: &Path) -> String {
    let mut out = String::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_some_and(|e| e == "log") {
            let text = fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(20)..].join("\n");
            out.push_str(&format!("--- {} (tail) ---\n{tail}\n", path.display()));
        }
    }
    out
}
