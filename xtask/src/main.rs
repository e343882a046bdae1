//! `cargo xtask`: the workspace's automation.
//!
//! - `services install|up|down`: install and run the backend servers the tests talk to;
//! - `test`: run the workspace tests against them and print a per-backend summary;
//! - `interop`: check that Python's py-key-value and this project read each other's bytes;
//! - `ci`: everything above, strict, in order.

mod backends;
mod bench;
mod ci;
mod envfile;
mod install;
mod interop;
mod interop_codec;
mod interop_typed;
mod keyring_service;
mod libtest;
mod process;
mod service_defs;
mod services;
mod test_runner;
mod valkey_cluster;
mod windows;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "kv workspace automation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install, start or stop the backend servers used by the tests.
    Services {
        #[command(subcommand)]
        action: ServicesAction,
    },
    /// Run the workspace tests (with the services' environment) and print a per-backend summary.
    Test(test_runner::TestArgs),
    /// Cross-language checks: Python py-key-value and Rust read each other's bytes.
    Interop(interop::InteropArgs),
    /// The benchmark workload on kv, the raw client and py-key-value side by side.
    Bench(bench::BenchArgs),
    /// The Windows code compiled for x86_64-pc-windows-gnu, and its tests under Wine (each part
    /// skipped with a reason where this machine cannot do it).
    Windows,
    /// The full CI pipeline: install, fmt, clippy, doc, compose config, windows, services up,
    /// test --require, interop, services down.
    Ci,
}

#[derive(Subcommand)]
enum ServicesAction {
    /// Install every server and tool the tests need (Debian/Ubuntu apt, PyPI venvs). Idempotent.
    Install,
    /// Start every server found on PATH (or only those serving the given backends) on free
    /// 127.0.0.1 ports and write `<target>/kv-services/env`.
    Up {
        /// Backends to start servers for (default: all).
        backends: Vec<String>,
    },
    /// Stop every server started by `services up` (by recorded PID only).
    Down,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Services { action } => match action {
            ServicesAction::Install => install::install(),
            ServicesAction::Up { backends } => services::up(&backends),
            ServicesAction::Down => services::down(),
        },
        Command::Test(args) => test_runner::run(&args),
        Command::Interop(args) => interop::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Windows => windows::run(),
        Command::Ci => ci::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
