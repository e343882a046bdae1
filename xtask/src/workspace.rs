//! Where things are: the workspace root, the target directory, the services' state directory,
//! and which packages the workspace has.

use std::collections::HashMap;
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The workspace root (the parent of this crate's directory).
///
/// Read at run time from `CARGO_MANIFEST_DIR`, which `cargo run` (and so `cargo xtask`) sets:
/// cargo's fingerprints are relative to the workspace, so a binary built in one clone is reused
/// by a clone elsewhere that shares the target directory, and a path compiled in would point
/// at the first clone. The compile-time path is only the fallback for running the binary by hand.
pub fn root() -> PathBuf {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.clone(), Path::to_path_buf)
}

/// The `cargo` to call: the one that runs us (`$CARGO`), else `cargo` on PATH.
pub fn cargo() -> Command {
    let mut cmd = Command::new(cargo_program());
    cmd.current_dir(root());
    cmd
}

/// The path of the `cargo` to call: `$CARGO`, else `cargo`.
pub fn cargo_program() -> std::ffi::OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The workspace target directory: `$CARGO_TARGET_DIR` if set (relative to the root), else
/// `<root>/target`.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// `<target>/kv-services`: PID files, logs, data, venvs and the `env` file.
pub fn state_dir() -> PathBuf {
    target_dir().join("kv-services")
}

/// Like [`state_dir`], created if missing.
pub fn ensure_state_dir() -> Result<PathBuf> {
    let dir = state_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// The workspace's member packages (`cargo metadata --no-deps`).
pub struct Members {
    /// `Cargo.toml` path -> package name.
    pub manifests: HashMap<String, String>,
}

impl Members {
    /// Whether a package called `name` is a member.
    pub fn contains(&self, name: &str) -> bool {
        self.manifests.values().any(|p| p == name)
    }
}

/// Reads the workspace members with `cargo metadata --no-deps`.
pub fn members() -> Result<Members> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("parsing cargo metadata output")?;
    let manifests = metadata["packages"]
        .as_array()
        .context("cargo metadata has no packages array")?
        .iter()
        .filter_map(|p| {
            let name = p["name"].as_str()?;
            let manifest = p["manifest_path"].as_str()?;
            Some((manifest.to_owned(), name.to_owned()))
        })
        .collect();
    Ok(Members { manifests })
}
