//! Batches are one command on the server: `put_many` one `MSET` (one pipeline of `SET … PX`
//! with a TTL), `get_many` one `MGET`, `delete_many` one `DEL`; counted in the
//! `INFO commandstats` of a private `valkey-server` (the shared one has other clients).

mod common;

mod valkey {
    use std::process::Command;
    use std::time::Duration;

    use kv_core::conformance::obj;
    use kv_core::KeyValue;
    use kv_store_valkey::ValkeyStore;
    use serde_json::json;

    use crate::common::private::start;

    fn cli(port: u16, args: &[&str]) -> String {
        let out = Command::new("valkey-cli")
            .args(["-p", &port.to_string()])
            .args(args)
            .output()
            .expect("valkey-cli runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `command -> calls` from `INFO commandstats`.
    fn calls(port: u16) -> std::collections::HashMap<String, u64> {
        cli(port, &["INFO", "commandstats"])
            .lines()
            .filter_map(|line| {
                let (name, stats) = line.trim().strip_prefix("cmdstat_")?.split_once(':')?;
                let calls = stats.split(',').find_map(|s| s.strip_prefix("calls="))?;
                Some((name.to_owned(), calls.parse().ok()?))
            })
            .collect()
    }

    #[tokio::test]
    async fn batches_of_100_are_one_command_each() {
        let port = kv_core::conformance::private_port();
        let Some(_server) = start(port, &[]) else {
            return;
        };
        let store = ValkeyStore::from_url(&format!("valkey://127.0.0.1:{port}/0")).unwrap();
        // Connect and set up first, then count from zero.
        store.get(Some("c"), "warm-up").await.unwrap();
        cli(port, &["CONFIG", "RESETSTAT"]);

        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let entries = |n: i64| {
            keys.iter()
                .map(|k| (k.clone(), obj(json!({"n": n}))))
                .collect::<Vec<_>>()
        };
        store.put_many(Some("c"), entries(1), None).await.unwrap();
        let got = store.get_many(Some("c"), &refs).await.unwrap();
        assert!(got.iter().all(|v| v == &Some(obj(json!({"n": 1})))));
        store
            .put_many(Some("c"), entries(2), Some(Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(store.delete_many(Some("c"), &refs).await.unwrap(), 100);

        let stats = calls(port);
        let count = |name: &str| stats.get(name).copied().unwrap_or(0);
        println!("commandstats: {stats:?}");
        assert_eq!(count("mset"), 1, "{stats:?}");
        assert_eq!(count("mget"), 1, "{stats:?}");
        assert_eq!(
            count("set"),
            100,
            "one pipelined SET PX per entry: {stats:?}"
        );
        assert_eq!(count("del"), 1, "{stats:?}");
        assert_eq!(count("get"), 0, "no per-key reads: {stats:?}");
    }

    /// `tot-cmds` of every connection but the one asking (`CLIENT LIST`, Valkey 8).
    fn commands_per_connection(port: u16) -> Vec<u64> {
        cli(port, &["CLIENT", "LIST"])
            .lines()
            .filter(|line| !line.contains("cmd=client|list"))
            .filter_map(|line| {
                let field = line.split(' ').find_map(|f| f.strip_prefix("tot-cmds="))?;
                field.parse().ok()
            })
            .collect()
    }

    /// Single commands go round the whole pool: each connection of a pool of 4 runs its share
    /// (an error mapper that took its own turn of the round robin once left half the pool idle).
    #[tokio::test]
    async fn single_commands_use_every_pooled_connection() {
        let port = kv_core::conformance::private_port();
        let Some(_server) = start(port, &[]) else {
            return;
        };
        let store = ValkeyStore::builder()
            .url(format!("valkey://127.0.0.1:{port}/0"))
            .pool_size(4)
            .build()
            .unwrap();
        store.get(Some("c"), "warm-up").await.unwrap();
        for i in 0..200 {
            store
                .put(Some("c"), &format!("k{i}"), obj(json!({"i": i})), None)
                .await
                .unwrap();
            store.get(Some("c"), &format!("k{i}")).await.unwrap();
        }
        let counts = commands_per_connection(port);
        println!("commands per connection: {counts:?}");
        assert_eq!(counts.len(), 4, "{counts:?}");
        assert!(counts.iter().all(|&n| n >= 80), "{counts:?}");
    }
}
