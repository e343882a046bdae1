//! Wrapper-specific tests of `conformance.md` §7.1 (one section per wrapper).

mod support;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kv_core::{Error, ErrorKind, KeyValue, Object};
use kv_store_memory::MemoryStore;
use kv_wrappers::*;
use parking_lot::Mutex;
use serde_json::json;
use support::{obj, Flaky, Slow};

fn v(n: i64) -> Object {
    obj(json!({"n": n}))
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// ---------------------------------------------------------------- DefaultValue

#[tokio::test]
async fn default_value_reads() {
    let default = obj(json!({"obj_key": "obj_value"}));
    let inner = Arc::new(MemoryStore::new());
    let store = DefaultValue::new(Arc::clone(&inner), default.clone()).default_ttl(Some(secs(100)));
    assert_eq!(
        store.get(Some("c"), "k").await.unwrap(),
        Some(default.clone())
    );
    let (value, ttl) = store.ttl(Some("c"), "k").await.unwrap().unwrap();
    assert_eq!((value, ttl), (default.clone(), Some(secs(100))));
    store.put(Some("c"), "a", v(1), None).await.unwrap();
    assert_eq!(
        store.get_many(Some("c"), &["a", "b"]).await.unwrap(),
        vec![Some(v(1)), Some(default.clone())]
    );
    let many = store.ttl_many(Some("c"), &["a", "b"]).await.unwrap();
    assert_eq!(
        many,
        vec![Some((v(1), None)), Some((default.clone(), Some(secs(100))))]
    );
    // Independent copies; the default is never written.
    let mut copy = store.get(Some("c"), "x").await.unwrap().unwrap();
    copy.insert("changed".into(), true.into());
    assert_eq!(store.get(Some("c"), "x").await.unwrap(), Some(default));
    assert_eq!(
        inner.keys(Some("c"), None).await.unwrap(),
        vec!["a".to_string()]
    );
}

// ---------------------------------------------------------------- Fallback

#[tokio::test]
async fn fallback_reads_and_writes() {
    let broken = Flaky::new(usize::MAX, || Error::connection("down"));
    let backup = Arc::new(MemoryStore::new());
    backup.put(None, "k", v(7), None).await.unwrap();
    let store = Fallback::new(broken, Arc::clone(&backup));
    assert_eq!(store.get(None, "k").await.unwrap(), Some(v(7)));
    assert_eq!(
        store.get_many(None, &["k"]).await.unwrap(),
        vec![Some(v(7))]
    );
    assert_eq!(store.ttl(None, "k").await.unwrap(), Some((v(7), None)));
    // Writes do not fall back by default.
    assert_eq!(
        store.put(None, "w", v(1), None).await.unwrap_err().kind(),
        &ErrorKind::Connection
    );
    assert_eq!(backup.get(None, "w").await.unwrap(), None);
    let store = store.write_to_fallback(true);
    store.put(None, "w", v(1), None).await.unwrap();
    assert_eq!(backup.get(None, "w").await.unwrap(), Some(v(1)));
    // The predicate is respected.
    let store = Fallback::new(
        Flaky::new(usize::MAX, || Error::deserialization("bad")),
        Arc::clone(&backup),
    )
    .fallback_on(Error::is_retryable);
    assert_eq!(
        store.get(None, "k").await.unwrap_err().kind(),
        &ErrorKind::Deserialization
    );
    // A healthy primary is not overridden.
    let primary = MemoryStore::new();
    primary.put(None, "k", v(1), None).await.unwrap();
    let store = Fallback::new(primary, Arc::clone(&backup));
    assert_eq!(store.get(None, "k").await.unwrap(), Some(v(1)));
}

// ---------------------------------------------------------------- LimitSize

#[tokio::test]
async fn limit_size_rules() {
    let small = obj(json!({"test": "value"})); // 17 bytes
    assert_eq!(kv_core::codec::canonical::canonical_len(&small), 17);
    let big = obj(json!({"test": "x".repeat(100)}));
    let inner = Arc::new(MemoryStore::new());
    let raising = LimitSize::new(Arc::clone(&inner))
        .max_size(Some(17))
        .min_size(Some(10))
        .raise_on_too_small(true);
    raising.put(None, "ok", small.clone(), None).await.unwrap(); // exactly max
    let err = raising
        .put(None, "big", big.clone(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::EntryTooLarge { max: 17, .. }),
        "{err}"
    );
    assert_eq!(err.key(), Some("big"));
    let err = raising
        .put(None, "tiny", obj(json!({})), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::EntryTooSmall { size: 2, min: 10 });
    let one_larger = obj(json!({"test": "value1"})); // 18
    assert!(LimitSize::new(MemoryStore::new())
        .max_size(Some(17))
        .put(None, "k", one_larger, None)
        .await
        .is_err());
    // put_many raising: nothing written.
    let entries = vec![
        ("a".to_string(), small.clone()),
        ("b".to_string(), big.clone()),
    ];
    assert!(raising
        .put_many(Some("m"), entries.clone(), None)
        .await
        .is_err());
    assert_eq!(inner.get(Some("m"), "a").await.unwrap(), None);
    // Non-raising: only small ones, TTL kept.
    let silent = LimitSize::new(Arc::clone(&inner))
        .max_size(Some(17))
        .raise_on_too_large(false);
    silent
        .put_many(Some("m"), entries.clone(), Some(secs(100)))
        .await
        .unwrap();
    assert!(inner
        .ttl(Some("m"), "a")
        .await
        .unwrap()
        .unwrap()
        .1
        .is_some());
    assert_eq!(inner.get(Some("m"), "b").await.unwrap(), None);
    silent.put_many(Some("m2"), entries, None).await.unwrap();
    assert_eq!(
        inner.get(Some("m2"), "a").await.unwrap(),
        Some(small.clone())
    );
    assert!(!silent
        .put_if_absent(Some("m"), "big", big.clone(), None)
        .await
        .unwrap());
    // All too large → inner not called.
    let rec = Arc::new(support::Recorder::default());
    LimitSize::new(Arc::clone(&rec))
        .max_size(Some(5))
        .raise_on_too_large(false)
        .put_many(None, vec![("a".into(), big.clone())], None)
        .await
        .unwrap();
    assert!(rec.take().is_empty());
    // Under min, non-raising: skipped.
    let skip_small = LimitSize::new(Arc::clone(&inner)).min_size(Some(10));
    skip_small
        .put(None, "tiny", obj(json!({})), None)
        .await
        .unwrap();
    assert_eq!(inner.get(None, "tiny").await.unwrap(), None);
}

// ---------------------------------------------------------------- Logging

#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<(tracing::Level, String)>>>);

/// Sends `key_value::logging` events to the capture of the thread that emits them.
struct Capture;

thread_local! {
    static SINK: std::cell::RefCell<Option<Lines>> = const { std::cell::RefCell::new(None) };
}

struct MessageVisitor<'a>(&'a mut String);

