//! Parsing of a `cargo test --message-format=json-render-diagnostics` log: cargo's artifact
//! messages (which test executable belongs to which package), its `Running`/`Doc-tests` status
//! lines, and libtest's `test NAME ... ok` and `test result:` lines.

use std::collections::HashMap;

/// Outcome of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    Ignored,
    /// Passed, but printed a `SKIPPED` line: the test decided at run time not to run its body
    /// (a capability the store does not offer, a missing server, a store that keeps nothing).
    Skipped,
}

/// One `test NAME ... STATUS` line, attributed to the package of the binary that printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    pub package: Option<String>,
    pub name: String,
    pub status: Status,
}

/// One `test result:` line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub package: Option<String>,
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

/// One `MATRIX CASE: OUTCOME` line a bad-input conformance case printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixCell {
    pub package: Option<String>,
    /// The test that printed it.
    pub test: String,
    pub case: String,
    /// `accepted` or `rejected (KIND)`.
    pub outcome: String,
}

/// What a failed test printed: its `---- NAME stdout ----` section in libtest's `failures:`
/// block (the panic message and anything the test wrote).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureOutput {
    pub package: Option<String>,
    pub name: String,
    pub lines: Vec<String>,
}

/// Everything parsed from a log.
#[derive(Debug, Default)]
pub struct Report {
    pub tests: Vec<TestOutcome>,
    pub summaries: Vec<Summary>,
    pub matrix: Vec<MatrixCell>,
    pub failures: Vec<FailureOutput>,
}

impl Report {
    /// Totals over every `test result:` line.
    pub fn totals(&self) -> Summary {
        let mut total = Summary::default();
        for s in &self.summaries {
            total.passed += s.passed;
            total.failed += s.failed;
            total.ignored += s.ignored;
        }
        total
    }
}

/// Parses a whole log. `manifests` maps a `Cargo.toml` path to its package name (from
/// `cargo metadata`), used to attribute test executables to packages.
pub fn parse(log: &str, manifests: &HashMap<String, String>) -> Report {
    let mut executables: HashMap<String, String> = HashMap::new();
    let mut report = Report::default();
    let mut current: Option<String> = None;
    // `---- NAME stdout ----` sections (libtest `--show-output`) and the SKIPPED lines in them.
    let mut section: Option<String> = None;
    let mut skipped: Vec<(Option<String>, String)> = Vec::new();
    // Inside libtest's `failures:` block, where a section belongs to a failed test.
    let mut in_failures = false;
    for line in log.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"))
        {
            section = Some(name.to_owned());
            if in_failures {
                report.failures.push(FailureOutput {
                    package: current.clone(),
                    name: name.to_owned(),
                    lines: Vec::new(),
                });
            }
            continue;
        }
        match line {
            "failures:" => {
                in_failures = true;
                section = None;
            }
            "successes:" => {
                in_failures = false;
                section = None;
            }
            _ if line.starts_with("test result: ") || line.trim_start().starts_with("Running ") => {
                in_failures = false;
            }
            _ => {}
        }
        if in_failures && section.is_some() {
            if let Some(failure) = report.failures.last_mut() {
                failure.lines.push(line.to_owned());
            }
        }
        if let (Some((case, outcome)), Some(test)) = (
            line.strip_prefix("MATRIX ")
                .and_then(|rest| rest.split_once(": ")),
            &section,
        ) {
            report.matrix.push(MatrixCell {
                package: current.clone(),
                test: test.clone(),
                case: case.to_owned(),
                outcome: outcome.to_owned(),
            });
            continue;
        }
        if line.starts_with("SKIPPED") {
            if let Some(name) = &section {
                skipped.push((current.clone(), name.clone()));
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("{\"reason\"") {
            if let Some((exe, package)) = artifact(trimmed, manifests) {
                executables.insert(exe, package);
            }
        } else if let Some(rest) = trimmed.strip_prefix("Running ") {
            section = None;
            current = running_executable(rest).and_then(|exe| executables.get(&exe).cloned());
        } else if let Some(krate) = trimmed.strip_prefix("Doc-tests ") {
            current = doc_test_package(krate.trim(), manifests);
        } else if let Some(rest) = line.strip_prefix("test result: ") {
            if let Some(mut summary) = summary(rest) {
                summary.package.clone_from(&current);
                report.summaries.push(summary);
            }
        } else if let Some(rest) = line.strip_prefix("test ") {
            if let Some((name, status)) = test_line(rest) {
                report.tests.push(TestOutcome {
                    package: current.clone(),
                    name,
                    status,
                });
            }
        }
    }
    for test in &mut report.tests {
        if test.status == Status::Passed
            && skipped
                .iter()
                .any(|(package, name)| *package == test.package && *name == test.name)
        {
            test.status = Status::Skipped;
        }
    }
    report
}

/// `(executable file name, package)` of a `compiler-artifact` message that has an executable.
fn artifact(json: &str, manifests: &HashMap<String, String>) -> Option<(String, String)> {
    let message: serde_json::Value = serde_json::from_str(json).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let exe = file_name(message["executable"].as_str()?);
    let package = manifests.get(message["manifest_path"].as_str()?)?;
    Some((exe, package.clone()))
}

/// The executable's file name in `unittests src/lib.rs (target/debug/deps/x-0123)`.
fn running_executable(rest: &str) -> Option<String> {
    let open = rest.rfind('(')?;
    let close = rest.rfind(')')?;
    (open < close).then(|| file_name(&rest[open + 1..close]))
}

fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_owned()
}

