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

fn ok_stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        stderr(o)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn every_command_against_an_embedded_disk_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("disk://{}", dir.path().join("data").display());
    ok_stdout(&kv(
        &url,
        &["put", "users", "alice", r#"{"name": "Alice", "age": 30}"#],
    ));
    ok_stdout(&kv(
        &url,
        &["put", "users", "bob", r#"{"name": "Bob"}"#, "--ttl", "100"],
    ));
    ok_stdout(&kv(&url, &["put", "teams", "red", "{}"]));
    assert_eq!(
        ok_stdout(&kv(&url, &["get", "users", "alice"])).trim(),
        r#"{"age":30,"name":"Alice"}"#
    );
    let ttl: serde_json::Value =
        serde_json::from_str(&ok_stdout(&kv(&url, &["ttl", "users", "bob"]))).unwrap();
    assert_eq!(ttl["value"]["name"], "Bob");
    let secs = ttl["ttl"].as_f64().unwrap();
    assert!(secs > 95.0 && secs <= 100.0, "{secs}");
    let ttl: serde_json::Value =
        serde_json::from_str(&ok_stdout(&kv(&url, &["ttl", "users", "alice"]))).unwrap();
    assert!(ttl["ttl"].is_null());
    assert_eq!(
        ok_stdout(&kv(&url, &["delete", "users", "alice"])).trim(),
        "true"
    );
    assert_eq!(kv(&url, &["get", "users", "alice"]).status.code(), Some(1));
    assert_eq!(ok_stdout(&kv(&url, &["keys", "users"])).trim(), "bob");
    assert_eq!(ok_stdout(&kv(&url, &["collections"])), "teams\nusers\n");
    assert_eq!(
        ok_stdout(&kv(&url, &["collections", "--limit", "1"])),
        "teams\n"
    );
    // A multi-disk store cannot list its collections: a clear error, exit 2.
    let multi = format!("multi-disk://{}", dir.path().join("multi").display());
    let o = kv(&multi, &["collections"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot list"), "{}", stderr(&o));
}

#[test]
fn copy_moves_10000_entries_with_their_ttls() {
    let dir = tempfile::tempdir().unwrap();
    let from = format!("disk://{}", dir.path().join("from").display());
    // Into Redis when a server is configured (the CI), else into a second disk store.
    let to = std::env::var("KV_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("disk://{}", dir.path().join("to").display()));
    let collection = format!("copy-{}", std::process::id());
    // Fill the source through the library (fast), half of the entries with a TTL.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let source = kv::open(&from).unwrap();
        let entries: Vec<(String, kv::Object)> = (0..5_000)
            .map(|i| {
                (
                    format!("plain-{i}"),
                    serde_json::json!({"i": i}).as_object().cloned().unwrap(),
                )
            })
            .collect();
        source
            .put_many(Some(&collection), entries, None)
            .await
            .unwrap();
        let entries: Vec<(String, kv::Object)> = (0..5_000)
            .map(|i| {
                (
                    format!("ttl-{i}"),
                    serde_json::json!({"i": i}).as_object().cloned().unwrap(),
                )
            })
            .collect();
        source
            .put_many(
                Some(&collection),
                entries,
                Some(std::time::Duration::from_secs(600)),
            )
            .await
            .unwrap();
        source.close().await.unwrap();
    });
    let o = Command::new(env!("CARGO_BIN_EXE_kv"))
        .args([
            "copy",
            "--from",
            &from,
            "--to",
            &to,
            "--collection",
            &collection,
        ])
        .output()
        .unwrap();
    let out = ok_stdout(&o);
    assert!(
        out.contains("copied 10000 entries (5000 with a TTL) in 1 collection in"),
        "{out}"
    );
    rt.block_on(async {
        let target = kv::open(&to).unwrap();
        let keys: Vec<String> = (0..5_000)
            .flat_map(|i| [format!("plain-{i}"), format!("ttl-{i}")])
            .collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let got = target.ttl_many(Some(&collection), &refs).await.unwrap();
        for (key, entry) in keys.iter().zip(&got) {
            let (value, ttl) = entry.as_ref().unwrap_or_else(|| panic!("{key} not copied"));
            let i: u64 = key.rsplit('-').next().unwrap().parse().unwrap();
            assert_eq!(value["i"], i, "{key}");
            match (key.starts_with("ttl"), ttl) {
                (false, None) => {}
                (true, Some(t)) => assert!(t.as_secs() > 500 && t.as_secs() <= 600, "{key}: {t:?}"),
                other => panic!("{key}: ttl not preserved: {other:?}"),
            }
        }
        assert_eq!(
            target.delete_many(Some(&collection), &refs).await.unwrap(),
            10_000
        );
    });
}

#[test]
fn copy_needs_a_listing_source_or_named_collections() {
    let dir = tempfile::tempdir().unwrap();
    let from = format!("multi-disk://{}", dir.path().join("from").display());
    let to = format!("disk://{}", dir.path().join("to").display());
    let o = Command::new(env!("CARGO_BIN_EXE_kv"))
        .args(["copy", "--from", &from, "--to", &to])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--collection"), "{}", stderr(&o));
}

/// The Redis server of the test run (`KV_TEST_REDIS_URL`), or `None` after saying why; a
/// missing server fails under `KV_REQUIRE_SERVICES=1`.
fn redis_url() -> Option<String> {
    match std::env::var("KV_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("KV_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "KV_TEST_REDIS_URL is not set and KV_REQUIRE_SERVICES=1"
            );
            println!("SKIPPED: KV_TEST_REDIS_URL is not set");
            None
        }
    }
}