impl tracing::field::Visit for MessageVisitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            *self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "key_value::logging" {
            let mut msg = String::new();
            event.record(&mut MessageVisitor(&mut msg));
            let level = *event.metadata().level();
            SINK.with(|sink| {
                if let Some(lines) = &*sink.borrow() {
                    lines.0.lock().push((level, msg));
                }
            });
        }
    }
}

/// Ends a thread's capture when dropped.
struct CaptureGuard;

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        SINK.with(|sink| sink.borrow_mut().take());
    }
}

/// Captures this thread's `key_value::logging` events until the guard drops.
///
/// One global subscriber, installed once, routes events to the emitting thread's capture: a
/// scoped subscriber per test (`set_default`) raced with the other test threads' callsite
/// registration, and a callsite cached as "never" dropped a test's events now and then.
fn capture() -> (Lines, CaptureGuard) {
    use tracing_subscriber::layer::SubscriberExt;
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Capture))
            .expect("no other global subscriber in this test binary");
    });
    let lines = Lines::default();
    SINK.with(|sink| *sink.borrow_mut() = Some(lines.clone()));
    (lines, CaptureGuard)
}

fn texts(lines: &Lines) -> Vec<String> {
    std::mem::take(&mut *lines.0.lock())
        .into_iter()
        .map(|(_, m)| m)
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn logging_text_lines() {
    let (lines, _guard) = capture();
    let store = Logging::new(MemoryStore::new());
    store.get(Some("test"), "test").await.unwrap();
    assert_eq!(
        texts(&lines),
        vec![
            "Start GET collection='test' keys='test'",
            "Finish GET collection='test' keys='test' (hit=false)",
        ]
    );
    store
        .put(None, "k", obj(json!({"secret": "s3cr3t"})), Some(secs(10)))
        .await
        .unwrap();
    assert_eq!(
        texts(&lines),
        vec![
            "Start PUT collection='default_collection' keys='k' (ttl=10.0)",
            "Finish PUT collection='default_collection' keys='k' (ttl=10.0)",
        ]
    );
    store.get_many(Some("test"), &["k", "x"]).await.unwrap();
    assert_eq!(
        texts(&lines),
        vec![
            "Start GET_MANY collection='test' keys='['k', 'x']' (keys=['k', 'x'])",
            "Finish GET_MANY collection='test' keys='['k', 'x']' (hits=0, misses=2)",
        ]
    );
    store
        .put_many(Some("test"), vec![("a".into(), v(1))], None)
        .await
        .unwrap();
    store.delete(Some("test"), "a").await.unwrap();
    store.delete_many(Some("test"), &["a", "b"]).await.unwrap();
    let t = texts(&lines);
    assert_eq!(
        t[0],
        "Start PUT_MANY collection='test' keys='['a']' (ttl=null)"
    );
    assert_eq!(
        t[3],
        "Finish DELETE collection='test' keys='a' (deleted=true)"
    );
    assert_eq!(
        t[5],
        "Finish DELETE_MANY collection='test' keys='['a', 'b']' (deleted=0)"
    );
    // Double wrapping logs each line twice.
    let twice = Logging::new(Logging::new(MemoryStore::new()));
    twice.get(Some("test"), "test").await.unwrap();
    assert_eq!(texts(&lines).len(), 4);
}

#[tokio::test(flavor = "current_thread")]
async fn logging_structured_lines_and_values() {
    let (lines, _guard) = capture();
    let store = Logging::new(MemoryStore::new()).structured(true);
    store.get(Some("test"), "test").await.unwrap();
    assert_eq!(
        texts(&lines),
        vec![
            r#"{"status": "start", "action": "GET", "collection": "test", "keys": "test"}"#,
            r#"{"status": "finish", "action": "GET", "collection": "test", "keys": "test", "extra": {"hit": false}}"#,
        ]
    );
    store
        .put(Some("test"), "k", obj(json!({"secret": "s3cr3t"})), None)
        .await
        .unwrap();
    store.get(Some("test"), "k").await.unwrap();
    store
        .put_many(
            Some("test"),
            vec![("a".into(), obj(json!({"secret": "s3cr3t"})))],
            None,
        )
        .await
        .unwrap();
    store.ttl(Some("test"), "k").await.unwrap();
    store.delete_many(Some("test"), &["k"]).await.unwrap();
    let all = texts(&lines);
    assert!(
        all.iter().all(|l| !l.contains("s3cr3t")),
        "values logged without log_values: {all:?}"
    );
    assert!(all.contains(&r#"{"status": "finish", "action": "DELETE_MANY", "collection": "test", "keys": ["k"], "extra": {"deleted": 1}}"#.to_string()), "{all:?}");
    // With log_values the value appears.
    let store = Logging::new(MemoryStore::new())
        .structured(true)
        .log_values(true);
    store
        .put(Some("test"), "k", obj(json!({"secret": "s3cr3t"})), None)
        .await
        .unwrap();
    store.get(Some("test"), "k").await.unwrap();
    let all = texts(&lines);
    assert_eq!(
        all[0],
        r#"{"status": "start", "action": "PUT", "collection": "test", "keys": "k", "value": {"secret": "s3cr3t"}, "extra": {"ttl": null}}"#
    );
    assert_eq!(
        all[3],
        r#"{"status": "finish", "action": "GET", "collection": "test", "keys": "k", "value": {"secret": "s3cr3t"}, "extra": {"hit": true}}"#
    );
    // Errors: one WARN event instead of finish.
    let store = Logging::new(Flaky::new(1, || Error::connection("down")));
    assert!(store.get(None, "k").await.is_err());
    let events = std::mem::take(&mut *lines.0.lock());
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].0, tracing::Level::WARN);
    assert_eq!(
        events[1].1,
        "Error GET collection='default_collection' keys='k' (error='connection')"
    );
}

// ---------------------------------------------------------------- ReadOnly

#[tokio::test]
async fn read_only_rules() {
    let inner = Arc::new(MemoryStore::new());
    inner.put(Some("c"), "k", v(1), None).await.unwrap();
    let store = ReadOnly::new(Arc::clone(&inner));
    assert_eq!(store.get(Some("c"), "k").await.unwrap(), Some(v(1)));
    assert_eq!(
        store.keys(Some("c"), None).await.unwrap(),
        vec!["k".to_string()]
    );
    let ro = |r: Result<(), Error>| assert_eq!(r.unwrap_err().kind(), &ErrorKind::ReadOnly);
    ro(store.put(Some("c"), "k", v(2), None).await);
    let err = store
        .put_many(None, vec![("a".into(), v(1)), ("b".into(), v(1))], None)
        .await
        .unwrap_err();
    assert_eq!(
        (err.key(), err.collection()),
        (Some("2 keys"), Some("default"))
    );
    ro(store.delete(Some("c"), "k").await.map(|_| ()));
    ro(store.delete_many(Some("c"), &["k"]).await.map(|_| ()));
    ro(store
        .put_if_absent(Some("c"), "n", v(1), None)
        .await
        .map(|_| ()));
    ro(store.destroy().await.map(|_| ()));
    ro(store.destroy_collection("c").await.map(|_| ()));
    ro(store.cull().await);
    let silent = ReadOnly::new(Arc::clone(&inner)).raise_on_write(false);
    silent.put(Some("c"), "k", v(2), None).await.unwrap();
    assert!(!silent.delete(Some("c"), "k").await.unwrap());
    assert_eq!(silent.delete_many(Some("c"), &["k"]).await.unwrap(), 0);
    assert!(!silent
        .put_if_absent(Some("c"), "z", v(1), None)
        .await
        .unwrap());
    assert!(!silent.destroy().await.unwrap());
    assert_eq!(inner.get(Some("c"), "k").await.unwrap(), Some(v(1)));
    assert_eq!(inner.get(Some("c"), "z").await.unwrap(), None);
}

// ---------------------------------------------------------------- Retry

fn quick(max_retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(max_retries)
        .initial_delay(Duration::from_millis(1))
        .jitter(0.0)
}

#[tokio::test]
async fn retry_rules() {
    let flaky = Arc::new(Flaky::new(2, || Error::connection("blip")));
    let store = Retry::new(Arc::clone(&flaky), quick(3));
    store.put(None, "k", v(1), None).await.unwrap();
    assert_eq!(flaky.count(), 3);
    let flaky = Arc::new(Flaky::new(usize::MAX, || {
        Error::new(ErrorKind::Timeout, "slow")
    }));
    let err = Retry::new(Arc::clone(&flaky), quick(2))
        .get(None, "k")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout);
    assert_eq!(flaky.count(), 3);
    let flaky = Arc::new(Flaky::new(usize::MAX, || Error::deserialization("bad")));
    assert!(Retry::new(Arc::clone(&flaky), quick(3))
        .get(None, "k")
        .await
        .is_err());
    assert_eq!(flaky.count(), 1, "non-retryable errors are not retried");
    // A user predicate.
    let flaky = Arc::new(Flaky::new(1, || Error::deserialization("bad")));
    Retry::new(Arc::clone(&flaky), quick(3))
        .retry_if(|_| true)
        .get(None, "k")
        .await
        .unwrap();
    assert_eq!(flaky.count(), 2);
}

