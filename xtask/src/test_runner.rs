//! `cargo xtask test [BACKEND...] [--require]`: one `cargo test` run over the workspace (or over
//! the selected backends' packages) with the services' environment, then a per-backend table
//! derived from libtest's per-test lines.

use std::collections::BTreeSet;
use std::env;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::backends::{self, Backend, BACKENDS};
use crate::envfile;
use crate::libtest::{self, Report, Status};
use crate::process;
use crate::workspace::{self, Members};

/// Arguments of `cargo xtask test`.
#[derive(clap::Args, Debug, Clone)]
pub struct TestArgs {
    /// Backends to test (default: every backend whose package is in the workspace, plus all
    /// other workspace tests).
    pub backends: Vec<String>,
    /// Fail when a selected backend was skipped (no package, no server, no tests); also exports
    /// KV_REQUIRE_SERVICES=1 so the tests fail instead of skipping. Implied by
    /// KV_REQUIRE_SERVICES=1.
    #[arg(long)]
    pub require: bool,
    /// Threads per test binary (libtest `--test-threads`).
    #[arg(long, default_value_t = DEFAULT_TEST_THREADS)]
    pub test_threads: usize,
}

/// libtest threads per test binary: tests mostly wait on servers and TTLs, not on CPU.
const DEFAULT_TEST_THREADS: usize = 8;

impl Default for TestArgs {
    fn default() -> Self {
        TestArgs {
            backends: Vec::new(),
            require: false,
            test_threads: DEFAULT_TEST_THREADS,
        }
    }
}

