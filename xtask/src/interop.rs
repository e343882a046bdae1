//! `cargo xtask interop [SUITE|BACKEND...]`: Python's py-key-value (from PyPI, in the venv made
//! by `services install`) and this project read each other's bytes.
//!
//! Each suite is one row of [`SUITES`]: a name, the variable that must be set for it to reach its
//! server (none for the codec), and the function that runs both directions.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::backends;
use crate::envfile;
use crate::install::{self, INTEROP_VENV};
use crate::interop_codec;
use crate::process;
use crate::workspace;

/// Arguments of `cargo xtask interop`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct InteropArgs {
    /// Suites to run, by name (`codec`) or backend name (default: all).
    pub suites: Vec<String>,
}

/// What a suite gets to work with.
pub struct Ctx {
    /// The venv's `python` (py-key-value-aio installed).
    pub python: PathBuf,
    /// `<root>/interop`: the Python scripts.
    pub scripts: PathBuf,
    /// `<target>/kv-services/interop`: files exchanged between the two sides.
    pub work: PathBuf,
}

impl Ctx {
    /// Runs `interop/<script>` with the venv's Python.
    pub fn python(&self, script: &str, args: &[&Path]) -> Result<()> {
        let mut cmd = Command::new(&self.python);
        cmd.arg(self.scripts.join(script))
            .args(args)
            .current_dir(&self.scripts)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONIOENCODING", "utf-8");
        process::run(&mut cmd)
    }
}

/// One cross-language suite.
pub struct Suite {
    pub name: &'static str,
    /// Set when the suite needs a live server (`None`: runs offline).
    pub env_var: Option<&'static str>,
    pub run: fn(&Ctx) -> Result<()>,
}

/// Every suite. Backend issues add one row each (write with one side, read with the other, on
/// the live server named by `env_var`).
pub const SUITES: &[Suite] = &[
    Suite {
        name: "codec",
        env_var: None,
        run: codec,
    },
    Suite {
        name: "typed",
        env_var: None,
        run: typed,
    },
    Suite {
        name: "disk",
        env_var: None,
        run: disk,
    },
    Suite {
        name: "multi-disk",
        env_var: None,
        run: multi_disk,
    },
    Suite {
        name: "wrappers",
        env_var: None,
        run: wrappers,
    },
    Suite {
        name: "rocksdb",
        env_var: None,
        run: rocksdb,
    },
    Suite {
        name: "redis",
        env_var: Some("KV_TEST_REDIS_URL"),
        run: redis,
    },
    Suite {
        name: "valkey",
        env_var: Some("KV_TEST_VALKEY_URL"),
        run: valkey,
    },
    Suite {
        name: "valkey-cluster",
        env_var: Some("KV_TEST_VALKEY_CLUSTER_URL"),
        run: valkey_cluster,
    },
    Suite {
        name: "memcached",
        env_var: Some("KV_TEST_MEMCACHED"),
        run: memcached,
    },
    Suite {
        name: "dynamodb",
        env_var: Some("KV_TEST_DYNAMODB_ENDPOINT"),
        run: dynamodb,
    },
    Suite {
        name: "elasticsearch",
        env_var: Some("KV_TEST_ELASTICSEARCH_URL"),
        run: elasticsearch,
    },
    Suite {
        name: "mongodb",
        env_var: Some("KV_TEST_MONGODB_URL"),
        run: mongodb,
    },
    Suite {
        name: "vault",
        env_var: Some("KV_TEST_VAULT_ADDR"),
        run: vault,
    },
    Suite {
        name: "keyring",
        env_var: Some("KV_TEST_KEYRING"),
        run: keyring,
    },
];

/// py-key-value's OpenSearchStore (opensearch-py) and kv's ElasticsearchStore in the OpenSearch
/// dialect on the live OpenSearch-API server (osmem), both directions, plain and V1 names
/// (`interop/elasticsearch.py`, the `elasticsearch_interop` example of `kv-store-elasticsearch`).
fn elasticsearch(ctx: &Ctx) -> Result<()> {
    let url = envfile::lookup("KV_TEST_ELASTICSEARCH_URL")
        .context("KV_TEST_ELASTICSEARCH_URL is not set")?;
    let work = ctx.work.join("elasticsearch");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (py_expect, rs_expect) = (
        work.join("python-expect.jsonl"),
        work.join("rust-expect.jsonl"),
    );
    // A per-run token keeps these collections apart from other runs on a shared server.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let token = format!("{:x}-{nanos:x}", std::process::id());
    let (url_arg, token_arg) = (Path::new(&url), Path::new(&token));
    let example = [
        "-q",
        "-p",
        "kv-store-elasticsearch",
        "--example",
        "elasticsearch_interop",
    ];
    process::run(workspace::cargo().arg("build").args(example))?;
    ctx.python(
        "elasticsearch.py",
        &[Path::new("write"), url_arg, token_arg, &py_expect],
    )?;
    let rust = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run")
            .args(example)
            .args(["--", mode, &url, &token])
            .arg(expect);
        process::run(&mut cmd)
    };
    rust("read", &py_expect)?;
    rust("write", &rs_expect)?;
    ctx.python(
        "elasticsearch.py",
        &[Path::new("read"), url_arg, token_arg, &rs_expect],
    )?;
    Ok(())
}