#[test]
fn retry_delay_vectors() {
    let p = RetryPolicy::default()
        .initial_delay(secs(1))
        .exponential_base(2.0)
        .max_delay(secs(10));
    assert_eq!(p.delay(0), secs(1));
    assert_eq!(p.delay(1), secs(2));
    assert_eq!(p.delay(3), secs(8));
    assert_eq!(p.delay(4), secs(10));
    assert_eq!(p.delay(60), secs(10));
    for i in 0..5 {
        let d = p.jittered_delay(i);
        assert!(d <= p.delay(i) && d >= p.delay(i).mul_f64(0.9), "{d:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_sleeps_follow_the_policy() {
    let delays = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&delays);
    let policy = RetryPolicy::default()
        .max_retries(2)
        .initial_delay(secs(1))
        .max_delay(secs(10))
        .jitter(0.0);
    let store = Retry::new(Flaky::new(usize::MAX, || Error::connection("down")), policy)
        .on_retry(move |e| seen.lock().push((e.attempt, e.delay)));
    let start = tokio::time::Instant::now();
    assert!(store.get(None, "k").await.is_err());
    assert_eq!(*delays.lock(), vec![(0, secs(1)), (1, secs(2))]);
    assert!(start.elapsed() >= secs(3));
}

// ---------------------------------------------------------------- Routing

#[tokio::test]
async fn routing_rules() {
    let first = Arc::new(MemoryStore::new());
    let default = Arc::new(MemoryStore::new());
    let map = HashMap::from([("first".to_string(), Arc::clone(&first) as Arc<dyn KeyValue>)]);
    let store = CollectionRouting::new(map, Arc::clone(&default) as Arc<dyn KeyValue>);
    store
        .put(Some("first"), "k", v(1), Some(secs(100)))
        .await
        .unwrap();
    store.put(Some("other"), "k", v(2), None).await.unwrap();
    store.put(None, "k", v(3), None).await.unwrap();
    assert_eq!(first.get(Some("first"), "k").await.unwrap(), Some(v(1)));
    assert_eq!(default.get(Some("first"), "k").await.unwrap(), None);
    assert_eq!(default.get(Some("other"), "k").await.unwrap(), Some(v(2)));
    assert_eq!(first.get(Some("other"), "k").await.unwrap(), None);
    assert_eq!(default.get(None, "k").await.unwrap(), Some(v(3)));
    assert!(
        store
            .ttl(Some("first"), "k")
            .await
            .unwrap()
            .unwrap()
            .1
            .unwrap()
            > secs(98)
    );
    assert_eq!(
        store.ttl(Some("other"), "k").await.unwrap().unwrap().1,
        None
    );
    assert!(store.delete(Some("first"), "k").await.unwrap());
    assert_eq!(first.get(Some("first"), "k").await.unwrap(), None);
    assert_eq!(store.collections(None).await.unwrap().len(), 3); // first, other, default_collection
    assert!(store
        .collections(None)
        .await
        .unwrap()
        .contains(&"other".to_string()));
}

// ---------------------------------------------------------------- Timeout

#[tokio::test]
async fn timeout_every_operation() {
    let store = Timeout::new(Slow::new(secs(1)), Duration::from_millis(100));
    let t = |r: Result<(), Error>| assert_eq!(r.unwrap_err().kind(), &ErrorKind::Timeout);
    t(store.get(None, "k").await.map(|_| ()));
    t(store.get_many(None, &["k"]).await.map(|_| ()));
    t(store.ttl(None, "k").await.map(|_| ()));
    t(store.ttl_many(None, &["k"]).await.map(|_| ()));
    t(store.put(None, "k", v(1), None).await);
    t(store.put_many(None, vec![("k".into(), v(1))], None).await);
    t(store.delete(None, "k").await.map(|_| ()));
    t(store.delete_many(None, &["k"]).await.map(|_| ()));
    t(store.keys(None, None).await.map(|_| ()));
    t(store.collections(None).await.map(|_| ()));
    t(store.destroy().await.map(|_| ()));
    t(store.destroy_collection("c").await.map(|_| ()));
    t(store.cull().await);
    t(store.put_if_absent(None, "k", v(1), None).await.map(|_| ()));
    assert!(Error::new(ErrorKind::Timeout, "").is_retryable());
    let fast = Timeout::new(Slow::new(Duration::ZERO), Duration::from_millis(100));
    fast.put(None, "k", v(1), None).await.unwrap();
    assert_eq!(fast.get(None, "k").await.unwrap(), Some(v(1)));
}

// ---------------------------------------------------------------- TtlClamp

#[tokio::test]
async fn ttl_clamp_vectors() {
    let approx = |d: Option<Duration>, want: u64| {
        let d = d.unwrap().as_secs_f64();
        assert!((d - want as f64).abs() < 2.0, "{d} vs {want}");
    };
    let store = TtlClamp::new(MemoryStore::new(), secs(50), secs(100)).unwrap();
    store.put(None, "a", v(1), Some(secs(5))).await.unwrap();
    approx(store.ttl(None, "a").await.unwrap().unwrap().1, 50);
    let store = TtlClamp::new(MemoryStore::new(), Duration::ZERO, secs(100)).unwrap();
    store.put(None, "b", v(1), Some(secs(1000))).await.unwrap();
    approx(store.ttl(None, "b").await.unwrap().unwrap().1, 100);
    let store = TtlClamp::new(MemoryStore::new(), Duration::ZERO, secs(100))
        .unwrap()
        .missing_ttl(Some(secs(50)));
    store.put(None, "c", v(1), None).await.unwrap();
    approx(store.ttl(None, "c").await.unwrap().unwrap().1, 50);
    assert_eq!(
        TtlClamp::new((), secs(2), secs(1)).err().unwrap().kind(),
        &ErrorKind::Setup
    );
}

// ---------------------------------------------------------------- PassthroughCache

#[tokio::test]
async fn passthrough_cache_rules() {
    let primary = Arc::new(Slow::new(Duration::ZERO));
    let cache = Arc::new(MemoryStore::new());
    let store =
        PassthroughCache::new(Arc::clone(&primary), Arc::clone(&cache)).maximum_ttl(secs(60));
    // A cached {} is a hit: the primary is not read.
    cache.put(None, "empty", Object::new(), None).await.unwrap();
    assert_eq!(store.get(None, "empty").await.unwrap(), Some(Object::new()));
    assert_eq!(primary.reads(), 0);
    // Miss → primary → cache filled with a clamped TTL.
    primary
        .inner
        .put(None, "k", v(1), Some(secs(1000)))
        .await
        .unwrap();
    assert_eq!(store.get(None, "k").await.unwrap(), Some(v(1)));
    assert_eq!(primary.reads(), 1);
    let (_, ttl) = cache.ttl(None, "k").await.unwrap().unwrap();
    assert!(ttl.unwrap() <= secs(60));
    assert_eq!(store.get(None, "k").await.unwrap(), Some(v(1)));
    assert_eq!(primary.reads(), 1);
    // Writes invalidate.
    store.put(None, "k", v(2), None).await.unwrap();
    assert_eq!(cache.get(None, "k").await.unwrap(), None);
    assert_eq!(store.get(None, "k").await.unwrap(), Some(v(2)));
    store.delete(None, "k").await.unwrap();
    assert_eq!(store.get(None, "k").await.unwrap(), None);
    // Batches: one cache read, one primary read for the misses, request order.
    primary
        .inner
        .put_many(None, vec![("a".into(), v(1)), ("b".into(), v(2))], None)
        .await
        .unwrap();
    let before = primary.reads();
    assert_eq!(
        store.get_many(None, &["a", "b", "a", "zz"]).await.unwrap(),
        vec![Some(v(1)), Some(v(2)), Some(v(1)), None]
    );
    assert_eq!(primary.reads(), before + 1);
    assert_eq!(cache.get(None, "b").await.unwrap(), Some(v(2)));
}

#[tokio::test]
async fn passthrough_cache_single_flight() {
    let primary = Arc::new(Slow::new(Duration::from_millis(200)));
    primary.inner.put(Some("c"), "k", v(1), None).await.unwrap();
    let store = Arc::new(PassthroughCache::new(
        Arc::clone(&primary),
        MemoryStore::new(),
    ));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move { store.get(Some("c"), "k").await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), Some(v(1)));
    }
    assert_eq!(
        primary.reads(),
        1,
        "10 concurrent misses → one primary read"
    );
}

