//! The shared conformance suite on the kernel keyutils keyring (`KV_TEST_KEYUTILS=keyutils`,
//! set by `cargo xtask services up` where `keyctl` works): the process's session keyring, one
//! service name per run so runs never see each other.

mod common;

use std::sync::Arc;

use kv_core::KeyValue;

kv_core::conformance_tests!(
    keyutils,
    || async {
        let platform = common::platform_of("KV_TEST_KEYUTILS")?;
        Some(Arc::new(common::store(platform, common::service())) as Arc<dyn KeyValue>)
    },
    common::suite_config("KV_TEST_KEYUTILS")
);

/// Many stores set up at once (each writes and deletes a probe credential) and puts racing
/// deletes of the same entry: keyutils links a new key to the persistent keyring after adding
/// it, and a delete in between once surfaced as a refused write. Every call must succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_setups_and_put_delete_races_succeed() {
    let Some(platform) = common::platform_of("KV_TEST_KEYUTILS") else {
        return;
    };
    let collection = format!("race-{}", kv_core::conformance::unique_token());
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..16 {
        let collection = collection.clone();
        tasks.spawn(async move {
            let store = common::store(platform, common::service());
            let value = kv_core::conformance::obj(serde_json::json!({ "task": task }));
            for round in 0..25 {
                store
                    .put(Some(&collection), "shared", value.clone(), None)
                    .await
                    .unwrap_or_else(|e| panic!("task {task} round {round}: put: {e}"));
                store
                    .delete(Some(&collection), "shared")
                    .await
                    .unwrap_or_else(|e| panic!("task {task} round {round}: delete: {e}"));
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("task panicked");
    }
}
