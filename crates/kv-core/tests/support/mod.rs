//! Finds `shared/fixtures` (written by the real py-key-value) and reads its JSONL files.

use std::path::PathBuf;

use serde_json::Value;

/// The fixtures directory: `$KV_FIXTURES_DIR`, or `shared/fixtures` beside the repository.
pub fn fixtures_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("KV_FIXTURES_DIR") {
        return PathBuf::from(dir);
    }
    // At run time first: a test binary built in another clone sharing the target dir is reused.
    let manifest = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
    );
    for ancestor in manifest.ancestors() {
        let candidate = ancestor.join("shared").join("fixtures");
        if candidate.join("MANIFEST.md").exists() {
            return candidate;
        }
    }
    panic!("shared/fixtures not found beside the repository; set KV_FIXTURES_DIR");
}

/// Every line of a JSONL fixture file, parsed.
pub fn read_jsonl(name: &str) -> Vec<Value> {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
        .collect()
}
