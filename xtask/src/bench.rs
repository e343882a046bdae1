//! `cargo xtask bench [BACKEND...] [--quick] [--json FILE]`: the workload of
//! `shared/bench/WORKLOAD.md` run three ways against the same store in the same run — kv (release
//! `kv bench`), the raw client (an example binary of the backend crate, where one exists) and
//! py-key-value (`bench/py_workload.py` in the interop venv) — and a table of ratios.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::install::{self, INTEROP_VENV};
use crate::{envfile, process, workspace};

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct BenchArgs {
    /// Backends to measure (default: every one whose server is up).
    pub backends: Vec<String>,
    /// The quick profile (5 000 keys per phase; the whole run stays under two minutes).
    #[arg(long)]
    pub quick: bool,
    /// Write every result line (WORKLOAD.md §6 format) to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// One benchmarked backend.
struct Target {
    name: &'static str,
    /// kv-cli features needed for its URL scheme.
    feature: &'static str,
    /// Its server variable (`None`: local store).
    env_var: Option<&'static str>,
    /// `--store` of py_workload.py (`None`: py-key-value has no such store here).
    py_store: Option<&'static str>,
    /// `(package, example)` running the same workload with the raw client, if any.
    raw: Option<(&'static str, &'static str)>,
}

const TARGETS: &[Target] = &[
    Target {
        name: "memory",
        feature: "memory",
        env_var: None,
        py_store: Some("memory"),
        raw: None,
    },
    Target {
        name: "disk",
        feature: "disk",
        env_var: None,
        py_store: Some("disk"),
        raw: None,
    },
    Target {
        name: "rocksdb",
        feature: "rocksdb",
        env_var: None,
        py_store: Some("rocksdb"),
        raw: None,
    },
    Target {
        name: "redis",
        feature: "redis",
        env_var: Some("KV_TEST_REDIS_URL"),
        py_store: Some("redis"),
        raw: Some(("kv-store-redis", "redis_raw_workload")),
    },
    Target {
        name: "valkey",
        feature: "valkey",
        env_var: Some("KV_TEST_VALKEY_URL"),
        py_store: Some("valkey"),
        raw: Some(("kv-store-valkey", "valkey_raw_workload")),
    },
    Target {
        name: "memcached",
        feature: "memcached",
        env_var: Some("KV_TEST_MEMCACHED"),
        py_store: Some("memcached"),
        raw: Some(("kv-store-memcached", "memcached_raw_workload")),
    },
    Target {
        name: "mongodb",
        feature: "mongodb",
        env_var: Some("KV_TEST_MONGODB_URL"),
        py_store: Some("mongodb"),
        raw: None,
    },
    Target {
        name: "elasticsearch",
        feature: "elasticsearch",
        env_var: Some("KV_TEST_OPENSEARCH_URL"),
        py_store: Some("elasticsearch"),
        raw: None,
    },
    Target {
        name: "dynamodb",
        feature: "dynamodb",
        env_var: Some("KV_TEST_DYNAMODB_ENDPOINT"),
        py_store: Some("dynamodb"),
        raw: Some(("kv-store-dynamodb", "dynamodb_raw_workload")),
    },
    Target {
        // The second DynamoDB-compatible server (node.js): a faster server than moto, so
        // more of each call's time is the client's.
        name: "dynalite",
        feature: "dynamodb",
        env_var: Some("KV_TEST_DYNALITE_ENDPOINT"),
        py_store: Some("dynamodb"),
        raw: Some(("kv-store-dynamodb", "dynamodb_raw_workload")),
    },
    Target {
        name: "vault",
        feature: "vault",
        env_var: Some("KV_TEST_VAULT_ADDR"),
        py_store: Some("vault"),
        raw: None,
    },
];

/// The server's address as the env file gives it (`None` for local stores).
fn server_address(target: &Target) -> Option<String> {
    target.env_var.and_then(envfile::lookup)
}

/// The URL `kv bench` opens: the server variable in kv's scheme, or a scratch directory.
fn kv_url(target: &Target, scratch: &Path) -> Option<String> {
    match (target.name, server_address(target)) {
        ("valkey", Some(url)) => Some(url.replacen("redis://", "valkey://", 1)),
        ("memcached", Some(addr)) => Some(format!("memcached://{addr}")),
        ("elasticsearch", Some(url)) => Some(format!(
            "elasticsearch+{url}?index_prefix=kv-bench&dialect=opensearch"
        )),
        ("dynamodb" | "dynalite", Some(endpoint)) => Some(format!(
            "dynamodb://kv-bench?region=us-east-1&endpoint={endpoint}&access_key_id=test&secret_access_key=test"
        )),
        ("vault", Some(address)) => {
            let token = envfile::lookup("KV_TEST_VAULT_TOKEN").unwrap_or_else(|| "root".into());
            Some(format!(
                "vault+{address}?mount=secret&token={token}"
            ))
        }
        (_, Some(url)) => Some(url),
        ("memory", None) => Some("memory://".to_owned()),
        (name, None) => Some(format!(
            "{name}://{}",
            scratch.join(format!("kv-{name}")).display()
        )),
    }
}

fn run_lines(cmd: &mut Command, json_out: &Path) -> Result<Vec<Value>> {
    process::run(cmd)?;
    let text =
        fs::read_to_string(json_out).with_context(|| format!("reading {}", json_out.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

fn python_lines(
    python: &Path,
    store: &str,
    url: &str,
    quick: bool,
    scratch: &Path,
) -> Result<Vec<Value>> {
    let out = scratch.join(format!("py-{store}.jsonl"));
    let mut cmd = Command::new(python);
    cmd.arg(workspace::root().join("bench").join("py_workload.py"))
        .args([
            "--store",
            store,
            "--url",
            url,
            "--profile",
            if quick { "quick" } else { "full" },
        ])
        .stdout(fs::File::create(&out)?);
    if let Some(token) = envfile::lookup("KV_TEST_VAULT_TOKEN") {
        cmd.env("KV_TEST_VAULT_TOKEN", token);
    }
    process::run(&mut cmd)?;
    let text = fs::read_to_string(&out)?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The server's own benchmark tool (`valkey-benchmark`, else `redis-benchmark`) on the same
/// server: the reference for the issue's targets (sequential at `-c 1`, concurrent at `-c 50`,
/// batches at `-P 100`, values of the envelope's size). Lines with `impl` `server-benchmark`;
/// nothing when the tool is missing.
fn server_benchmark_lines(store: &str, url: &str, quick: bool) -> Vec<Value> {
    let tool = ["valkey-benchmark", "redis-benchmark"]
        .into_iter()
        .find(|t| Command::new(t).arg("--version").output().is_ok());
    let Some(tool) = tool else {
        println!("bench {store}: no redis-benchmark/valkey-benchmark, no server reference");
        return Vec::new();
    };
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = authority.split(['/', '?']).next().unwrap_or(authority);
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "6379"));
    let scale = if quick { 1 } else { 4 };
    // (op, tests, clients, pipeline, requests)
    let runs = [
        ("put", "set", 1, 1, 10_000 * scale),
        ("get", "get", 1, 1, 10_000 * scale),
        ("concurrent", "get", 50, 1, 50_000 * scale),
        ("put_many", "set", 1, 100, 200_000 * scale),
        ("get_many", "get", 1, 100, 200_000 * scale),
    ];
    let mut lines = Vec::new();
    for (op, test, clients, pipeline, requests) in runs {
        let output = Command::new(tool)
            .args([
                "-h", host, "-p", port, "-t", test, "-d", "150", "-r", "100000", "--csv",
            ])
            .args(["-c", &clients.to_string(), "-P", &pipeline.to_string()])
            .args(["-n", &requests.to_string()])
            .output();
        let Ok(output) = output else { continue };
        let text = String::from_utf8_lossy(&output.stdout);
        // CSV: a header line, then `"GET","123456.79",...`.
        let rps = text.lines().find_map(|line| {
            let mut cells = line.split(',').map(|c| c.trim_matches('"'));
            let name = cells.next()?;
            let rps: f64 = cells.next()?.parse().ok()?;
            name.eq_ignore_ascii_case(test).then_some(rps)
        });
        if let Some(rps) = rps {
            lines.push(serde_json::json!({
                "impl": "server-benchmark",
                "store": store,
                "op": op,
                "ops_per_sec": rps,
                "runs": [rps],
                "tool": format!("{tool} -c {clients} -P {pipeline} -d 150"),
            }));
        }
    }
    lines
}

fn members_have(package: &str) -> bool {
    workspace::members().is_ok_and(|m| m.contains(package))
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let selected: Vec<&Target> = if args.backends.is_empty() {
        TARGETS.iter().collect()
    } else {
        args.backends
            .iter()
            .map(|b| {
                TARGETS
                    .iter()
                    .find(|t| t.name == b)
                    .with_context(|| format!("no benchmark for backend `{b}`"))
            })
            .collect::<Result<_>>()?
    };
    let state = workspace::ensure_state_dir()?;
    let scratch = state.join("bench");
    if scratch.exists() {
        fs::remove_dir_all(&scratch)?;
    }
    fs::create_dir_all(&scratch)?;
    let enabled: Vec<&Target> = selected
        .into_iter()
        .filter(|t| {
            let built = members_have(&format!("kv-store-{}", t.feature));
            let up = t.env_var.is_none_or(|v| envfile::lookup(v).is_some());
            if !built || !up {
                println!(
                    "bench {}: skipped ({})",
                    t.name,
                    if built {
                        "server not up"
                    } else {
                        "backend not built yet"
                    }
                );
            }
            built && up
        })
        .collect();
    if enabled.is_empty() {
        bail!("nothing to benchmark");
    }
    let mut features: Vec<&str> = enabled.iter().map(|t| t.feature).collect();
    features.sort_unstable();
    features.dedup();
    process::run(workspace::cargo().args([
        "build",
        "--release",
        "-p",
        "kv-cli",
        "--no-default-features",
        "--features",
        &features.join(","),
    ]))?;
    let kv_bin = workspace::target_dir().join("release").join("kv");
    let python = install::venv_python(&state, &INTEROP_VENV);
    let mut all = Vec::new();
    for target in enabled {
        let url = kv_url(target, &scratch).context("no store URL")?;
        let address = server_address(target);
        let mut lines = Vec::new();
        let kv_out = scratch.join(format!("kv-{}.jsonl", target.name));
        let mut kv = Command::new(&kv_bin);
        kv.args(["--store", &url, "bench", "--json"]).arg(&kv_out);
        if args.quick {
            kv.arg("--quick");
        }
        lines.extend(run_lines(&mut kv, &kv_out)?);
        if let Some((package, example)) = target.raw.filter(|(p, _)| members_have(p)) {
            let raw_out = scratch.join(format!("raw-{}.jsonl", target.name));
            let mut raw = workspace::cargo();
            raw.args([
                "run",
                "--release",
                "-q",
                "-p",
                package,
                "--example",
                example,
                "--",
            ])
            .arg(address.as_deref().unwrap_or(&url))
            .arg(&raw_out);
            if args.quick {
                raw.arg("--quick");
            }
            match run_lines(&mut raw, &raw_out) {
                Ok(l) => lines.extend(l),
                Err(e) => println!("bench {}: raw client run failed: {e:#}", target.name),
            }
        }
        if let Some(store) = target.py_store {
            if python.exists() {
                let py_url = address.clone().unwrap_or_else(|| {
                    scratch
                        .join(format!("py-{}", target.name))
                        .display()
                        .to_string()
                });
                lines.extend(python_lines(&python, store, &py_url, args.quick, &scratch)?);
            } else {
                println!("bench {}: no interop venv, py-key-value skipped (run `cargo xtask services install`)", target.name);
            }
        }
        if let (Some(address), true) = (&address, ["redis", "valkey"].contains(&target.name)) {
            lines.extend(server_benchmark_lines(target.name, address, args.quick));
        }
        print_table(target.name, &lines);
        // `store` says which library store ran; `target` which server (dynamodb and dynalite
        // both run the DynamoDB stores).
        for line in &mut lines {
            line["target"] = Value::from(target.name);
        }
        all.extend(lines);
    }
    if let Some(path) = &args.json {
        let text: String = all.iter().map(|l| format!("{l}\n")).collect();
        fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn print_table(store: &str, lines: &[Value]) {
    // op -> impl -> (median ops/s, runs)
    let mut table: BTreeMap<String, BTreeMap<String, (f64, Vec<f64>)>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for l in lines {
        let (Some(op), Some(imp), Some(ops)) = (
            l["op"].as_str(),
            l["impl"].as_str(),
            l["ops_per_sec"].as_f64(),
        ) else {
            continue;
        };
        if !order.iter().any(|o| o == op) {
            order.push(op.to_owned());
        }
        let runs = l["runs"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        table
            .entry(op.to_owned())
            .or_default()
            .insert(imp.to_owned(), (ops, runs));
    }
    let spread = |runs: &[f64]| -> String {
        let (min, max) = runs
            .iter()
            .fold((f64::MAX, 0f64), |(a, b), &x| (a.min(x), b.max(x)));
        if runs.is_empty() || min <= 0.0 {
            String::new()
        } else {
            format!("±{:.0}%", (max - min) / min * 50.0)
        }
    };
    println!("\n== {store}");
    let reference = lines.iter().any(|l| l["impl"] == "server-benchmark");
    print!(
        "{:<14} {:>12} {:>6} {:>12} {:>12} {:>8} {:>8}",
        "op", "kv ops/s", "", "raw ops/s", "py ops/s", "kv/raw", "kv/py"
    );
    if reference {
        print!(" {:>12} {:>8}", "server-bench", "kv/sb");
    }
    println!();
    for op in order {
        let row = &table[&op];
        let get = |imp: &str| row.get(imp).map(|(v, _)| *v);
        let fmt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
            _ => "-".into(),
        };
        let kv = get("kv");
        let kv_spread = row.get("kv").map_or(String::new(), |(_, r)| spread(r));
        print!(
            "{:<14} {:>12} {:>6} {:>12} {:>12} {:>8} {:>8}",
            op,
            fmt(kv),
            kv_spread,
            fmt(get("raw")),
            fmt(get("py-key-value")),
            ratio(kv, get("raw")),
            ratio(kv, get("py-key-value"))
        );
        if reference {
            let server = get("server-benchmark");
            print!(" {:>12} {:>8}", fmt(server), ratio(kv, server));
        }
        println!();
    }
}
