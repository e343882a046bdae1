//! Runs the `kv` binary: exit codes, output contract, bad input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kv(store: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("KV_STORE")
        .output()
        .expect("run kv")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn put_accepts_objects_and_reads_stdin() {
    let o = kv(
        "memory://",
        &["put", "c", "k", r#"{"a": 1}"#, "--ttl", "1.5"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut child = Command::new(env!("CARGO_BIN_EXE_kv"))
        .args(["--store", "memory://", "put", "c", "k", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"from": "stdin"}"#)
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
}

#[test]
fn missing_entries_exit_1_with_nothing_on_stdout() {
    for cmd in ["get", "ttl"] {
        let o = kv("memory://", &[cmd, "c", "missing"]);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        assert!(o.stdout.is_empty(), "{cmd}");
    }
    let o = kv("memory://", &["delete", "c", "missing"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "false");
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["put", "c", "k", "{not json"], "not valid JSON"),
        (
            &["put", "c", "k", "[1, 2]"],
            "must be a JSON object, got an array",
        ),
        (&["put", "c", "k", "5"], "got a number"),
        (
            &["put", "c", "k", "{}", "--ttl", "0"],
            "--ttl must be a positive",
        ),
        (
            &["put", "c", "k", "{}", "--ttl", "-3"],
            "--ttl must be a positive",
        ),
        (&["bogus"], "unrecognized subcommand"),
        (&["get", "c"], "required arguments were not provided"),
    ];
    for (args, expected) in cases {
        let o = kv("memory://", args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn unknown_scheme_and_unlistable_store_are_clear() {
    let o = kv("nosuch://x", &["get", "c", "k"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown store URL scheme 'nosuch'"),
        "{}",
        stderr(&o)
    );
    let o = kv("null://", &["keys", "c"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot list"), "{}", stderr(&o));
    let o = kv("memory://", &["keys", "c", "--limit", "5"]);
    assert!(o.status.success());
    let o = kv("memory://", &["collections"]);
    assert!(o.status.success());
}

#[test]
fn store_comes_from_the_environment() {
    let o = Command::new(env!("CARGO_BIN_EXE_kv"))
        .args(["get", "c", "k"])
        .env("KV_STORE", "nosuch://env")
        .output()
        .unwrap();
    assert!(stderr(&o).contains("nosuch"), "{}", stderr(&o));
}
