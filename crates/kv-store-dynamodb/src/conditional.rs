//! Conditional writes for `put_if_absent`: create only if the key is absent, and replace a
//! logically expired item only if nobody changed it since it was read.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use kv_core::Result;

use crate::error::from_sdk;
use crate::item::{Item, KEY, VALUE};

/// `PutItem` with `attribute_not_exists(#k)`; `false` if an item exists.
pub(crate) async fn put_if_missing(client: &Client, table: &str, item: Item) -> Result<bool> {
    let result = client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#k)")
        .expression_attribute_names("#k", KEY)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(err) => Err(from_sdk("PutItem", err)),
    }
}

/// `PutItem` that replaces the item only while its `value` attribute still equals `old`
/// (or is still absent); `false` if another writer got there first.
pub(crate) async fn replace_if_unchanged(
    client: &Client,
    table: &str,
    item: Item,
    old: Option<&AttributeValue>,
) -> Result<bool> {
    let request = client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .expression_attribute_names("#k", KEY)
        .expression_attribute_names("#v", VALUE);
    let request = match old {
        Some(old) => request
            .condition_expression("attribute_exists(#k) AND #v = :old")
            .expression_attribute_values(":old", old.clone()),
        None => request.condition_expression("attribute_exists(#k) AND attribute_not_exists(#v)"),
    };
    match request.send().await {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(err) => Err(from_sdk("PutItem", err)),
    }
}
