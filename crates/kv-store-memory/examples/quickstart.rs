//! put / get / ttl / delete on a MemoryStore: `cargo run -p kv-store-memory --example quickstart`.

use std::time::Duration;

use kv_core::{KeyValue, KeyValueExt};
use kv_store_memory::MemoryStore;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Serialize, Deserialize, Debug)]
struct User {
    name: String,
    email: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> kv_core::Result<()> {
    let store = MemoryStore::new();

    let value = json!({"name": "Alice", "email": "alice@example.com"});
    let value = value.as_object().cloned().unwrap_or_default();
    store
        .put(Some("users"), "alice", value, Some(Duration::from_secs(60)))
        .await?;
    println!("get    -> {:?}", store.get(Some("users"), "alice").await?);

    if let Some((_, remaining)) = store.ttl(Some("users"), "alice").await? {
        println!("ttl    -> {remaining:?} left");
    }

    let bob = User {
        name: "Bob".into(),
        email: "bob@example.com".into(),
    };
    store.put_as(Some("users"), "bob", &bob, None).await?;
    let bob: Option<User> = store.get_as(Some("users"), "bob").await?;
    println!("typed  -> {bob:?}");

    println!("keys   -> {:?}", store.keys(Some("users"), None).await?);
    println!("delete -> {}", store.delete(Some("users"), "alice").await?);
    println!("get    -> {:?}", store.get(Some("users"), "alice").await?);
    Ok(())
}
