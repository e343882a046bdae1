//! Batch operations use the fewest calls: 1 000 keys round-trip through `put_many` (40
//! `BatchWriteItem`), `get_many` (10 `BatchGetItem`) and `delete_many` (10 `BatchGetItem` to count
//! live entries, then 40 `BatchWriteItem`), counted by an SDK interceptor on the HTTP requests
//! actually sent (retries included). Also the conformance suite's 10 000-key case, with a
//! deadline the emulators can meet.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kv_core::conformance::{obj, robustness, SuiteConfig, TestCtx};
use kv_core::KeyValue;
use kv_store_dynamodb::aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use kv_store_dynamodb::aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use kv_store_dynamodb::aws_sdk_dynamodb::Client;
use kv_store_dynamodb::{DynamoDBStore, GET_CHUNK, WRITE_CHUNK};
use serde_json::json;

/// Counts requests by DynamoDB operation (the `X-Amz-Target` header).
#[derive(Debug, Default, Clone)]
struct CallCounter(Arc<Mutex<BTreeMap<String, usize>>>);

impl CallCounter {
    fn take(&self) -> BTreeMap<String, usize> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        *self.0.lock().unwrap().entry(operation).or_default() += 1;
        Ok(())
    }
}

fn calls(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(op, n)| (op.to_string(), *n)).collect()
}

async fn thousand_keys(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let counter = CallCounter::default();
    let client = Client::from_conf(
        common::plain_config(&endpoint)
            .interceptor(counter.clone())
            .build(),
    );
    let store = DynamoDBStore::builder()
        .client(client)
        .table_name(common::fresh_table("batch"))
        .build()
        .unwrap();
    store.setup().await.unwrap();
    let setup = counter.take();
    assert!(setup.contains_key("DescribeTable"), "{setup:?}");

    const N: usize = 1000;
    let c = "batch";
    let keys: Vec<String> = (0..N).map(|i| format!("k{i:04}")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let entries = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), obj(json!({"i": i}))))
        .collect();
    store
        .put_many(Some(c), entries, Some(Duration::from_secs(600)))
        .await
        .unwrap();
    assert_eq!(
        counter.take(),
        calls(&[("BatchWriteItem", N.div_ceil(WRITE_CHUNK))])
    );

    let got = store.get_many(Some(c), &refs).await.unwrap();
    assert_eq!(
        counter.take(),
        calls(&[("BatchGetItem", N.div_ceil(GET_CHUNK))])
    );
    for (i, value) in got.iter().enumerate() {
        assert_eq!(value.as_ref(), Some(&obj(json!({"i": i}))), "k{i:04}");
    }

    // Half the keys plus 100 that were never written.
    let mut doomed: Vec<String> = keys.iter().step_by(2).cloned().collect();
    doomed.extend((0..100).map(|i| format!("absent{i}")));
    let doomed_refs: Vec<&str> = doomed.iter().map(String::as_str).collect();
    assert_eq!(
        store.delete_many(Some(c), &doomed_refs).await.unwrap(),
        N / 2
    );
    assert_eq!(
        counter.take(),
        calls(&[
            ("BatchGetItem", doomed.len().div_ceil(GET_CHUNK)),
            ("BatchWriteItem", (N / 2).div_ceil(WRITE_CHUNK)),
        ])
    );
    let left = store.get_many(Some(c), &refs).await.unwrap();
    for (i, value) in left.iter().enumerate() {
        assert_eq!(value.is_some(), i % 2 == 1, "k{i:04}");
    }
    assert_eq!(store.delete_many(Some(c), &refs).await.unwrap(), N / 2);
    counter.take();
    store.close().await.unwrap();
}

/// Duplicate keys in one call are legal for kv but not for DynamoDB's batch calls.
async fn duplicates_in_batches(variable: &str) {
    let Some(endpoint) = common::endpoint(variable) else {
        return;
    };
    let store = common::builder(&endpoint, common::run_table())
        .build()
        .unwrap();
    let c = format!("dups-{}", kv_core::conformance::unique_token());
    store
        .put_many(
            Some(&c),
            vec![
                ("a".into(), obj(json!({"v": 1}))),
                ("a".into(), obj(json!({"v": 2}))),
            ],
            None,
        )
        .await
        .unwrap();
    let got = store.get_many(Some(&c), &["a", "a", "b"]).await.unwrap();
    assert_eq!(
        got,
        vec![Some(obj(json!({"v": 2}))), Some(obj(json!({"v": 2}))), None]
    );
    assert_eq!(
        store.delete_many(Some(&c), &["a", "a", "b"]).await.unwrap(),
        1
    );
}

/// The conformance case `bad_input__batch_of_10000`, with a deadline the emulators can meet.
async fn ten_thousand_keys(variable: &'static str) {
    let Some(store) = common::store(variable).await else {
        return;
    };
    let ctx = TestCtx::new("test_bad_input__batch_of_10000", SuiteConfig::new());
    let case = robustness::bad_input(Arc::clone(&store), ctx, "batch_of_10000");
    tokio::time::timeout(Duration::from_secs(120), case)
        .await
        .expect("10 000-key batches within 120 s")
        .unwrap();
    store.close().await.unwrap();
}

mod dynamodb {
    #[tokio::test]
    async fn thousand_keys_with_the_fewest_calls() {
        super::thousand_keys(super::common::MOTO).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ten_thousand_keys_round_trip() {
        super::ten_thousand_keys(super::common::MOTO).await;
    }

    #[tokio::test]
    async fn duplicate_keys_in_batches() {
        super::duplicates_in_batches(super::common::MOTO).await;
    }
}

mod dynalite {
    #[tokio::test]
    async fn thousand_keys_with_the_fewest_calls() {
        super::thousand_keys(super::common::DYNALITE).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ten_thousand_keys_round_trip() {
        super::ten_thousand_keys(super::common::DYNALITE).await;
    }

    #[tokio::test]
    async fn duplicate_keys_in_batches() {
        super::duplicates_in_batches(super::common::DYNALITE).await;
    }
}
