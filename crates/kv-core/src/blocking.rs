//! Running blocking work (an embedded database call) from async code, with the cheapest hand-off
//! the current runtime allows.

use crate::error::{Error, Result};

/// Runs the blocking `work` for `backend` and returns its result.
///
/// On a multi-thread tokio runtime the call runs on the calling worker after tokio has moved
/// the worker's other tasks elsewhere (`block_in_place`): no thread hop, which for calls that
/// take microseconds (a SQLite or RocksDB read) is most of their cost — futex wake-ups and
/// context switches made a RocksDB `get` ten times slower through `spawn_blocking`. Anywhere
/// else (a current-thread runtime, no runtime) it goes to tokio's blocking pool.
///
/// The call cannot be abandoned half-way either way: a `Timeout` wrapper around a store that
/// uses this reports its deadline once the call returns, and the call completes.
///
/// ```
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> kv_core::Result<()> {
/// let sum = kv_core::blocking::run("example", || Ok(2 + 2)).await?;
/// assert_eq!(sum, 4);
/// # Ok(()) }
/// ```
pub async fn run<T, F>(backend: &'static str, work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi_thread {
        return tokio::task::block_in_place(work);
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::backend(false, format!("{backend} blocking task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn current_thread_runtime_uses_the_blocking_pool() {
        let caller = std::thread::current().id();
        let worker = run("test", || Ok(std::thread::current().id()))
            .await
            .expect("run");
        assert_ne!(caller, worker);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multi_thread_runtime_runs_in_place() {
        let caller = std::thread::current().id();
        let worker = run("test", || Ok(std::thread::current().id()))
            .await
            .expect("run");
        assert_eq!(caller, worker);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_panic_in_the_pool_is_a_backend_error() {
        let err = run::<(), _>("test", || panic!("boom")).await.unwrap_err();
        assert!(
            err.to_string().contains("test blocking task failed"),
            "{err}"
        );
    }
}
