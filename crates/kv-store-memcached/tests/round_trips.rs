//! A batch is one round trip: the client sends every command of `put_many` / `get_many` (and the
//! deletes of `delete_many`, after one read) before it waits for any reply. Proven with a relay between the store and the test server that holds
//! back the server's replies while a batch is half sent: a client that waited for a reply
//! before sending its next command would stall there (the relay gives up after a deadline and
//! records the stall, so a failing client fails the test instead of hanging it).

mod common;

mod memcached {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use kv_core::conformance::obj;
    use kv_core::KeyValue;
    use kv_store_memcached::MemcachedStore;
    use serde_json::json;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// How long the relay holds replies back before it declares the client stalled.
    const STALL: Duration = Duration::from_secs(5);

    /// What the relay has seen of the batch under test.
    #[derive(Default)]
    struct Gate {
        /// Commands the batch consists of; 0 = not armed (replies flow freely).
        expected: AtomicUsize,
        /// Batch commands (lines starting with the batch's verb) seen since arming.
        seen: AtomicUsize,
        /// The verb counted (`set `, `mg `, `get `, `delete `), as an index into VERBS.
        verb: AtomicUsize,
        /// A reply was held back for [`STALL`]: the client waited in the middle of a batch.
        stalled: AtomicBool,
    }

    const VERBS: [&[u8]; 4] = [b"set ", b"mg ", b"get ", b"delete "];

    impl Gate {
        fn arm(&self, verb: usize, commands: usize) {
            self.seen.store(0, Ordering::SeqCst);
            self.verb.store(verb, Ordering::SeqCst);
            self.stalled.store(false, Ordering::SeqCst);
            self.expected.store(commands, Ordering::SeqCst);
        }

        fn disarm(&self) {
            self.expected.store(0, Ordering::SeqCst);
        }

        /// Replies are held while a batch has started but not been fully sent.
        fn holding(&self) -> bool {
            let expected = self.expected.load(Ordering::SeqCst);
            let seen = self.seen.load(Ordering::SeqCst);
            expected > 0 && seen > 0 && seen < expected
        }
    }

    /// Counts complete lines starting with the armed verb in the client's byte stream.
    struct LineCounter {
        line: Vec<u8>,
    }

    impl LineCounter {
        fn feed(&mut self, bytes: &[u8], gate: &Gate) {
            for &b in bytes {
                self.line.push(b);
                if b == b'\n' {
                    if gate.expected.load(Ordering::SeqCst) > 0 {
                        let verb = VERBS[gate.verb.load(Ordering::SeqCst)];
                        if self.line.starts_with(verb) {
                            gate.seen.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    self.line.clear();
                }
            }
        }
    }

    /// A relay on a free loopback port to `server`; returns its address.
    async fn relay(server: String, gate: Arc<Gate>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let addr = listener.local_addr().expect("relay address").to_string();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = TcpStream::connect(&server)
                    .await
                    .expect("memcached reachable");
                let (mut client_rx, mut client_tx) = client.into_split();
                let (mut server_rx, mut server_tx) = upstream.into_split();
                let up_gate = Arc::clone(&gate);
                tokio::spawn(async move {
                    let mut counter = LineCounter { line: Vec::new() };
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = client_rx.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        counter.feed(&buf[..n], &up_gate);
                        if server_tx.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let down_gate = Arc::clone(&gate);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = server_rx.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let held = Instant::now();
                        while down_gate.holding() {
                            if held.elapsed() > STALL {
                                down_gate.stalled.store(true, Ordering::SeqCst);
                                down_gate.disarm();
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                        if client_tx.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    fn entries(keys: &[String], n: i64) -> Vec<(String, kv_core::Object)> {
        keys.iter()
            .map(|k| (k.clone(), obj(json!({"n": n, "key": k}))))
            .collect()
    }

    /// A store of one connection talking to memcached through a new relay, connected (one
    /// warm-up call), with its gate and a collection of its own; `None` without a server.
    async fn relayed_store(
        command_timeout: Duration,
    ) -> Option<(Arc<Gate>, MemcachedStore, String)> {
        let server = crate::common::addr()?;
        let gate = Arc::new(Gate::default());
        let addr = relay(server, Arc::clone(&gate)).await;
        let store = MemcachedStore::builder()
            .address(&addr)
            .pool_size(1)
            .command_timeout(command_timeout)
            .build()
            .unwrap();
        let collection = format!("round-trips-{}", kv_core::conformance::unique_token());
        store.get(Some(&collection), "warm-up").await.unwrap();
        Some((gate, store, collection))
    }

    async fn check_batches(keys: &[String], get_verb: usize, get_commands: usize) {
        let Some((gate, store, collection)) = relayed_store(STALL * 2).await else {
            return;
        };
        let c = Some(collection.as_str());
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();

        gate.arm(0, keys.len());
        store.put_many(c, entries(keys, 1), None).await.unwrap();
        gate.disarm();
        assert_eq!(
            gate.seen.load(Ordering::SeqCst),
            keys.len(),
            "one set per key"
        );
        assert!(
            !gate.stalled.load(Ordering::SeqCst),
            "put_many waited for a reply before sending all its sets"
        );

        gate.arm(get_verb, get_commands);
        let got = store.get_many(c, &refs).await.unwrap();
        gate.disarm();
        assert!(
            !gate.stalled.load(Ordering::SeqCst),
            "get_many waited for a reply before sending all its commands"
        );
        assert_eq!(gate.seen.load(Ordering::SeqCst), get_commands);
        for (key, value) in keys.iter().zip(&got) {
            assert_eq!(
                value.as_ref(),
                Some(&obj(json!({"n": 1, "key": key}))),
                "{key}"
            );
        }

        // delete_many: one read (as get_many), then every delete before any reply.
        let mut with_absent = refs.clone();
        with_absent.push("never-written");
        gate.arm(3, with_absent.len());
        let deleted = store.delete_many(c, &with_absent).await.unwrap();
        gate.disarm();
        assert!(
            !gate.stalled.load(Ordering::SeqCst),
            "delete_many waited for a reply before sending all its deletes"
        );
        assert_eq!(deleted, keys.len(), "the live entries are counted");
        assert_eq!(gate.seen.load(Ordering::SeqCst), with_absent.len());
        let got = store.get_many(c, &refs).await.unwrap();
        assert!(got.iter().all(Option::is_none), "{got:?}");
        assert_eq!(store.delete_many(c, &with_absent).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_batch_of_100_ascii_keys_is_one_round_trip() {
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        // get_many of ASCII keys is one `get k1 … k100` command.
        check_batches(&keys, 2, 1).await;
    }

    #[tokio::test]
    async fn a_batch_of_100_unicode_keys_is_one_round_trip() {
        let keys: Vec<String> = (0..100).map(|i| format!("ключ-{i}-🔑")).collect();
        // get_many of non-ASCII keys is 100 pipelined `mg` commands.
        check_batches(&keys, 1, 100).await;
    }

    /// The instrument itself: 100 single `put`s (each waits for its reply) with the gate armed
    /// for a batch of 100 stall in the relay, which is what a non-pipelined batch would do.
    #[tokio::test]
    async fn the_relay_detects_a_client_that_waits_for_replies() {
        let Some((gate, store, collection)) = relayed_store(STALL * 2).await else {
            return;
        };
        let c = Some(collection.as_str());
        gate.arm(0, 100);
        for i in 0..3 {
            store
                .put(c, &format!("k{i}"), obj(json!({"n": i})), None)
                .await
                .unwrap();
        }
        gate.disarm();
        assert!(gate.stalled.load(Ordering::SeqCst));
    }
}
