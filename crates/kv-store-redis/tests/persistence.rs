//! A private `redis-server` with persistence (`appendonly yes`, `appendfsync always`) killed
//! with SIGKILL in the middle of a concurrent workload: every write the store acknowledged
//! before the kill is readable after the restart, and through the `Retry` wrapper a workload
//! that spans a kill and a restart completes without an error.

mod common;

mod redis {
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::time::Duration;

    use kv_core::conformance::obj;
    use kv_core::{KeyValue, Object};
    use kv_store_redis::RedisStore;
    use kv_wrappers::{Retry, RetryPolicy};
    use parking_lot::Mutex;
    use serde_json::json;

    use crate::common::private::{start, Server};

    const WRITERS: usize = 8;

    struct Persistent {
        port: u16,
        dir: PathBuf,
    }

    impl Persistent {
        fn start(&self) -> Option<Server> {
            let dir = self.dir.display().to_string();
            let args = [
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                &dir,
            ];
            start(self.port, &args)
        }
    }

    impl Drop for Persistent {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn value(writer: usize, i: usize) -> Object {
        obj(json!({"writer": writer, "i": i, "pad": "x".repeat(64)}))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn acknowledged_writes_survive_sigkill_and_retry_completes_the_workload() {
        let port = kv_core::conformance::private_port();
        let dir = std::env::temp_dir().join(format!(
            "kv-redis-aof-{}-{}",
            std::process::id(),
            kv_core::conformance::unique_token()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let server = Persistent { port, dir };
        let Some(first) = server.start() else {
            return;
        };
        let store = Arc::new(
            RedisStore::builder()
                .url(format!("redis://127.0.0.1:{port}/0"))
                .connect_timeout(Duration::from_millis(500))
                .command_timeout(Duration::from_secs(2))
                .build()
                .unwrap(),
        );

        // Concurrent writers until the server is gone; each records what was acknowledged.
        let acked: Arc<Mutex<Vec<(String, Object)>>> = Arc::default();
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (store, acked) = (Arc::clone(&store), Arc::clone(&acked));
            writers.push(tokio::spawn(async move {
                let mut failures = 0;
                for i in 0.. {
                    let key = format!("w{w}-{i}");
                    match store.put(Some("aof"), &key, value(w, i), None).await {
                        Ok(()) => acked.lock().push((key, value(w, i))),
                        Err(e) => {
                            assert!(e.is_retryable(), "{e}");
                            failures += 1;
                            if failures == 3 {
                                break;
                            }
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(first); // SIGKILL
        for writer in writers {
            writer.await.unwrap();
        }
        let acked = std::mem::take(&mut *acked.lock());
        assert!(acked.len() > WRITERS, "the workload ran: {}", acked.len());

        let second = server.start().expect("restart");
        for (key, expected) in &acked {
            assert_eq!(
                store.get(Some("aof"), key).await.unwrap().as_ref(),
                Some(expected),
                "acknowledged write {key} lost"
            );
        }

        // Through Retry, a workload across a kill and a restart completes.
        let retrying = Arc::new(Retry::new(
            Arc::clone(&store),
            RetryPolicy::default()
                .max_retries(20)
                .initial_delay(Duration::from_millis(50))
                .max_delay(Duration::from_millis(500)),
        ));
        let workload = {
            let retrying = Arc::clone(&retrying);
            tokio::spawn(async move {
                for i in 0..300usize {
                    retrying
                        .put(Some("retry"), &format!("r{i}"), value(0, i), None)
                        .await?;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Ok::<(), kv_core::Error>(())
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(second);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _third = server.start().expect("second restart");
        workload
            .await
            .unwrap()
            .expect("the retried workload completes");
        for i in 0..300 {
            assert_eq!(
                retrying.get(Some("retry"), &format!("r{i}")).await.unwrap(),
                Some(value(0, i)),
                "r{i}"
            );
        }
    }
}