/// Why a backend's tests did not count.
enum Skip {
    NotBuilt,
    WrongOs(&'static str),
    NoServer(&'static str),
    NoTests,
}

impl Skip {
    fn reason(&self, backend: &Backend) -> String {
        match self {
            Skip::NotBuilt => format!("not built yet (no package {})", backend.package),
            Skip::WrongOs(os) => {
                format!("runs on {os} only (`cargo xtask windows` runs it under Wine)")
            }
            Skip::NoServer(var) => {
                format!("{var} not set (start servers with `cargo xtask services up`)")
            }
            Skip::NoTests => format!(
                "no tests named `{}*` in {}",
                backend.filter, backend.package
            ),
        }
    }
}

struct Row {
    name: String,
    run: u64,
    passed: u64,
    failed: u64,
    skipped: u64,
    note: String,
    /// Selected and skipped as a whole (what `--require` rejects).
    whole_skip: bool,
}

pub fn run(args: &TestArgs) -> Result<()> {
    let require = args.require || env::var("KV_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    let members = workspace::members()?;
    let env_vars = envfile::read(&envfile::path())?;
    let explicit = !args.backends.is_empty();
    let selected: Vec<&Backend> = if explicit {
        backends::select(&args.backends)?
    } else {
        BACKENDS.iter().collect()
    };

    let packages: BTreeSet<&str> = selected
        .iter()
        .filter(|b| members.contains(b.package))
        .map(|b| b.package)
        .collect();
    let report = if explicit && packages.is_empty() {
        println!("no selected backend has a package in the workspace yet; nothing to run");
        None
    } else {
        // Named backends: only their packages, and only their tests (libtest name filters).
        let scope: Option<Scope> = explicit.then(|| Scope {
            packages: packages.into_iter().collect(),
            filters: selected.iter().map(|b| b.filter).collect(),
        });
        Some(cargo_test(
            scope.as_ref(),
            &env_vars,
            require,
            args.test_threads,
            &members,
        )?)
    };

    let (cargo_ok, report) = match report {
        Some((ok, report)) => (ok, report),
        None => (true, Report::default()),
    };
    let rows = backend_rows(&selected, &members, &env_vars, &report, explicit);
    let mut table = rows;
    table.push(other_row(&report, &selected, explicit));
    let totals = report.totals();
    table.push(Row {
        name: "total".into(),
        run: totals.passed + totals.failed,
        passed: totals.passed,
        failed: totals.failed,
        skipped: totals.ignored,
        note: format!(
            "libtest totals over {} test binaries",
            report.summaries.len()
        ),
        whole_skip: false,
    });
    print_table(&table);
    write_matrix(&selected, &report)?;
    print_failures(&report);

    let skipped: Vec<&str> = table
        .iter()
        .filter(|r| r.whole_skip)
        .map(|r| r.name.as_str())
        .collect();
    if totals.failed > 0 {
        bail!("{} tests failed", totals.failed);
    }
    if !cargo_ok {
        bail!(
            "cargo test failed (see {})",
            workspace::state_dir().join("test.log").display()
        );
    }
    if require && !skipped.is_empty() {
        bail!(
            "--require: selected backends were skipped: {}",
            skipped.join(", ")
        );
    }
    Ok(())
}

/// Repeats what each failed test printed (its panic message first) after the tables, so the
/// end of the output says what failed and why without opening the log.
fn print_failures(report: &Report) {
    const MAX_LINES: usize = 40;
    for failure in &report.failures {
        let package = failure.package.as_deref().unwrap_or("?");
        println!("\nFAILED {package}: {}", failure.name);
        let lines: Vec<&String> = failure
            .lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .collect();
        for line in lines.iter().take(MAX_LINES) {
            println!("    {line}");
        }
        if lines.len() > MAX_LINES {
            println!(
                "    ... ({} more lines in the log)",
                lines.len() - MAX_LINES
            );
        }
    }
}

/// What to run instead of the whole workspace.
struct Scope {
    packages: Vec<&'static str>,
    filters: Vec<&'static str>,
}

/// Runs `cargo test` once, logging to `<state>/test.log` and echoing everything except the
/// per-test `ok`/`ignored` lines and cargo's JSON messages. Returns (succeeded, parsed log).
fn cargo_test(
    scope: Option<&Scope>,
    env_vars: &[(String, String)],
    require: bool,
    test_threads: usize,
    members: &Members,
) -> Result<(bool, Report)> {
    let state = workspace::ensure_state_dir()?;
    let log_path = state.join("test.log");
    let log =
        File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
    // The keyutils tests need a session keyring of their own: `keyctl session -` gives the whole
    // run a new anonymous one (outside it every keyutils call is denied on some machines).
    let keyutils = env_vars.iter().any(|(k, _)| k == "KV_TEST_KEYUTILS");
    let mut cmd = if keyutils {
        let mut cmd = Command::new("keyctl");
        cmd.args(["session", "-"])
            .arg(workspace::cargo_program())
            .current_dir(workspace::root());
        cmd
    } else {
        workspace::cargo()
    };
    cmd.args([
        "test",
        "--no-fail-fast",
        "--message-format=json-render-diagnostics",
    ]);
    match scope {
        Some(scope) => {
            for p in &scope.packages {
                cmd.args(["-p", p]);
            }
            cmd.args([
                "--",
                "--show-output",
                &format!("--test-threads={test_threads}"),
            ]);
            cmd.args(&scope.filters);
        }
        None => {
            cmd.args([
                "--workspace",
                "--",
                "--show-output",
                &format!("--test-threads={test_threads}"),
            ]);
        }
    }
    for (k, v) in env_vars {
        if env::var_os(k).is_none() {
            cmd.env(k, v);
        }
    }
    if require {
        cmd.env("KV_REQUIRE_SERVICES", "1");
    }
    cmd.env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    if !env_vars.is_empty() {
        let names: Vec<&str> = env_vars.iter().map(|(k, _)| k.as_str()).collect();
        println!("with {}: {}", envfile::path().display(), names.join(" "));
    }
    println!(
        "$ {}  (log: {})",
        process::display(&cmd),
        log_path.display()
    );
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting cargo test")?;
    let mut follower = Follower::open(&log_path)?;
    let status = loop {
        follower.echo_new(false)?;
        if let Some(status) = child.try_wait()? {
            break status;
        }
        sleep(Duration::from_millis(200));
    };
    follower.echo_new(true)?;
    println!(
        "cargo test finished in {:.1}s ({status})",
        started.elapsed().as_secs_f64()
    );
    let text = std::fs::read_to_string(&log_path)?;
    Ok((status.success(), libtest::parse(&text, &members.manifests)))
}

/// Echoes the interesting new lines of a growing log file.
struct Follower {
    file: File,
    pending: String,
}

impl Follower {
    fn open(path: &Path) -> Result<Self> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Follower {
            file,
            pending: String::new(),
        })
    }

    fn echo_new(&mut self, flush: bool) -> Result<()> {
        let mut bytes = Vec::new();
        self.file.read_to_end(&mut bytes)?;
        self.pending.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=end).collect();
            echo(line.trim_end_matches(['\n', '\r']));
        }
        if flush && !self.pending.is_empty() {
            echo(&std::mem::take(&mut self.pending));
        }
        Ok(())
    }
}

fn echo(line: &str) {
    let quiet = line.starts_with("{\"reason\"")
        || line.trim().is_empty()
        || line.starts_with("running ")
        || line.starts_with("SKIPPED")
        || line.starts_with("---- ")
        || line == "successes:"
        || (line.starts_with("test ")
            && (line.ends_with(" ... ok") || line.contains(" ... ignored")));
    if !quiet {
        println!("{line}");
    }
}