/// The package whose library crate is `krate` (`kv_core` -> `kv-core`).
fn doc_test_package(krate: &str, manifests: &HashMap<String, String>) -> Option<String> {
    manifests
        .values()
        .find(|p| p.replace('-', "_") == krate)
        .cloned()
}

/// `ok. 3 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s`
fn summary(rest: &str) -> Option<Summary> {
    let (_, counts) = rest.split_once(". ")?;
    let mut summary = Summary::default();
    for part in counts.split(';') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match what {
            "passed" => summary.passed = n,
            "failed" => summary.failed = n,
            "ignored" => summary.ignored = n,
            _ => {}
        }
    }
    Some(summary)
}

/// `NAME ... ok` (also `... FAILED`, `... ignored`, `... ignored, reason`).
fn test_line(rest: &str) -> Option<(String, Status)> {
    let (name, status) = rest.rsplit_once(" ... ")?;
    let status = match status.trim() {
        "ok" => Status::Passed,
        "FAILED" => Status::Failed,
        s if s == "ignored" || s.starts_with("ignored,") => Status::Ignored,
        _ => return None,
    };
    Some((name.to_owned(), status))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"   Compiling kv-store-memory v0.1.0 (/w/crates/kv-store-memory)
{"reason":"compiler-artifact","package_id":"path+file:///w/crates/kv-store-memory#0.1.0","manifest_path":"/w/crates/kv-store-memory/Cargo.toml","target":{"kind":["test"],"name":"conformance"},"executable":"/t/debug/deps/conformance-0a1b","fresh":false}
{"reason":"compiler-artifact","package_id":"path+file:///w/crates/kv-core#0.1.0","manifest_path":"/w/crates/kv-core/Cargo.toml","target":{"kind":["lib"],"name":"kv_core"},"executable":"/t/debug/deps/kv_core-77aa","fresh":false}
{"reason":"build-finished","success":true}
     Running unittests src/lib.rs (/t/debug/deps/kv_core-77aa)

running 2 tests
test codec::tests::float ... ok
test memory::not_a_backend_test ... ignored, needs a server
test result: ok. 1 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

     Running tests/conformance.rs (/t/debug/deps/conformance-0a1b)

running 3 tests
test memory::explicit_setup::test_get_put_get ... ok
test simple::lazy_setup::test_ttl ... FAILED
test null::explicit_setup::test_get ... ok
test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s

   Doc-tests kv_core

running 1 test
test crates/kv-core/src/entry.rs - entry::Entry (line 8) ... ok
test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.30s
"#;

    fn manifests() -> HashMap<String, String> {
        [
            ("/w/crates/kv-store-memory/Cargo.toml", "kv-store-memory"),
            ("/w/crates/kv-core/Cargo.toml", "kv-core"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
    }

    #[test]
    fn attributes_tests_to_packages() {
        let report = parse(LOG, &manifests());
        assert_eq!(report.tests.len(), 6);
        let memory = &report.tests[2];
        assert_eq!(memory.name, "memory::explicit_setup::test_get_put_get");
        assert_eq!(memory.package.as_deref(), Some("kv-store-memory"));
        assert_eq!(memory.status, Status::Passed);
        assert_eq!(report.tests[1].package.as_deref(), Some("kv-core"));
        assert_eq!(report.tests[1].status, Status::Ignored);
        assert_eq!(report.tests[3].status, Status::Failed);
        assert_eq!(report.tests[5].package.as_deref(), Some("kv-core"));
    }

    #[test]
    fn collects_matrix_lines_of_a_section() {
        let log = "     Running tests/conformance.rs (target/debug/deps/conformance-abc)\n\
                   ---- memory::lazy_setup::test_bad_input__empty_key stdout ----\n\
                   MATRIX empty_key: rejected (invalid key)\n";
        let report = parse(log, &HashMap::new());
        assert_eq!(report.matrix.len(), 1);
        assert_eq!(report.matrix[0].case, "empty_key");
        assert_eq!(report.matrix[0].outcome, "rejected (invalid key)");
        assert_eq!(
            report.matrix[0].test,
            "memory::lazy_setup::test_bad_input__empty_key"
        );
    }

    #[test]
    fn keeps_the_output_of_failed_tests_only() {
        let log = "     Running tests/restart.rs (target/debug/deps/restart-abc)\n\
                   successes:\n\
                   \n\
                   ---- passing stdout ----\n\
                   fine\n\
                   \n\
                   failures:\n\
                   \n\
                   ---- flaky stdout ----\n\
                   thread 'flaky' panicked at tests/restart.rs:9:5:\n\
                   call 3 failed\n\
                   \n\
                   failures:\n    flaky\n\
                   \n\
                   test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n";
        let report = parse(log, &HashMap::new());
        assert_eq!(report.failures.len(), 1);
        let failure = &report.failures[0];
        assert_eq!(failure.name, "flaky");
        assert!(failure.lines.iter().any(|l| l == "call 3 failed"));
        assert!(!failure.lines.iter().any(|l| l == "fine"));
    }

    #[test]
    fn sums_summaries() {
        let report = parse(LOG, &manifests());
        assert_eq!(report.summaries.len(), 3);
        let total = report.totals();
        assert_eq!((total.passed, total.failed, total.ignored), (4, 1, 1));
        assert_eq!(
            report.summaries[1].package.as_deref(),
            Some("kv-store-memory")
        );
    }
}
