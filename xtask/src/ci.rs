//! `cargo xtask ci`: the whole pipeline, strict, each step timed; services are stopped at the
//! end even when a step fails.

use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::interop::{self, InteropArgs};
use crate::process;
use crate::services;
use crate::test_runner::{self, TestArgs};
use crate::workspace;

type Step = (&'static str, Box<dyn Fn() -> Result<()>>);

pub fn run() -> Result<()> {
    let started = Instant::now();
    let steps: Vec<Step> = vec![
        ("services install", Box::new(crate::install::install)),
        (
            "cargo fmt --all --check",
            Box::new(|| process::run(workspace::cargo().args(["fmt", "--all", "--check"]))),
        ),
        (
            "cargo clippy --workspace --all-targets -- -D warnings",
            Box::new(|| {
                process::run(workspace::cargo().args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]))
            }),
        ),
        (
            "cargo doc --workspace --no-deps (warnings are errors)",
            Box::new(|| {
                process::run(
                    workspace::cargo()
                        .args(["doc", "--workspace", "--no-deps"])
                        .env("RUSTDOCFLAGS", "-D warnings"),
                )
            }),
        ),
        (
            "docker compose config (docker-compose.yml is valid)",
            Box::new(|| {
                let mut compose = crate::install::compose_command()
                    .context("no docker compose or docker-compose to check docker-compose.yml")?;
                process::run(compose.current_dir(workspace::root()).args([
                    "-f",
                    "docker-compose.yml",
                    "config",
                    "-q",
                ]))
            }),
        ),
        (
            "windows (x86_64-pc-windows-gnu check, registry tests under Wine)",
            Box::new(crate::windows::run),
        ),
        ("services up", Box::new(|| services::up(&[]))),
        (
            "test --require",
            Box::new(|| {
                test_runner::run(&TestArgs {
                    require: true,
                    ..TestArgs::default()
                })
            }),
        ),
        (
            "interop",
            Box::new(|| interop::run(&InteropArgs::default())),
        ),
    ];

    let mut timings = Vec::new();
    let mut failure = None;
    for (name, step) in &steps {
        let (ok, secs) = timed(name, step);
        timings.push((*name, ok, secs));
        if !ok {
            failure = Some(*name);
            break;
        }
    }
    let (down_ok, down_secs) = timed("services down", &|| services::down());
    timings.push(("services down", down_ok, down_secs));

    println!("\n== ci summary");
    for (name, ok, secs) in &timings {
        let status = if *ok { "ok" } else { "FAILED" };
        println!("{secs:>8.1}s  {status:<6}  {name}");
    }
    println!("{:>8.1}s  total", started.elapsed().as_secs_f64());
    if let Some(step) = failure {
        bail!("ci failed at step `{step}`");
    }
    if !down_ok {
        bail!("ci: services down failed");
    }
    Ok(())
}

/// Runs one step with a banner; returns (succeeded, seconds).
fn timed(name: &str, step: &dyn Fn() -> Result<()>) -> (bool, f64) {
    println!("\n== ci step: {name}");
    let started = Instant::now();
    let result = step();
    let secs = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => {
            println!("== ci step: {name}: ok ({secs:.1}s)");
            (true, secs)
        }
        Err(err) => {
            eprintln!("== ci step: {name}: FAILED ({secs:.1}s): {err:#}");
            (false, secs)
        }
    }
}