#[test]
fn every_command_against_redis() {
    let Some(url) = redis_url() else {
        return;
    };
    let users = format!("cli-users-{}", std::process::id());
    ok_stdout(&kv(&url, &["put", &users, "alice", r#"{"name": "Alice"}"#]));
    ok_stdout(&kv(
        &url,
        &["put", &users, "bob", r#"{"name": "Bob"}"#, "--ttl", "100"],
    ));
    assert_eq!(
        ok_stdout(&kv(&url, &["get", &users, "alice"])).trim(),
        r#"{"name":"Alice"}"#
    );
    let ttl: serde_json::Value =
        serde_json::from_str(&ok_stdout(&kv(&url, &["ttl", &users, "bob"]))).unwrap();
    let secs = ttl["ttl"].as_f64().unwrap();
    assert!(secs > 95.0 && secs <= 100.0, "{secs}");
    let mut keys: Vec<String> = ok_stdout(&kv(&url, &["keys", &users]))
        .lines()
        .map(str::to_owned)
        .collect();
    keys.sort();
    assert_eq!(keys, ["alice", "bob"]);
    // RedisStore lists keys but not collections (py-key-value's neither): exit 2, one line.
    let collections = kv(&url, &["collections"]);
    assert_eq!(collections.status.code(), Some(2));
    assert!(
        stderr(&collections).contains("cannot list"),
        "{}",
        stderr(&collections)
    );
    assert_eq!(
        ok_stdout(&kv(&url, &["delete", &users, "alice"])).trim(),
        "true"
    );
    assert_eq!(
        ok_stdout(&kv(&url, &["delete", &users, "alice"])).trim(),
        "false"
    );
    let missing = kv(&url, &["get", &users, "alice"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stdout.is_empty());
    ok_stdout(&kv(&url, &["delete", &users, "bob"]));
}

#[test]
fn every_command_against_a_memory_store() {
    // A memory store lives as long as the process: each command sees an empty store.
    ok_stdout(&kv("memory://", &["put", "c", "k", r#"{"a": 1}"#]));
    assert_eq!(kv("memory://", &["get", "c", "k"]).status.code(), Some(1));
    assert_eq!(kv("memory://", &["ttl", "c", "k"]).status.code(), Some(1));
    assert_eq!(
        ok_stdout(&kv("memory://", &["delete", "c", "k"])).trim(),
        "false"
    );
    assert_eq!(ok_stdout(&kv("memory://", &["keys", "c"])), "");
    assert_eq!(ok_stdout(&kv("memory://", &["collections"])), "");
}

#[test]
fn a_missing_server_is_a_clear_error_not_a_hang() {
    // A loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = std::time::Instant::now();
    let o = kv(&format!("redis://127.0.0.1:{port}/0"), &["get", "c", "k"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.to_lowercase().contains("connect"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
}