fn backend_rows(
    selected: &[&Backend],
    members: &Members,
    env_vars: &[(String, String)],
    report: &Report,
    explicit: bool,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for backend in selected {
        let mut row = Row {
            name: backend.name.into(),
            run: 0,
            passed: 0,
            failed: 0,
            skipped: 0,
            note: String::new(),
            whole_skip: false,
        };
        let tests: Vec<Status> = report
            .tests
            .iter()
            .filter(|t| t.package.as_deref() == Some(backend.package) && backend.matches(&t.name))
            .map(|t| t.status)
            .collect();
        let count = |s: Status| tests.iter().filter(|t| **t == s).count() as u64;
        let has_env = |var: &str| {
            env::var(var).is_ok_and(|v| !v.is_empty())
                || env_vars.iter().any(|(k, v)| k == var && !v.is_empty())
        };
        let skip = if !members.contains(backend.package) {
            Some(Skip::NotBuilt)
        } else if let Some(os) = backend.only_os.filter(|os| *os != env::consts::OS) {
            Some(Skip::WrongOs(os))
        } else if let Some(var) = backend.env_var.filter(|v| !has_env(v)) {
            Some(Skip::NoServer(var))
        } else if tests.is_empty() {
            Some(Skip::NoTests)
        } else {
            None
        };
        row.failed = count(Status::Failed);
        match &skip {
            None => {
                row.passed = count(Status::Passed);
                row.skipped = count(Status::Ignored) + count(Status::Skipped);
                row.run = row.passed + row.failed;
            }
            Some(reason) => {
                row.run = row.failed;
                row.skipped = tests.len() as u64 - row.failed;
                row.note = format!("skipped: {}", reason.reason(backend));
                // Backends not built yet (or for another OS) are only "selected" when named.
                row.whole_skip = explicit || !matches!(reason, Skip::NotBuilt | Skip::WrongOs(_));
            }
        }
        rows.push(row);
    }
    rows
}

/// Every test not counted in a backend row: unit tests, doc tests, wrapper tests, ...
fn other_row(report: &Report, selected: &[&Backend], explicit: bool) -> Row {
    let others = report.tests.iter().filter(|t| {
        !selected
            .iter()
            .any(|b| t.package.as_deref() == Some(b.package) && b.matches(&t.name))
    });
    let mut row = Row {
        name: if explicit {
            "other tests matching the filters".into()
        } else {
            "other workspace tests".into()
        },
        run: 0,
        passed: 0,
        failed: 0,
        skipped: 0,
        note: "unit, doc and integration tests".into(),
        whole_skip: false,
    };
    for t in others {
        match t.status {
            Status::Passed => row.passed += 1,
            Status::Failed => row.failed += 1,
            Status::Ignored | Status::Skipped => row.skipped += 1,
        }
    }
    row.run = row.passed + row.failed;
    row
}

/// The bad-input matrix (`MATRIX` lines of the `bad_input__*` conformance cases): one row per
/// backend, one column per case, `accepted`, `rejected (kind)` or `skipped`; written as
/// Markdown to `<state>/bad-input-matrix.md` (the README's table comes from there).
fn write_matrix(selected: &[&Backend], report: &Report) -> Result<()> {
    let mut cases: Vec<&str> = Vec::new();
    for cell in &report.matrix {
        if !cases.contains(&cell.case.as_str()) {
            cases.push(&cell.case);
        }
    }
    if cases.is_empty() {
        return Ok(());
    }
    // The conformance suite's order (cases it adds later go last).
    const ORDER: &[&str] = &[
        "empty_key",
        "key_with_separators",
        "key_with_nul",
        "key_with_newline",
        "key_with_emoji",
        "collection_with_nul",
        "key_1_mib",
        "value_16_mib",
        "ttl_400_days",
        "batch_of_10000",
    ];
    cases.sort_by_key(|c| ORDER.iter().position(|o| o == c).unwrap_or(ORDER.len()));
    let mut text = format!("| backend | {} |\n|---|", cases.join(" | "));
    text.push_str(&"---|".repeat(cases.len()));
    text.push('\n');
    for backend in selected {
        let mine = |test: &str, package: &Option<String>| {
            package.as_deref() == Some(backend.package) && backend.matches(test)
        };
        let mut row = Vec::new();
        for case in &cases {
            let printed = report
                .matrix
                .iter()
                .find(|c| c.case == *case && mine(&c.test, &c.package))
                .map(|c| c.outcome.clone());
            let skipped = report.tests.iter().any(|t| {
                t.status == Status::Skipped
                    && mine(&t.name, &t.package)
                    && t.name.ends_with(&format!("bad_input__{case}"))
            });
            row.push(printed.unwrap_or_else(|| if skipped { "skipped" } else { "—" }.to_owned()));
        }
        if row.iter().all(|c| c == "—" || c == "skipped") {
            continue;
        }
        text.push_str(&format!("| {} | {} |\n", backend.name, row.join(" | ")));
    }
    let path = workspace::state_dir().join("bad-input-matrix.md");
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    println!("bad-input matrix ({}):\n{text}", path.display());
    Ok(())
}

fn print_table(rows: &[Row]) {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(7).max(7);
    println!();
    println!(
        "{:<width$} | {:>9} | {:>6} | {:>6} | {:>7} | note",
        "backend", "tests run", "passed", "failed", "skipped"
    );
    println!("{}", "-".repeat(width + 50));
    for r in rows {
        if r.name == "total" {
            println!("{}", "-".repeat(width + 50));
        }
        println!(
            "{:<width$} | {:>9} | {:>6} | {:>6} | {:>7} | {}",
            r.name, r.run, r.passed, r.failed, r.skipped, r.note
        );
    }
    println!();
}