/// py-key-value's MongoDBStore (pymongo) and kv's MongoDBStore on the live MongoDB server,
/// both directions, in the default database (`interop/mongodb.py`, the `mongodb_interop`
/// example of `kv-store-mongodb`).
fn mongodb(ctx: &Ctx) -> Result<()> {
    let url = envfile::lookup("KV_TEST_MONGODB_URL").context("KV_TEST_MONGODB_URL is not set")?;
    let work = ctx.work.join("mongodb");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (py_expect, rs_expect) = (
        work.join("python-expect.jsonl"),
        work.join("rust-expect.jsonl"),
    );
    // Letters and digits only: the stand-in server accepts no other collection characters.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let token = format!("r{:x}x{nanos:x}", std::process::id());
    let (url_arg, token_arg) = (Path::new(&url), Path::new(&token));
    let example = [
        "-q",
        "-p",
        "kv-store-mongodb",
        "--example",
        "mongodb_interop",
    ];
    // Build first so Python's short-TTL entries do not wait on the compiler.
    process::run(workspace::cargo().arg("build").args(example))?;
    ctx.python(
        "mongodb.py",
        &[Path::new("write"), url_arg, token_arg, &py_expect],
    )?;
    let rust = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run")
            .args(example)
            .args(["--", mode, &url, &token])
            .arg(expect);
        process::run(&mut cmd)
    };
    rust("read", &py_expect)?;
    rust("write", &rs_expect)?;
    ctx.python(
        "mongodb.py",
        &[Path::new("read"), url_arg, token_arg, &rs_expect],
    )?;
    Ok(())
}

/// py-key-value's KeyringStore (Python `keyring`, Secret Service backend) and kv's KeyringStore
/// on the private Secret Service of `services up keyring`, both directions, plain and
/// KeyringV1 names (`interop/keyring_interop.py`, the `keyring_interop` example of `kv-store-keyring`).
fn keyring(ctx: &Ctx) -> Result<()> {
    let bus = envfile::lookup("DBUS_SESSION_BUS_ADDRESS")
        .context("DBUS_SESSION_BUS_ADDRESS is not set (cargo xtask services up keyring)")?;
    let work = ctx.work.join("keyring");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (py_expect, rs_expect) = (
        work.join("python-expect.jsonl"),
        work.join("rust-expect.jsonl"),
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let run = format!("{:x}-{nanos:x}", std::process::id());
    let example = [
        "-q",
        "-p",
        "kv-store-keyring",
        "--example",
        "keyring_interop",
    ];
    process::run(workspace::cargo().arg("build").args(example))?;
    let python = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = Command::new(&ctx.python);
        cmd.arg(ctx.scripts.join("keyring_interop.py"))
            .args([mode, &run])
            .arg(expect)
            .current_dir(&ctx.scripts)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONIOENCODING", "utf-8")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus);
        process::run(&mut cmd)
    };
    let rust = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run")
            .args(example)
            .args(["--", mode, &run])
            .arg(expect)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus);
        process::run(&mut cmd)
    };
    python("write", &py_expect)?;
    rust("read", &py_expect)?;
    rust("write", &rs_expect)?;
    python("read", &rs_expect)?;
    Ok(())
}