// ---------------------------------------------------------------- Statistics

#[tokio::test]
async fn statistics_counters() {
    let store = Statistics::new(MemoryStore::new());
    store.put(Some("c"), "a", v(1), None).await.unwrap();
    store
        .put_many(
            Some("c"),
            vec![("b".into(), v(2)), ("c".into(), v(3))],
            None,
        )
        .await
        .unwrap();
    store.get(Some("c"), "a").await.unwrap();
    store.get(Some("c"), "zz").await.unwrap();
    store.get_many(Some("c"), &["a", "b", "zz"]).await.unwrap();
    store.ttl(Some("c"), "a").await.unwrap();
    store.ttl_many(Some("c"), &["zz"]).await.unwrap();
    assert!(store.delete(Some("c"), "a").await.unwrap());
    assert_eq!(store.delete_many(Some("c"), &["b", "zz"]).await.unwrap(), 1);
    assert!(store.put_if_absent(None, "p", v(1), None).await.unwrap());
    assert!(!store.put_if_absent(None, "p", v(1), None).await.unwrap());
    let snap = store.statistics();
    let c = snap.collection("c");
    assert_eq!(c.put.count, 3);
    assert_eq!((c.get.count, c.get.hit, c.get.miss), (5, 3, 2));
    assert_eq!((c.ttl.count, c.ttl.hit, c.ttl.miss), (2, 1, 1));
    assert_eq!((c.delete.count, c.delete.hit, c.delete.miss), (3, 2, 1));
    assert_eq!(snap.collection("default_collection").put.count, 1);
    store.reset();
    assert_eq!(store.statistics(), StatisticsSnapshot::default());
    store.get(Some(""), "x").await.unwrap();
    assert_eq!(store.take().collection("default_collection").get.miss, 1);
    assert!(store.statistics().collections.is_empty());
}

