//! `BatchGetItem` (chunks of 100) and `BatchWriteItem` (chunks of 25), with the unprocessed
//! keys/items DynamoDB hands back under throttling retried with exponential backoff.

use std::time::Duration;

use aws_sdk_dynamodb::types::{KeysAndAttributes, WriteRequest};
use aws_sdk_dynamodb::Client;
use futures::stream::{self, StreamExt, TryStreamExt};
use kv_core::{Error, Result};

use crate::error::from_sdk;
use crate::item::Item;

/// DynamoDB's maximum number of keys in one `BatchGetItem`.
pub const GET_CHUNK: usize = 100;
/// DynamoDB's maximum number of requests in one `BatchWriteItem`.
pub const WRITE_CHUNK: usize = 25;
/// Chunks in flight at once.
const CONCURRENCY: usize = 4;
/// Resubmissions of unprocessed keys/items before giving up with a retryable error.
const MAX_RETRIES: u32 = 8;
const FIRST_BACKOFF: Duration = Duration::from_millis(25);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(1 << attempt.min(16))
        .min(MAX_BACKOFF)
}

fn left_over(operation: &str, count: usize) -> Error {
    Error::backend(
        true,
        format!(
            "DynamoDB {operation} left {count} requests unprocessed after {MAX_RETRIES} retries (throttled)"
        ),
    )
}

/// Splits `items` into vectors of at most `size`, without copying.
fn into_chunks<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::with_capacity(items.len().div_ceil(size));
    let mut rest = items.into_iter();
    loop {
        let chunk: Vec<T> = rest.by_ref().take(size).collect();
        if chunk.is_empty() {
            return chunks;
        }
        chunks.push(chunk);
    }
}

/// Reads the items of `keys` (distinct primary keys) with consistent reads; returns the items
/// found, in no particular order.
pub(crate) async fn get_items(client: &Client, table: &str, keys: Vec<Item>) -> Result<Vec<Item>> {
    let chunks = into_chunks(keys, GET_CHUNK);
    let found: Vec<Vec<Item>> = stream::iter(chunks)
        .map(|chunk| get_chunk(client, table, chunk))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}

async fn get_chunk(client: &Client, table: &str, mut keys: Vec<Item>) -> Result<Vec<Item>> {
    let mut found = Vec::with_capacity(keys.len());
    let mut attempt = 0;
    loop {
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(|e| Error::backend(false, format!("invalid BatchGetItem request: {e}")))?;
        let mut out = client
            .batch_get_item()
            .request_items(table, request)
            .send()
            .await
            .map_err(|e| from_sdk("BatchGetItem", e))?;
        if let Some(items) = out.responses.as_mut().and_then(|r| r.remove(table)) {
            found.extend(items);
        }
        keys = out
            .unprocessed_keys
            .and_then(|mut u| u.remove(table))
            .map(|k| k.keys)
            .unwrap_or_default();
        if keys.is_empty() {
            return Ok(found);
        }
        if attempt == MAX_RETRIES {
            return Err(left_over("BatchGetItem", keys.len()));
        }
        tokio::time::sleep(backoff(attempt)).await;
        attempt += 1;
    }
}

/// Sends `requests` (puts and/or deletes of distinct keys) in `BatchWriteItem` chunks.
pub(crate) async fn write(client: &Client, table: &str, requests: Vec<WriteRequest>) -> Result<()> {
    let chunks = into_chunks(requests, WRITE_CHUNK);
    stream::iter(chunks)
        .map(|chunk| write_chunk(client, table, chunk))
        .buffer_unordered(CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

async fn write_chunk(client: &Client, table: &str, mut requests: Vec<WriteRequest>) -> Result<()> {
    let mut attempt = 0;
    loop {
        let out = client
            .batch_write_item()
            .request_items(table, requests)
            .send()
            .await
            .map_err(|e| from_sdk("BatchWriteItem", e))?;
        requests = out
            .unprocessed_items
            .and_then(|mut u| u.remove(table))
            .unwrap_or_default();
        if requests.is_empty() {
            return Ok(());
        }
        if attempt == MAX_RETRIES {
            return Err(left_over("BatchWriteItem", requests.len()));
        }
        tokio::time::sleep(backoff(attempt)).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_full_except_the_last() {
        let sizes: Vec<usize> = into_chunks((0..1000).collect(), WRITE_CHUNK)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, vec![25; 40]);
        let sizes: Vec<usize> = into_chunks((0..101).collect(), GET_CHUNK)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, vec![100, 1]);
        assert!(into_chunks(Vec::<u8>::new(), GET_CHUNK).is_empty());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0), FIRST_BACKOFF);
        assert_eq!(backoff(1), FIRST_BACKOFF * 2);
        assert_eq!(backoff(30), MAX_BACKOFF);
    }
}