/// py-key-value's VaultStore (hvac) and kv's VaultStore on the live KV v2 mount `secret`, both
/// directions (`interop/vault.py`, the `vault_interop` example of `kv-store-vault`). The token
/// goes through the environment (`KV_TEST_VAULT_TOKEN`), never the command line.
fn vault(ctx: &Ctx) -> Result<()> {
    let addr = envfile::lookup("KV_TEST_VAULT_ADDR").context("KV_TEST_VAULT_ADDR is not set")?;
    let token = envfile::lookup("KV_TEST_VAULT_TOKEN").unwrap_or_else(|| "root".to_owned());
    let work = ctx.work.join("vault");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (py_expect, rs_expect) = (
        work.join("python-expect.jsonl"),
        work.join("rust-expect.jsonl"),
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let run = format!("{:x}-{nanos:x}", std::process::id());
    let example = ["-q", "-p", "kv-store-vault", "--example", "vault_interop"];
    // Build first: the 10.7 s entry must not expire during a slow build between the steps.
    process::run(workspace::cargo().arg("build").args(example))?;
    let python = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = Command::new(&ctx.python);
        cmd.arg(ctx.scripts.join("vault.py"))
            .args([mode, &addr, &run])
            .arg(expect)
            .current_dir(&ctx.scripts)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONIOENCODING", "utf-8")
            .env("KV_TEST_VAULT_TOKEN", &token);
        process::run(&mut cmd)
    };
    let rust = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run")
            .args(example)
            .args(["--", mode, &addr, &run])
            .arg(expect)
            .env("KV_TEST_VAULT_TOKEN", &token);
        process::run(&mut cmd)
    };
    python("write", &py_expect)?;
    rust("read", &py_expect)?;
    rust("write", &rs_expect)?;
    python("read", &rs_expect)?;
    Ok(())
}

/// The table both sides share in `cargo xtask interop dynamodb` (created by whichever side sets
/// up first; each run's collections carry a unique token).
const DYNAMODB_INTEROP_TABLE: &str = "kv-interop";

/// py-key-value's DynamoDBStore (aiobotocore) and kv's DynamoDBStore on the live moto_server,
/// both directions, one shared table (`interop/dynamodb.py`, the `dynamodb_interop` example of
/// `kv-store-dynamodb`).
fn dynamodb(ctx: &Ctx) -> Result<()> {
    let endpoint = envfile::lookup("KV_TEST_DYNAMODB_ENDPOINT")
        .context("KV_TEST_DYNAMODB_ENDPOINT is not set")?;
    let work = ctx.work.join("dynamodb");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (py_expect, rs_expect) = (
        work.join("python-expect.jsonl"),
        work.join("rust-expect.jsonl"),
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let token = format!("{:x}-{nanos:x}", std::process::id());
    let args = [endpoint.as_str(), DYNAMODB_INTEROP_TABLE, token.as_str()];
    let example = [
        "-q",
        "-p",
        "kv-store-dynamodb",
        "--example",
        "dynamodb_interop",
    ];
    // Build first: Python's 10.5 s entry must not expire while cargo compiles.
    process::run(workspace::cargo().arg("build").args(example))?;
    let python = |mode: &str, expect: &Path| -> Result<()> {
        let mut list: Vec<&Path> = vec![Path::new(mode)];
        list.extend(args.iter().map(Path::new));
        list.push(expect);
        ctx.python("dynamodb.py", &list)
    };
    let rust = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run")
            .args(example)
            .arg("--")
            .arg(mode)
            .args(args)
            .arg(expect);
        process::run(&mut cmd)
    };
    python("write", &py_expect)?;
    rust("read", &py_expect)?;
    rust("write", &rs_expect)?;
    python("read", &rs_expect)
}

/// py-key-value's MemcachedStore (aiomcache) and kv's MemcachedStore on the live memcached,
/// both directions, plain and MemcachedV1 keys (`interop/memcached.py`, the
/// `memcached_interop` example of `kv-store-memcached`).
fn memcached(ctx: &Ctx) -> Result<()> {
    let addr = envfile::lookup("KV_TEST_MEMCACHED").context("KV_TEST_MEMCACHED is not set")?;
    let work = ctx.work.join("memcached");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (py_expect, rs_expect) = (
        work.join("python-expect.jsonl"),
        work.join("rust-expect.jsonl"),
    );
    // A per-run token keeps these collections apart from other runs on a shared server.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let token = format!("{:x}-{nanos:x}", std::process::id());
    let (addr_arg, token_arg) = (Path::new(&addr), Path::new(&token));
    let example = [
        "-q",
        "-p",
        "kv-store-memcached",
        "--example",
        "memcached_interop",
    ];
    // Build first: py-key-value floors native TTLs (10.5 s -> 10 s), so a slow build between
    // the two steps could let that entry expire natively before Rust reads it.
    process::run(workspace::cargo().arg("build").args(example))?;
    ctx.python(
        "memcached.py",
        &[Path::new("write"), addr_arg, token_arg, &py_expect],
    )?;
    let rust = |mode: &str, expect: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run")
            .args(example)
            .args(["--", mode, &addr, &token])
            .arg(expect);
        process::run(&mut cmd)
    };
    rust("read", &py_expect)?;
    rust("write", &rs_expect)?;
    ctx.python(
        "memcached.py",
        &[Path::new("read"), addr_arg, token_arg, &rs_expect],
    )?;
    Ok(())
}

