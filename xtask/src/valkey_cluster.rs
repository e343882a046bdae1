//! The 3-master Valkey cluster behind the `valkey-cluster` backend (test-services.md §3.2):
//! three `valkey-server --cluster-enabled yes` daemons on loopback ports, joined with
//! `valkey-cli --cluster create … --cluster-replicas 0 --cluster-yes`, ready once every node
//! reports `cluster_state:ok`. Each node has its own state directory
//! (`valkey-cluster-1..3`, with `xtask.pid`), so `services down` stops them like any service.

use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::envfile;
use crate::process;
use crate::service_defs::{Ctx, Readiness};
use crate::services;

const NODES: usize = 3;
const FIRST_PORT: u16 = 7000;
const CLUSTER_OK_TIMEOUT: Duration = Duration::from_secs(30);

/// The flags every Valkey daemon of ours gets (loopback, no persistence, files in its dir).
pub fn daemon_args(c: &Ctx, name: &str) -> Vec<String> {
    vec![
        "--bind".into(),
        "127.0.0.1".into(),
        "--port".into(),
        c.port.to_string(),
        "--daemonize".into(),
        "yes".into(),
        "--save".into(),
        String::new(),
        "--appendonly".into(),
        "no".into(),
        "--dir".into(),
        c.dir.display().to_string(),
        "--pidfile".into(),
        c.path(&format!("{name}.pid")),
        "--logfile".into(),
        c.path(&format!("{name}.log")),
    ]
}

/// Starts the cluster unless it runs. `Ok(None)`: valkey is not installed.
pub fn start(state: &Path, as_root: bool) -> Result<Option<String>> {
    let (Some(server), Some(cli)) = (
        process::which("valkey-server"),
        process::which("valkey-cli"),
    ) else {
        println!(
            "{:<12} not installed (`valkey-server`/`valkey-cli` not on PATH), skipped; \
             `cargo xtask services install` installs them",
            "valkey-cluster"
        );
        return Ok(None);
    };
    let dirs: Vec<PathBuf> = (1..=NODES)
        .map(|i| state.join(format!("valkey-cluster-{i}")))
        .collect();
    if dirs.iter().all(|d| services::running_pid(d).is_some()) {
        return Ok(Some("already running".into()));
    }
    for dir in &dirs {
        services::stop(dir)?;
        if dir.exists() {
            fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let started = Instant::now();
    let result = start_nodes(&server, &cli, &dirs, as_root);
    if result.is_err() {
        for dir in &dirs {
            let _ = services::stop(dir);
        }
    }
    let ports = result?;
    let url = format!(
        "redis-cluster://127.0.0.1:{}?{}",
        ports[0],
        ports[1..]
            .iter()
            .map(|p| format!("node=127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join("&")
    );
    envfile::write(
        &dirs[0].join("env"),
        &[("KV_TEST_VALKEY_CLUSTER_URL".to_owned(), url)],
    )?;
    Ok(Some(format!(
        "started 3 masters on 127.0.0.1:{} (cluster_state:ok in {:.2}s)",
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(","),
        started.elapsed().as_secs_f64()
    )))
}

fn start_nodes(server: &Path, cli: &Path, dirs: &[PathBuf], as_root: bool) -> Result<Vec<u16>> {
    let mut ports = Vec::new();
    let mut candidate = FIRST_PORT;
    for dir in dirs {
        let port = free_pair(&mut candidate)?;
        let ctx = Ctx {
            dir: dir.clone(),
            port,
            as_root,
        };
        let mut cmd = Command::new(server);
        cmd.args(daemon_args(&ctx, "valkey"))
            .args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "5000",
            ])
            .current_dir(dir)
            .stdin(Stdio::null());
        process::run(&mut cmd)?;
        let pid = services::wait_for_pid_file(&dir.join("valkey.pid"), dir)?;
        services::record(dir, pid, server)?;
        services::wait_ready(
            &Readiness::Exchange {
                send: b"PING\r\n",
                expect: b"+PONG",
            },
            port,
            pid,
        )?;
        ports.push(port);
    }
    let mut create = Command::new(cli);
    create
        .arg("--cluster")
        .arg("create")
        .args(ports.iter().map(|p| format!("127.0.0.1:{p}")))
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .stdin(Stdio::null());
    let output = create
        .output()
        .with_context(|| format!("running `{}`", process::display(&create)))?;
    fs::write(dirs[0].join("cluster-create.log"), &output.stdout)?;
    if !output.status.success() {
        bail!(
            "`{}` failed:\n{}{}",
            process::display(&create),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    wait_cluster_ok(cli, &ports)?;
    Ok(ports)
}

/// A port `p` with `p` and its cluster-bus port `p + 10000` both free, from `*next` upwards.
fn free_pair(next: &mut u16) -> Result<u16> {
    while *next < FIRST_PORT + 1000 {
        let port = *next;
        *next += 1;
        let free = |p: u16| TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok();
        if free(port) && free(port + 10_000) {
            return Ok(port);
        }
    }
    bail!("no free port pair (p, p+10000) from {FIRST_PORT}")
}

fn wait_cluster_ok(cli: &Path, ports: &[u16]) -> Result<()> {
    let deadline = Instant::now() + CLUSTER_OK_TIMEOUT;
    loop {
        let all_ok = ports.iter().all(|p| {
            process::output_of(Command::new(cli).args([
                "-h",
                "127.0.0.1",
                "-p",
                &p.to_string(),
                "cluster",
                "info",
            ]))
            .is_some_and(|info| info.contains("cluster_state:ok"))
        });
        if all_ok {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the cluster did not reach cluster_state:ok within {CLUSTER_OK_TIMEOUT:?}");
        }
        sleep(Duration::from_millis(200));
    }
}
