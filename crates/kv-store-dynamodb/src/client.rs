//! The SDK client: the user's, or one built from the standard AWS configuration plus the
//! builder's overrides (endpoint, region, profile, static credentials, timeouts).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::Client;

use crate::config::StaticCredentials;

/// Where the client comes from.
pub(crate) enum ClientSpec {
    /// The user's client, used as is and never shut down.
    User(Client),
    /// Loaded on first use (loading reads files and may call metadata endpoints: async).
    Load(Box<LoadSpec>),
}

/// What the store's own client is built from.
#[derive(Debug, Clone)]
pub(crate) struct LoadSpec {
    pub(crate) endpoint_url: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) credentials: Option<StaticCredentials>,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) operation_timeout: Duration,
    pub(crate) max_attempts: Option<u32>,
}

/// The region used with a custom endpoint when nothing else names one (local servers ignore it).
const LOCAL_DEFAULT_REGION: &str = "us-east-1";

impl LoadSpec {
    /// Loads the AWS configuration and builds the client.
    pub(crate) async fn load(&self) -> Client {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts);
        if let Some(attempts) = self.max_attempts {
            loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(c) = &self.credentials {
            loader = loader.credentials_provider(Credentials::new(
                &c.access_key_id,
                &c.secret_access_key,
                c.session_token.clone(),
                None,
                "kv-store-dynamodb",
            ));
        }
        let sdk = loader.load().await;
        let mut config = aws_sdk_dynamodb::config::Builder::from(&sdk);
        if sdk.region().is_none() && self.endpoint_url.is_some() {
            config = config.region(Region::new(LOCAL_DEFAULT_REGION));
        }
        Client::from_conf(config.build())
    }
}