/// py-key-value's RedisStore and kv's RedisStore on the live redis-server, both directions.
fn redis(ctx: &Ctx) -> Result<()> {
    redis_both_ways(ctx, "redis", "kv-store-redis", "KV_TEST_REDIS_URL")
}

/// py-key-value's ValkeyStore (valkey-glide) and kv's ValkeyStore on valkey-server.
fn valkey(ctx: &Ctx) -> Result<()> {
    redis_both_ways(ctx, "valkey", "kv-store-valkey", "KV_TEST_VALKEY_URL")
}

/// The same on the 3-master Valkey cluster.
fn valkey_cluster(ctx: &Ctx) -> Result<()> {
    redis_both_ways(
        ctx,
        "valkey-cluster",
        "kv-store-valkey",
        "KV_TEST_VALKEY_CLUSTER_URL",
    )
}

/// Python writes and lists, Rust reads; Rust writes the same cases and lists, Python reads
/// (`interop/redis_valkey.py`, the `redis_interop`/`valkey_interop` example of the Rust crate).
fn redis_both_ways(ctx: &Ctx, kind: &str, package: &str, var: &str) -> Result<()> {
    let url = envfile::lookup(var).with_context(|| format!("{var} is not set"))?;
    let work = ctx.work.join(kind);
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (py_expect, rs_expect) = (
        work.join("python-expect.jsonl"),
        work.join("rust-expect.jsonl"),
    );
    let (kind_arg, url_arg) = (Path::new(kind), Path::new(&url));
    let example = package.trim_start_matches("kv-store-").to_owned() + "_interop";
    // Build first: py-key-value floors native TTLs (10.5 s -> 10 s), so a slow first build
    // between the two steps could let the 10.5 s entry expire natively before Rust reads it.
    process::run(workspace::cargo().args(["build", "-q", "-p", package, "--example", &example]))?;
    ctx.python(
        "redis_valkey.py",
        &[Path::new("write"), kind_arg, url_arg, &py_expect],
    )?;
    let mut read = workspace::cargo();
    read.args([
        "run",
        "-q",
        "-p",
        package,
        "--example",
        &example,
        "--",
        "read",
        kind,
        &url,
    ])
    .arg(&py_expect);
    process::run(&mut read)?;
    let mut write = workspace::cargo();
    write
        .args([
            "run",
            "-q",
            "-p",
            package,
            "--example",
            &example,
            "--",
            "write",
            kind,
            &url,
        ])
        .arg(&py_expect)
        .arg(&rs_expect);
    process::run(&mut write)?;
    ctx.python(
        "redis_valkey.py",
        &[Path::new("read"), kind_arg, url_arg, &rs_expect],
    )
}

/// DiskStore (diskcache directory), both directions on live directories (no server).
fn disk(ctx: &Ctx) -> Result<()> {
    directory_both_ways(ctx, "kv-store-disk", "disk.py", Some("disk"), "disk")
}

/// MultiDiskStore (a diskcache directory per collection), both directions.
fn multi_disk(ctx: &Ctx) -> Result<()> {
    directory_both_ways(
        ctx,
        "kv-store-disk",
        "disk.py",
        Some("multi-disk"),
        "multi-disk",
    )
}

/// RocksDBStore (rocksdict layout), both directions (`interop/rocksdb.py`; no server).
fn rocksdb(ctx: &Ctx) -> Result<()> {
    directory_both_ways(ctx, "kv-store-rocksdb", "rocksdb.py", None, "rocksdb")
}

/// py-key-value writes a directory that `package`'s `interop` example reads, and the other way
/// round; each writer lists what it wrote. `kind` (when given) is the first argument of both
/// sides after the mode; `work_name` names the exchange directory.
fn directory_both_ways(
    ctx: &Ctx,
    package: &str,
    script: &str,
    kind: Option<&str>,
    work_name: &str,
) -> Result<()> {
    let work = ctx.work.join(work_name);
    if work.exists() {
        fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let example_name = format!("{}_interop", package.trim_start_matches("kv-store-"));
    let example = ["-q", "-p", package, "--example", &example_name];
    let rust_example = |mode: &str, dir: &Path, expect: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run").args(example).args(["--", mode]);
        cmd.args(kind).arg(dir).arg(expect);
        process::run(&mut cmd)
    };
    // Build the example first: Python's short-TTL entries must not expire while cargo compiles.
    process::run(workspace::cargo().arg("build").args(example))?;
    let python = |mode: &str, dir: &Path, expect: &Path| -> Result<()> {
        let mut args: Vec<&Path> = vec![Path::new(mode)];
        args.extend(kind.map(Path::new));
        args.extend([dir, expect]);
        ctx.python(script, &args)
    };
    let (py_dir, py_expect) = (work.join("python-dir"), work.join("python-expect.jsonl"));
    python("write", &py_dir, &py_expect)?;
    rust_example("read", &py_dir, &py_expect)?;
    let (rs_dir, rs_expect) = (work.join("rust-dir"), work.join("rust-expect.jsonl"));
    rust_example("write", &rs_dir, &rs_expect)?;
    python("read", &rs_dir, &rs_expect)?;
    Ok(())
}

