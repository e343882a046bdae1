//! `kv`: put, get, list, copy and benchmark any kv store from the command line.

mod bench;
mod cli;
mod commands;
mod copy;

use std::process::ExitCode;

use clap::Parser;

/// A fast general-purpose allocator for the binary: stored values are JSON objects made of many
/// small allocations, which glibc's allocator handles several times slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // One readable line: clap's first line without its "error: " prefix.
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!(
                "kv: {} (see kv --help)",
                first.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kv: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kv: {message}");
            ExitCode::from(2)
        }
    }
}