// ---------------------------------------------------------------- ConcurrencyLimit

#[tokio::test]
async fn concurrency_limit_bounds_in_flight_calls() {
    let store = Arc::new(
        ConcurrencyLimit::new(Slow::new(Duration::from_millis(300)), 1)
            .with_acquire_timeout(Duration::from_millis(50)),
    );
    let s = Arc::clone(&store);
    let first = tokio::spawn(async move { s.get(None, "k").await });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(store.available_permits(), 0);
    let err = store.get(None, "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout);
    first.await.unwrap().unwrap();
    assert_eq!(store.available_permits(), 1);
}

// ---------------------------------------------------------------- Tracing

#[tokio::test(flavor = "current_thread")]
async fn tracing_spans_never_record_values() {
    use tracing_subscriber::layer::SubscriberExt;
    #[derive(Default)]
    struct Spans(Mutex<Vec<String>>);
    struct Rec(Arc<Spans>);
    struct Fields<'a>(&'a mut String);
    impl tracing::field::Visit for Fields<'_> {
        fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={:?}", f.name(), v));
        }
    }
    impl<S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>>
        tracing_subscriber::Layer<S> for Rec
    {
        fn on_new_span(
            &self,
            a: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut s = a.metadata().name().to_string();
            a.record(&mut Fields(&mut s));
            self.0 .0.lock().push(s);
        }
        fn on_record(
            &self,
            _: &tracing::span::Id,
            r: &tracing::span::Record<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut s = String::from("record");
            r.record(&mut Fields(&mut s));
            self.0 .0.lock().push(s);
        }
    }
    let spans = Arc::new(Spans::default());
    let _guard = tracing::subscriber::set_default(
        tracing_subscriber::registry().with(Rec(Arc::clone(&spans))),
    );
    let store = Tracing::new(MemoryStore::new()).backend("memory");
    store
        .put(Some("c"), "k", obj(json!({"secret": "s3cr3t"})), None)
        .await
        .unwrap();
    store.get(Some("c"), "k").await.unwrap();
    store.get_many(Some("c"), &["k", "x"]).await.unwrap();
    let all = spans.0.lock().join("\n");
    assert!(all.contains("kv.put"), "{all}");
    assert!(all.contains("kv.get_many"), "{all}");
    assert!(all.contains("hit=true"), "{all}");
    assert!(all.contains("hits=1") && all.contains("misses=1"), "{all}");
    assert!(all.contains("key_count=2"), "{all}");
    assert!(!all.contains("s3cr3t"), "{all}");
}