/// CompressionWrapper and FernetEncryptionWrapper stacks over one DiskStore directory: Python
/// writes, Rust reads (value, raw payload, TTL); Rust writes, Python reads
/// (`interop/wrappers.py`, the `wrappers_interop` example of `kv-wrappers`).
fn wrappers(ctx: &Ctx) -> Result<()> {
    let work = ctx.work.join("wrappers");
    if work.exists() {
        fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let example = ["-q", "-p", "kv-wrappers", "--example", "wrappers_interop"];
    process::run(workspace::cargo().arg("build").args(example))?;
    let rust = |mode: &str, dir: &Path| -> Result<()> {
        let mut cmd = workspace::cargo();
        cmd.arg("run").args(example).args(["--", mode]).arg(dir);
        process::run(&mut cmd)
    };
    let (py_dir, rs_dir) = (work.join("python-dir"), work.join("rust-dir"));
    ctx.python("wrappers.py", &[Path::new("write"), &py_dir])?;
    rust("read", &py_dir)?;
    rust("write", &rs_dir)?;
    ctx.python("wrappers.py", &[Path::new("read"), &rs_dir])
}

/// Typed values (py-key-value's PydanticAdapter vs kv's TypedStore), both directions (no server).
fn typed(ctx: &Ctx) -> Result<()> {
    let from_python = ctx.work.join("python-typed.jsonl");
    let from_rust = ctx.work.join("rust-typed.jsonl");
    let write = Path::new("write");
    let read = Path::new("read");
    ctx.python("typed.py", &[write, &from_python])?;
    crate::interop_typed::check_python_values(&from_python)?;
    crate::interop_typed::write_rust_values(&from_rust)?;
    ctx.python("typed.py", &[read, &from_rust])?;
    Ok(())
}

/// Envelope codec, both directions (no server).
fn codec(ctx: &Ctx) -> Result<()> {
    let from_python = ctx.work.join("python-envelopes.jsonl");
    let from_rust = ctx.work.join("rust-envelopes.jsonl");
    ctx.python("envelope_write.py", &[&from_python])?;
    interop_codec::check_python_envelopes(&from_python)?;
    interop_codec::write_rust_envelopes(&from_python, &from_rust)?;
    ctx.python("envelope_read.py", &[&from_rust])?;
    Ok(())
}

pub fn run(args: &InteropArgs) -> Result<()> {
    let mut selected: Vec<&Suite> = Vec::new();
    for name in &args.suites {
        match SUITES.iter().find(|s| s.name == name) {
            Some(suite) => selected.push(suite),
            None => {
                backends::find(name)?;
                println!("{name}: no interop suite yet, skipped");
            }
        }
    }
    if args.suites.is_empty() {
        selected = SUITES.iter().collect();
    }
    if selected.is_empty() {
        return Ok(());
    }

    let state = workspace::ensure_state_dir()?;
    let python = install::venv_python(&state, &INTEROP_VENV);
    if !python.exists() {
        bail!(
            "no interop venv at {}; run `cargo xtask services install`",
            python.display()
        );
    }
    let work = state.join("interop");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let ctx = Ctx {
        python,
        scripts: workspace::root().join("interop"),
        work,
    };

    let mut failed = Vec::new();
    for suite in selected {
        if let Some(var) = suite.env_var {
            if envfile::lookup(var).is_none() {
                println!("== interop {}: skipped ({var} not set)", suite.name);
                continue;
            }
        }
        println!("== interop {}", suite.name);
        let started = Instant::now();
        match (suite.run)(&ctx) {
            Ok(()) => println!(
                "== interop {}: ok ({:.1}s)",
                suite.name,
                started.elapsed().as_secs_f64()
            ),
            Err(err) => {
                eprintln!("== interop {}: FAILED: {err:#}", suite.name);
                failed.push(suite.name);
            }
        }
    }
    if !failed.is_empty() {
        bail!("interop suites failed: {}", failed.join(", "));
    }
    Ok(())
}
