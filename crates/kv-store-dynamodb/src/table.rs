//! Store setup (`wire-format.md` §5.6): find or create the table, wait until it is `ACTIVE`,
//! enable native TTL on the `ttl` attribute.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;
use kv_core::{Error, ErrorKind, Result};

use crate::config::TableConfig;
use crate::error::from_sdk;
use crate::item::{COLLECTION, KEY, TTL};

/// What setup needs to know about the table.
pub(crate) struct TableSpec<'a> {
    pub(crate) name: &'a str,
    pub(crate) auto_create: bool,
    pub(crate) config: Option<&'a TableConfig>,
    pub(crate) wait: Duration,
}

/// Makes sure the table exists and is `ACTIVE`, then enables native TTL where the server can.
pub(crate) async fn ensure(client: &Client, spec: &TableSpec<'_>) -> Result<()> {
    match describe(client, spec.name).await? {
        Some(status) if usable(&status) => {}
        Some(_) => wait_active(client, spec).await?,
        None if !spec.auto_create => {
            return Err(Error::setup(format!(
            "Table '{}' does not exist. Either create the table manually or enable auto_create.",
            spec.name
        )))
        }
        None => {
            create(client, spec).await?;
            wait_active(client, spec).await?;
        }
    }
    enable_ttl(client, spec.name).await
}

/// Whether a table in this status serves reads and writes (`UPDATING` tables do).
fn usable(status: &TableStatus) -> bool {
    matches!(status, TableStatus::Active | TableStatus::Updating)
}

/// The table's status, or `None` if it does not exist.
async fn describe(client: &Client, table: &str) -> Result<Option<TableStatus>> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => Ok(Some(
            out.table()
                .and_then(|t| t.table_status())
                .cloned()
                // Emulators that omit the status serve the table at once.
                .unwrap_or(TableStatus::Active),
        )),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(err) => Err(from_sdk("DescribeTable", err)),
    }
}

async fn create(client: &Client, spec: &TableSpec<'_>) -> Result<()> {
    let mut request = client.create_table();
    if let Some(config) = spec.config {
        request = config(request);
    }
    let schema = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .map_err(|e| Error::setup(format!("invalid key schema: {e}")))
    };
    let string_attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| Error::setup(format!("invalid attribute definition: {e}")))
    };
    // The required parameters override whatever the user's table_config set.
    let request = request
        .table_name(spec.name)
        .set_key_schema(Some(vec![
            schema(COLLECTION, KeyType::Hash)?,
            schema(KEY, KeyType::Range)?,
        ]))
        .set_attribute_definitions(Some(vec![
            string_attribute(COLLECTION)?,
            string_attribute(KEY)?,
        ]))
        .billing_mode(BillingMode::PayPerRequest);
    match request.send().await {
        Ok(_) => {
            tracing::info!(table = spec.name, "created DynamoDB table");
            Ok(())
        }
        // Another process or store created it meanwhile: wait for it like for our own.
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            Ok(())
        }
        Err(err) => Err(from_sdk("CreateTable", err)),
    }
}

async fn wait_active(client: &Client, spec: &TableSpec<'_>) -> Result<()> {
    let deadline = Instant::now() + spec.wait;
    let mut pause = Duration::from_millis(50);
    loop {
        if describe(client, spec.name)
            .await?
            .is_some_and(|s| usable(&s))
        {
            return Ok(());
        }
        if Instant::now() + pause > deadline {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "table '{}' did not become ACTIVE within {:?}",
                    spec.name, spec.wait
                ),
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

/// `DescribeTimeToLive`, then `UpdateTimeToLive` if disabled. Servers that lack these calls
/// (dynalite answers `UnknownOperationException`) or refuse them only get a warning: expiry is
/// enforced on every read anyway.
async fn enable_ttl(client: &Client, table: &str) -> Result<()> {
    let described = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await;
    let description = match described {
        Ok(out) => out.time_to_live_description().cloned(),
        Err(err) => return tolerate("DescribeTimeToLive", table, err),
    };
    let status = description
        .as_ref()
        .and_then(|d| d.time_to_live_status())
        .cloned();
    match status {
        None | Some(TimeToLiveStatus::Disabled) => {}
        Some(_) => {
            let attribute = description.as_ref().and_then(|d| d.attribute_name());
            if attribute.is_some_and(|a| a != TTL) {
                tracing::warn!(
                    table,
                    attribute,
                    "native TTL of the table uses another attribute than `ttl`; expired items are only hidden, not deleted"
                );
            }
            return Ok(());
        }
    }
    let spec = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(TTL)
        .build()
        .map_err(|e| Error::setup(format!("invalid TTL specification: {e}")))?;
    match client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(spec)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(err) => tolerate("UpdateTimeToLive", table, err),
    }
}

/// An error answer to a TTL call is a warning; not reaching the server is an error.
fn tolerate<E, R>(operation: &'static str, table: &str, err: SdkError<E, R>) -> Result<()>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(service) = err.as_service_error() {
        tracing::warn!(
            table,
            operation,
            code = service.code().unwrap_or("unknown"),
            message = service.message().unwrap_or_default(),
            "native TTL could not be enabled; expired items are only hidden on read, not deleted"
        );
        return Ok(());
    }
    Err(from_sdk(operation, err))
}
