//! `cargo xtask windows`: the Windows-only code (the registry store, the keyring crate's Windows
//! credential store, the `registry://` opener) compiled for `x86_64-pc-windows-gnu`, and the
//! registry store's tests run under Wine. Each part that this machine cannot do (no rustup
//! target, no MinGW linker, no Wine) says so and is skipped, not failed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::process;
use crate::workspace;

/// The Windows target of the cross checks.
pub const TARGET: &str = "x86_64-pc-windows-gnu";
/// The MinGW-w64 linker rustc uses for that target.
const LINKER: &str = "x86_64-w64-mingw32-gcc";

/// Runs the check, then the Wine tests where possible.
pub fn run() -> Result<()> {
    if !target_installed() {
        println!("SKIPPED: the {TARGET} standard library is not installed and `rustup target add {TARGET}` failed; the Windows code was not compiled");
        return Ok(());
    }
    let check = |args: &[&str]| {
        process::run(
            workspace::cargo()
                .args(["check", "--target", TARGET])
                .args(args),
        )
    };
    check(&[
        "-p",
        "kv-store-windows-registry",
        "-p",
        "kv-store-keyring",
        "--all-targets",
    ])?;
    check(&[
        "-p",
        "kv",
        "--no-default-features",
        "--features",
        "memory,windows-registry",
    ])?;
    let Some(wine) = wine() else {
        println!("SKIPPED: Wine is not installed: the registry store's tests did not run");
        return Ok(());
    };
    if process::which(LINKER).is_none() {
        println!("SKIPPED: {LINKER} (MinGW-w64) is not installed: the registry store's tests did not run");
        return Ok(());
    }
    let prefix = workspace::ensure_state_dir()?.join("wine-prefix");
    wine_prefix_with_process_prng(&wine, &prefix)?;
    let runner_var = format!(
        "CARGO_TARGET_{}_RUNNER",
        TARGET.to_uppercase().replace('-', "_")
    );
    process::run(
        workspace::cargo()
            .args([
                "test",
                "--target",
                TARGET,
                "-p",
                "kv-store-windows-registry",
            ])
            .env(runner_var, &wine)
            .env("WINEPREFIX", prefix)
            .env("WINEDEBUG", "-all"),
    )
}

/// Whether the target's standard library is there, adding it with rustup when it is not.
fn target_installed() -> bool {
    let installed = || {
        process::output_of(Command::new("rustup").args(["target", "list", "--installed"]))
            .is_some_and(|out| out.lines().any(|line| line.trim() == TARGET))
    };
    if installed() {
        return true;
    }
    println!("$ rustup target add {TARGET}");
    process::succeeds(Command::new("rustup").args(["target", "add", TARGET])) && installed()
}

/// The 64-bit Wine loader: `wine64` on PATH, or Debian's `/usr/lib/wine/wine64`, or `wine`.
fn wine() -> Option<PathBuf> {
    process::which("wine64")
        .or_else(|| {
            let debian = PathBuf::from("/usr/lib/wine/wine64");
            debian.exists().then_some(debian)
        })
        .or_else(|| process::which("wine"))
}

/// Creates the Wine prefix and gives it a `bcryptprimitives.dll` when Wine lacks one (Wine
/// before 9 does): Rust's standard library imports `ProcessPrng` from it on Windows, so every
/// test binary would fail to load. The stand-in, built with MinGW, forwards to `RtlGenRandom`.
fn wine_prefix_with_process_prng(wine: &Path, prefix: &Path) -> Result<()> {
    let system32 = prefix.join("drive_c/windows/system32");
    if !system32.exists() {
        // `wineboot --init` creates the prefix (it complains about 32-bit parts; harmless).
        let _ = Command::new(wine)
            .args(["wineboot", "--init"])
            .env("WINEPREFIX", prefix)
            .env("WINEDEBUG", "-all")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = Command::new("wineserver")
            .arg("-w")
            .env("WINEPREFIX", prefix)
            .status();
    }
    let dll = system32.join("bcryptprimitives.dll");
    let wine_has_it = wine_dll_dirs()
        .iter()
        .any(|dir| dir.join("bcryptprimitives.dll").exists());
    if wine_has_it || dll.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&system32)
        .with_context(|| format!("creating {}", system32.display()))?;
    let source = prefix.join("bcryptprimitives.c");
    std::fs::write(&source, PROCESS_PRNG_SHIM)
        .with_context(|| format!("writing {}", source.display()))?;
    process::run(
        Command::new(LINKER)
            .args(["-shared", "-O2", "-o"])
            .arg(&dll)
            .arg(&source)
            .args(["-ladvapi32", "-Wl,--kill-at"]),
    )
}

/// Where Wine keeps its own 64-bit PE DLLs (Debian and upstream layouts).
fn wine_dll_dirs() -> Vec<PathBuf> {
    [
        "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
        "/usr/lib/wine/x86_64-windows",
        "/usr/lib64/wine/x86_64-windows",
        "/opt/wine-stable/lib64/wine/x86_64-windows",
    ]
    .iter()
    .map(PathBuf::from)
    .collect()
}

/// `ProcessPrng` (bcryptprimitives.dll) on top of `RtlGenRandom` (advapi32).
const PROCESS_PRNG_SHIM: &str = r#"#include <windows.h>
#include <ntsecapi.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
"#;