// ---------------------------------------------------------------- Capability forwarding

async fn names(r: kv_core::Result<Vec<String>>) -> BTreeSet<String> {
    r.unwrap().into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn capability_forwarding_prefix_keys() {
    let inner = Arc::new(MemoryStore::new());
    inner.put(Some("c"), "foreign", v(0), None).await.unwrap();
    let store = PrefixKeys::new(Arc::clone(&inner), "p");
    store.put(Some("c"), "a", v(1), None).await.unwrap();
    assert!(store
        .put_if_absent(Some("c"), "b", v(2), None)
        .await
        .unwrap());
    assert!(inner.get(Some("c"), "p__b").await.unwrap().is_some());
    assert_eq!(
        names(store.keys(Some("c"), None).await).await,
        set(&["a", "b"])
    );
    assert!(store.destroy_collection("c").await.unwrap());
    assert_eq!(
        inner.keys(Some("c"), None).await.unwrap(),
        vec!["foreign".to_string()]
    );
}

#[tokio::test]
async fn capability_forwarding_prefix_collections() {
    let inner = Arc::new(MemoryStore::new());
    inner.put(Some("other"), "k", v(0), None).await.unwrap();
    let store = PrefixCollections::new(Arc::clone(&inner), "p");
    store.put(Some("c"), "a", v(1), None).await.unwrap();
    assert!(store.put_if_absent(None, "b", v(2), None).await.unwrap());
    assert_eq!(
        names(store.collections(None).await).await,
        set(&["c", "default_collection"])
    );
    assert_eq!(names(store.keys(Some("c"), None).await).await, set(&["a"]));
    assert!(store.destroy().await.unwrap());
    assert_eq!(names(inner.collections(None).await).await, set(&["other"]));
}

#[tokio::test]
async fn capability_forwarding_single_collection() {
    let inner = Arc::new(MemoryStore::new());
    let store = SingleCollection::new(Arc::clone(&inner), "all");
    store.put(Some("users"), "alice", v(1), None).await.unwrap();
    store.put(Some("users"), "bob", v(2), None).await.unwrap();
    assert!(store.put_if_absent(None, "x", v(3), None).await.unwrap());
    assert_eq!(
        names(store.keys(Some("users"), None).await).await,
        set(&["alice", "bob"])
    );
    assert_eq!(
        names(store.collections(None).await).await,
        set(&["default_collection", "users"])
    );
    assert!(store.destroy_collection("users").await.unwrap());
    assert_eq!(
        names(inner.keys(Some("all"), None).await).await,
        set(&["default_collection__x"])
    );
    assert!(store.destroy().await.unwrap());
    assert!(inner.keys(Some("all"), None).await.unwrap().is_empty());
}

#[tokio::test]
async fn capability_forwarding_value_and_passthrough_wrappers() {
    // Wrappers that do not rewrite names forward capabilities unchanged.
    let stores: Vec<Arc<dyn KeyValue>> = vec![
        Arc::new(DefaultValue::new(MemoryStore::new(), Object::new())),
        Arc::new(Timeout::new(MemoryStore::new(), secs(5))),
        Arc::new(Retry::new(MemoryStore::new(), RetryPolicy::default())),
        Arc::new(Statistics::new(MemoryStore::new())),
        Arc::new(Logging::new(MemoryStore::new())),
        Arc::new(Tracing::new(MemoryStore::new())),
        Arc::new(ConcurrencyLimit::new(MemoryStore::new(), 4)),
        Arc::new(LimitSize::new(MemoryStore::new()).max_size(Some(1000))),
        Arc::new(TtlClamp::new(MemoryStore::new(), Duration::ZERO, secs(100)).unwrap()),
        Arc::new(Fallback::new(MemoryStore::new(), MemoryStore::new())),
        Arc::new(PassthroughCache::new(
            MemoryStore::new(),
            MemoryStore::new(),
        )),
        #[cfg(feature = "compression")]
        Arc::new(Compression::new(MemoryStore::new()).min_size_to_compress(0)),
        #[cfg(feature = "encryption")]
        Arc::new(
            Encryption::fernet(MemoryStore::new(), vec![FernetKey::generate().unwrap()]).unwrap(),
        ),
    ];
    for store in stores {
        assert_eq!(store.capabilities(), kv_core::Capabilities::ALL);
        store.put(Some("c"), "a", v(1), None).await.unwrap();
        assert!(store
            .put_if_absent(Some("c"), "b", v(2), None)
            .await
            .unwrap());
        assert!(!store
            .put_if_absent(Some("c"), "b", v(3), None)
            .await
            .unwrap());
        assert_eq!(
            names(store.keys(Some("c"), None).await).await,
            set(&["a", "b"])
        );
        assert!(names(store.collections(None).await).await.contains("c"));
        store.cull().await.unwrap();
        assert!(store.destroy_collection("c").await.unwrap());
        assert!(store.keys(Some("c"), None).await.unwrap().is_empty());
    }
    // Capabilities the inner store lacks stay Unsupported.
    let simple = Timeout::new(Flaky::new(0, || Error::connection("x")), secs(1));
    assert_eq!(simple.capabilities(), kv_core::Capabilities::NONE);
    assert_eq!(
        simple.keys(None, None).await.unwrap_err().kind(),
        &ErrorKind::Unsupported
    );
    let counter = AtomicUsize::new(0);
    counter.fetch_add(1, Ordering::SeqCst);
}
