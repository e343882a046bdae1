//! [`DynamoDBStoreBuilder`]: which table, which endpoint and credentials, and how patient to be.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::Client;
use kv_core::{Error, Result, Store};

use crate::backend::DynamoDBBackend;
use crate::client::ClientSpec;
use crate::DynamoDBStore;

/// How long opening a connection may take unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one HTTP attempt may take unless configured.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one operation (all its SDK retries) may take unless configured.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(15);
/// How long setup waits for a new table to become `ACTIVE` unless configured.
pub const DEFAULT_TABLE_WAIT: Duration = Duration::from_secs(300);

/// A user function applied to the `CreateTable` request before the store's required
/// parameters (name, key schema, attribute definitions, on-demand billing) override it.
pub type TableConfig =
    Arc<dyn Fn(CreateTableFluentBuilder) -> CreateTableFluentBuilder + Send + Sync>;

/// Static credentials (local servers, tests); never printed.
#[derive(Clone)]
pub(crate) struct StaticCredentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Builds a [`DynamoDBStore`].
///
/// Without [`client`](Self::client), the store loads the standard AWS configuration (environment
/// variables, `~/.aws/config` and `~/.aws/credentials`, web identity, ECS/EC2 metadata) on first
/// use; [`endpoint_url`](Self::endpoint_url), [`region`](Self::region) and
/// [`credentials`](Self::credentials) override it (local servers such as DynamoDB Local, moto or
/// dynalite).
///
/// ```
/// use std::time::Duration;
/// use kv_store_dynamodb::DynamoDBStore;
///
/// let store = DynamoDBStore::builder()
///     .table_name("kv")
///     .endpoint_url("http://127.0.0.1:8000")
///     .region("us-east-1")
///     .credentials("test", "test")
///     .operation_timeout(Duration::from_secs(5))
///     .default_collection("app")
///     .build()?;
/// # Ok::<(), kv_core::Error>(())
/// ```
#[derive(Clone)]
pub struct DynamoDBStoreBuilder {
    table_name: Option<String>,
    client: Option<Client>,
    endpoint_url: Option<String>,
    region: Option<String>,
    profile: Option<String>,
    credentials: Option<StaticCredentials>,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    operation_timeout: Duration,
    table_wait: Duration,
    max_attempts: Option<u32>,
    auto_create: bool,
    table_config: Option<TableConfig>,
    default_collection: Option<String>,
}

impl Default for DynamoDBStoreBuilder {
    fn default() -> Self {
        DynamoDBStoreBuilder {
            table_name: None,
            client: None,
            endpoint_url: None,
            region: None,
            profile: None,
            credentials: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            table_wait: DEFAULT_TABLE_WAIT,
            max_attempts: None,
            auto_create: true,
            table_config: None,
            default_collection: None,
        }
    }
}

impl fmt::Debug for DynamoDBStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDBStoreBuilder")
            .field("table_name", &self.table_name)
            .field("client", &self.client.as_ref().map(|_| "user client"))
            .field("endpoint_url", &self.endpoint_url)
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("auto_create", &self.auto_create)
            .field("table_config", &self.table_config.as_ref().map(|_| "fn"))
            .field("default_collection", &self.default_collection)
            .finish()
    }
}

impl DynamoDBStoreBuilder {
    /// The table holding every collection (required).
    pub fn table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = Some(name.into());
        self
    }

    /// Uses the user's SDK client (its endpoint, region, credentials, timeouts, retries and
    /// interceptors); the store never shuts it down. Endpoint, region, profile, credential and
    /// timeout settings of this builder are then ignored.
    pub fn client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// A custom endpoint, e.g. `http://127.0.0.1:8000` for DynamoDB Local.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// The AWS region (else `AWS_REGION` / the profile's region).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The named profile of `~/.aws/config` to load (else `AWS_PROFILE` / `default`).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Static credentials instead of the default provider chain.
    pub fn credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some(StaticCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        });
        self
    }

    /// A session token for the static [`credentials`](Self::credentials).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        if let Some(credentials) = &mut self.credentials {
            credentials.session_token = Some(token.into());
        }
        self
    }

    /// How long opening a connection may take (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one HTTP attempt may take (default [`DEFAULT_ATTEMPT_TIMEOUT`]).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// How long one SDK operation, retries included, may take (default
    /// [`DEFAULT_OPERATION_TIMEOUT`]).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Attempts per SDK operation, the first included (default: the SDK's standard retry mode,
    /// 3 attempts with jittered exponential backoff on throttling, 5xx and connection errors).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// How long setup waits for a new table to become `ACTIVE` (default [`DEFAULT_TABLE_WAIT`]).
    pub fn table_wait(mut self, wait: Duration) -> Self {
        self.table_wait = wait;
        self
    }

    /// Whether setup creates a missing table (default `true`); when `false` a missing table
    /// is a `Setup` error containing `Table '<name>' does not exist`.
    pub fn auto_create(mut self, auto_create: bool) -> Self {
        self.auto_create = auto_create;
        self
    }

    /// Extra `CreateTable` options (SSE, tags, streams, …), applied before the store's required
    /// parameters override them.
    ///
    /// ```
    /// use kv_store_dynamodb::aws_sdk_dynamodb::types::{SseSpecification, SseType};
    ///
    /// let builder = kv_store_dynamodb::DynamoDBStore::builder()
    ///     .table_name("kv")
    ///     .table_config(|create| {
    ///         create.sse_specification(
    ///             SseSpecification::builder().enabled(true).sse_type(SseType::Aes256).build(),
    ///         )
    ///     });
    /// ```
    pub fn table_config<F>(mut self, config: F) -> Self
    where
        F: Fn(CreateTableFluentBuilder) -> CreateTableFluentBuilder + Send + Sync + 'static,
    {
        self.table_config = Some(Arc::new(config));
        self
    }

    /// The collection used for `None` and `""` (default `default_collection`).
    pub fn default_collection(mut self, name: impl Into<String>) -> Self {
        self.default_collection = Some(name.into());
        self
    }

    /// Builds the store; no request is sent until the first operation (or `setup()`).
    pub fn build(self) -> Result<DynamoDBStore> {
        let table = match self.table_name {
            Some(name) if !name.is_empty() => name,
            _ => return Err(Error::setup("DynamoDBStore needs a table_name")),
        };
        let client = match self.client {
            Some(client) => ClientSpec::User(client),
            None => ClientSpec::Load(Box::new(crate::client::LoadSpec {
                endpoint_url: self.endpoint_url,
                region: self.region,
                profile: self.profile,
                credentials: self.credentials,
                connect_timeout: self.connect_timeout,
                attempt_timeout: self.attempt_timeout,
                operation_timeout: self.operation_timeout,
                max_attempts: self.max_attempts,
            })),
        };
        let backend = DynamoDBBackend::new(
            client,
            table,
            self.auto_create,
            self.table_config,
            self.table_wait,
        );
        let mut inner = Store::new(backend);
        if let Some(name) = self.default_collection {
            inner = inner.with_default_collection(name);
        }
        Ok(DynamoDBStore { inner })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let b = DynamoDBStore::builder()
            .table_name("t")
            .credentials("AKIDEXAMPLE", "hunter2")
            .session_token("tok-secret");
        let text = format!("{b:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("tok-secret"), "{text}");
        assert!(text.contains("AKIDEXAMPLE"));
    }

    #[test]
    fn table_name_is_required() {
        let err = DynamoDBStore::builder().build().unwrap_err();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Setup);
        assert!(err.to_string().contains("table_name"), "{err}");
    }
}
