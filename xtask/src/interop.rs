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
];

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
