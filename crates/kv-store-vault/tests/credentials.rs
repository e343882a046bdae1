//! Credentials stay secret: no Vault token or AppRole secret ID in `Debug` output, error
//! messages, error `Debug` output or tracing logs (captured at TRACE level); and AppRole
//! authentication, including the re-login after the token expires, against the real server.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kv_core::conformance::{obj, unique_token};
use kv_core::{ErrorKind, KeyValue};
use kv_store_vault::vaultrs::api::auth::approle::requests::SetAppRoleRequest;
use kv_store_vault::vaultrs::api::token::requests::CreateTokenRequest;
use kv_store_vault::vaultrs::{auth::approle, sys, token};
use kv_store_vault::{Auth, VaultStore};
use serde_json::json;

/// Everything written by tracing (all levels), shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn install() -> Captured {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("one subscriber per test binary");
        captured
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn assert_hidden(secret: &str, text: &str, what: &str) {
    assert!(
        !text.contains(secret),
        "{what} reveals the credential: {text}"
    );
}

const POLICY: &str =
    r#"path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }"#;

/// Enables AppRole (once per server), a policy on `secret/*` and a role; returns (role ID, secret ID).
async fn app_role(address: &str, role: &str, token_ttl: &str) -> (String, String) {
    let admin = common::plain(address);
    match sys::auth::enable(&admin, "approle", "approle", None).await {
        Ok(()) => {}
        // Already enabled by an earlier run on the same server.
        Err(kv_store_vault::vaultrs::error::ClientError::APIError { code: 400, .. }) => {}
        Err(e) => panic!("enable approle: {e}"),
    }
    sys::policy::set(&admin, "kv-test", POLICY)
        .await
        .expect("policy");
    approle::role::set(
        &admin,
        "approle",
        role,
        Some(
            &mut SetAppRoleRequest::builder()
                .token_policies(vec!["kv-test".to_owned()])
                .token_ttl(token_ttl)
                .token_max_ttl(token_ttl),
        ),
    )
    .await
    .expect("role");
    let role_id = approle::role::read_id(&admin, "approle", role)
        .await
        .expect("role id")
        .role_id;
    let secret_id = approle::role::secret::generate(&admin, "approle", role, None)
        .await
        .expect("secret id")
        .secret_id;
    (role_id, secret_id)
}

// One test function: the tracing subscriber is global and must see every step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_leak_and_app_role_works() {
    let Some(address) = common::address() else {
        return;
    };
    let logs = Captured::install();
    let c = format!("cred-{}", unique_token());

    // A real, distinctive token created for this test.
    let admin = common::plain(&address);
    let token = token::new(
        &admin,
        Some(&mut CreateTokenRequest::builder().policies(vec!["root".to_owned()])),
    )
    .await
    .expect("create token")
    .client_token;
    let store = VaultStore::builder()
        .address(&address)
        .token(token.as_str())
        .build()
        .unwrap();
    assert_hidden(&token, &format!("{store:?}"), "store Debug");
    assert_hidden(
        &token,
        &format!("{:?}", VaultStore::builder().token(token.as_str())),
        "builder Debug",
    );
    store
        .put(Some(&c), "k", obj(json!({"a": 1})), None)
        .await
        .unwrap();
    assert_eq!(
        store.get(Some(&c), "k").await.unwrap(),
        Some(obj(json!({"a": 1})))
    );

    // A wrong token: a Setup error naming the operation, collection and key, without the token.
    let wrong = format!("s.wrong-{}", unique_token());
    let denied = VaultStore::builder()
        .address(&address)
        .token(wrong.as_str())
        .build()
        .unwrap();
    let err = denied.get(Some(&c), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    assert_eq!(
        (err.operation(), err.collection(), err.key()),
        (Some("get"), Some(c.as_str()), Some("k"))
    );
    assert!(err.to_string().contains("denied"), "{err}");
    assert_hidden(&wrong, &err.to_string(), "error message");
    assert_hidden(&wrong, &format!("{err:?}"), "error Debug");
    assert_hidden(&wrong, &format!("{denied:?}"), "store Debug");

    // Server unreachable: a Connection error, still without the token.
    let unreachable = VaultStore::builder()
        .address("http://127.0.0.1:9")
        .token(token.as_str())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = unreachable
        .put(Some(&c), "k", obj(json!({})), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
    assert_hidden(&token, &format!("{err} {err:?}"), "connection error");

    // AppRole: login at setup, data shared with token users.
    let role = format!("kv-{}", unique_token());
    let (role_id, secret_id) = app_role(&address, &role, "2s").await;
    let by_role = VaultStore::builder()
        .address(&address)
        .auth(Auth::app_role(role_id.as_str(), secret_id.as_str()))
        .build()
        .unwrap();
    assert_hidden(&secret_id, &format!("{by_role:?}"), "AppRole store Debug");
    assert_hidden(&role_id, &format!("{by_role:?}"), "AppRole store Debug");
    assert_eq!(
        by_role.get(Some(&c), "k").await.unwrap(),
        Some(obj(json!({"a": 1})))
    );
    by_role
        .put(Some(&c), "r", obj(json!({"r": 1})), None)
        .await
        .unwrap();
    // The 2 s token expires; the store logs in again on the 403 and carries on.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(
        by_role.get(Some(&c), "r").await.unwrap(),
        Some(obj(json!({"r": 1})))
    );
    assert!(by_role.delete(Some(&c), "r").await.unwrap());

    // A wrong secret ID: Setup, without the secret ID.
    let wrong_secret = format!("bad-{}", unique_token());
    let bad_role = VaultStore::builder()
        .address(&address)
        .auth(Auth::app_role(role_id.as_str(), wrong_secret.as_str()))
        .build()
        .unwrap();
    let err = bad_role.get(Some(&c), "k").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Setup, "{err}");
    assert!(err.to_string().contains("AppRole login failed"), "{err}");
    assert_hidden(&wrong_secret, &format!("{err} {err:?}"), "AppRole error");

    assert!(store.delete(Some(&c), "k").await.unwrap());
    let logs = logs.text();
    assert!(
        !logs.is_empty(),
        "tracing captured nothing: the check would be vacuous"
    );
    for secret in [&token, &wrong, &secret_id, &wrong_secret] {
        assert_hidden(secret, &logs, "tracing logs");
    }
}
