//! Crash safety: a child process (this test binary, re-invoked) writes entries in a loop with
//! the default settings (WAL on, no fsync per write: safe against a process crash) and prints
//! each acknowledged key; it is SIGKILLed at random moments. After every kill the database
//! reopens and every acknowledged write is present with its value.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kv_core::KeyValue;
use kv_store_rocksdb::RocksDBStore;
use serde_json::json;

const CHILD_ENV: &str = "KV_ROCKSDB_CRASH_CHILD";
const ROUNDS: usize = 20;

/// The writer: only active when re-invoked by `crash_recovery` with the directory in the env.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (dir, round) = spec.split_once('|').unwrap();
    let store = RocksDBStore::new(dir);
    let big = "x".repeat(20_000);
    let mut out = std::io::stdout();
    for i in 0u64.. {
        let key = format!("r{round}-{i}");
        let mut value = json!({"i": i}).as_object().unwrap().clone();
        if i % 7 == 3 {
            value.insert("big".into(), big.clone().into());
        }
        if i % 5 == 4 {
            let batch = (0..10)
                .map(|j| (format!("{key}-b{j}"), value.clone()))
                .collect();
            store.put_many(Some("crash"), batch, None).await.unwrap();
            for j in 0..10 {
                writeln!(out, "ACK {key}-b{j} {i}").unwrap();
            }
        } else {
            store.put(Some("crash"), &key, value, None).await.unwrap();
            writeln!(out, "ACK {key} {i}").unwrap();
        }
        out.flush().unwrap();
    }
}

fn random_ms(seed: &mut u64, lo: u64, hi: u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    lo + *seed % (hi - lo)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_recovery() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let tmp = common::temp_dir("kv-rocksdb-crash-");
    let dir = tmp.path().join("db");
    let exe = std::env::current_exe().unwrap();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let started = Instant::now();
    let mut total_acked = 0;
    let mut all_acked: Vec<(String, u64)> = Vec::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_ENV, format!("{}|{round}", dir.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acked = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix("ACK ") {
                    if let Some((key, i)) = rest.split_once(' ') {
                        acked.push((key.to_owned(), i.parse::<u64>().unwrap()));
                    }
                }
            }
            acked
        });
        // Kill at a random moment once the child has started writing.
        std::thread::sleep(Duration::from_millis(random_ms(&mut seed, 150, 700)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let acked = reader.join().unwrap();
        total_acked += acked.len();
        all_acked.extend(acked);

        // Every write acknowledged in this or any earlier round is present.
        let store = RocksDBStore::new(&dir);
        let keys: Vec<&str> = all_acked.iter().map(|(k, _)| k.as_str()).collect();
        let got = store.get_many(Some("crash"), &keys).await.unwrap();
        for ((key, i), value) in all_acked.iter().zip(got) {
            let value =
                value.unwrap_or_else(|| panic!("round {round}: acknowledged {key} is missing"));
            assert_eq!(value["i"], json!(i), "round {round}: {key}");
        }
        store.close().await.unwrap();
    }
    println!(
        "{ROUNDS} kills, {total_acked} acknowledged writes verified in {:?}",
        started.elapsed()
    );
    assert!(total_acked > 0, "the child never acknowledged a write");
}
