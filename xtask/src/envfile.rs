//! The `<target>/kv-services/env` file: `NAME=value` lines the tests read their servers from.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::workspace;

/// Path of the env file.
pub fn path() -> PathBuf {
    workspace::state_dir().join("env")
}

/// Writes `vars` as `NAME=value` lines (replacing the file).
pub fn write(file: &Path, vars: &[(String, String)]) -> Result<()> {
    let text: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    fs::write(file, text).with_context(|| format!("writing {}", file.display()))
}

/// Reads `NAME=value` lines; a missing file is empty. Blank lines and `#` comments are skipped.
pub fn read(file: &Path) -> Result<Vec<(String, String)>> {
    let text = match fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", file.display())),
    };
    Ok(parse(&text))
}

/// The value of `var`: from the process environment, else from the env file.
pub fn lookup(var: &str) -> Option<String> {
    if let Some(value) = std::env::var_os(var) {
        return Some(value.to_string_lossy().into_owned());
    }
    read(&path())
        .ok()?
        .into_iter()
        .find(|(k, _)| k == var)
        .map(|(_, v)| v)
}

fn parse(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let vars = parse("# c\nKV_TEST_REDIS_URL=redis://127.0.0.1:1/0\n\nX = y=z\n");
        assert_eq!(
            vars,
            vec![
                ("KV_TEST_REDIS_URL".into(), "redis://127.0.0.1:1/0".into()),
                ("X".into(), "y=z".into())
            ]
        );
    }
}
