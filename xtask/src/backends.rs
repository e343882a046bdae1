//! The table of backends `cargo xtask test` reports on: which package holds a backend's tests,
//! which test names are its tests and which environment variable points it at its server.

use anyhow::{bail, Result};

/// One backend of the conformance suite.
pub struct Backend {
    /// Name used on the command line (`cargo xtask test redis`).
    pub name: &'static str,
    /// The workspace package whose tests cover it.
    pub package: &'static str,
    /// Module path its conformance tests live under (`memory::` matches
    /// `memory::explicit_setup::test_get_put_get`, also when nested like `tests::memory::...`).
    pub filter: &'static str,
    /// Variable that must be set for its tests to reach a server (`None`: always runs).
    pub env_var: Option<&'static str>,
    /// Only meaningful on this OS (`None`: any).
    pub only_os: Option<&'static str>,
}

impl Backend {
    /// Whether a libtest test name belongs to this backend.
    pub fn matches(&self, test_name: &str) -> bool {
        test_name.starts_with(self.filter) || test_name.contains(&format!("::{}", self.filter))
    }
}

const fn local(name: &'static str, package: &'static str, filter: &'static str) -> Backend {
    Backend {
        name,
        package,
        filter,
        env_var: None,
        only_os: None,
    }
}

const fn server(
    name: &'static str,
    package: &'static str,
    filter: &'static str,
    env_var: &'static str,
) -> Backend {
    Backend {
        name,
        package,
        filter,
        env_var: Some(env_var),
        only_os: None,
    }
}

/// Every backend, in report order. Env var names: `spec/test-services.md` §2.
pub const BACKENDS: &[Backend] = &[
    local("memory", "kv-store-memory", "memory::"),
    local("memory-compact", "kv-store-memory", "memory_compact::"),
    local("simple", "kv-store-memory", "simple::"),
    local("null", "kv-store-memory", "null::"),
    local("disk", "kv-store-disk", "disk::"),
    local("multi-disk", "kv-store-disk", "multi_disk::"),
    local("rocksdb", "kv-store-rocksdb", "rocksdb::"),
    local("rocksdb-handle", "kv-store-rocksdb", "rocksdb_handle::"),
    server("redis", "kv-store-redis", "redis::", "KV_TEST_REDIS_URL"),
    server(
        "valkey",
        "kv-store-valkey",
        "valkey::",
        "KV_TEST_VALKEY_URL",
    ),
    server(
        "valkey-cluster",
        "kv-store-valkey",
        "valkey_cluster::",
        "KV_TEST_VALKEY_CLUSTER_URL",
    ),
    server(
        "memcached",
        "kv-store-memcached",
        "memcached::",
        "KV_TEST_MEMCACHED",
    ),
    server(
        "memcached-v1",
        "kv-store-memcached",
        "memcached_v1::",
        "KV_TEST_MEMCACHED",
    ),
    server(
        "mongodb",
        "kv-store-mongodb",
        "mongodb::",
        "KV_TEST_MONGODB_URL",
    ),
    server(
        "mongodb-v1",
        "kv-store-mongodb",
        "mongodb_v1::",
        "KV_TEST_MONGODB_URL",
    ),
    server(
        "elasticsearch",
        "kv-store-elasticsearch",
        "elasticsearch::",
        "KV_TEST_ELASTICSEARCH_URL",
    ),
    server(
        "dynamodb",
        "kv-store-dynamodb",
        "dynamodb::",
        "KV_TEST_DYNAMODB_ENDPOINT",
    ),
    // The same DynamoDBStore suite on dynalite, the second independent server; selected with
    // `dynamodb` (see COMPANIONS).
    server(
        "dynalite",
        "kv-store-dynamodb",
        "dynalite::",
        "KV_TEST_DYNALITE_ENDPOINT",
    ),
    server("vault", "kv-store-vault", "vault::", "KV_TEST_VAULT_ADDR"),
    server(
        "keyring",
        "kv-store-keyring",
        "keyring::",
        "KV_TEST_KEYRING",
    ),
    // The same KeyringStore suite on the kernel keyutils keyring (Linux).
    Backend {
        name: "keyutils",
        package: "kv-store-keyring",
        filter: "keyutils::",
        env_var: Some("KV_TEST_KEYUTILS"),
        only_os: Some("linux"),
    },
    Backend {
        name: "windows-registry",
        package: "kv-store-windows-registry",
        filter: "windows_registry::",
        env_var: None,
        only_os: Some("windows"),
    },
];

/// Backends that naming another one on the command line also selects: DynamoDB's suite must
/// pass on two independent servers, so `cargo xtask test dynamodb` runs both.
const COMPANIONS: &[(&str, &[&str])] = &[("dynamodb", &["dynalite"])];

/// The backends called `names` plus their companions, each once, in command-line order.
pub fn select(names: &[String]) -> Result<Vec<&'static Backend>> {
    let mut out: Vec<&'static Backend> = Vec::new();
    for name in names {
        let companions = COMPANIONS
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, c)| c.iter().copied());
        for backend in std::iter::once(name.as_str()).chain(companions) {
            let backend = find(backend)?;
            if !out.iter().any(|b| b.name == backend.name) {
                out.push(backend);
            }
        }
    }
    Ok(out)
}

/// The backend called `name`, or an error listing the valid names.
pub fn find(name: &str) -> Result<&'static Backend> {
    match BACKENDS.iter().find(|b| b.name == name) {
        Some(b) => Ok(b),
        None => bail!(
            "unknown backend `{name}`; known: {}",
            BACKENDS
                .iter()
                .map(|b| b.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_module_paths_only() {
        let memory = find("memory").expect("memory backend");
        assert!(memory.matches("memory::explicit_setup::test_get_put_get"));
        assert!(memory.matches("tests::memory::lazy_setup::test_ttl"));
        assert!(!memory.matches("simple::explicit_setup::test_get_put_get"));
        assert!(!memory.matches("lru_memory::test"));
        let disk = find("disk").expect("disk backend");
        assert!(!disk.matches("multi_disk::explicit_setup::test_get"));
    }

    #[test]
    fn dynamodb_brings_dynalite() {
        let names = |list: &[&str]| -> Vec<&str> {
            let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            select(&list)
                .expect("known")
                .iter()
                .map(|b| b.name)
                .collect()
        };
        assert_eq!(names(&["dynamodb"]), ["dynamodb", "dynalite"]);
        assert_eq!(names(&["dynalite", "dynamodb"]), ["dynalite", "dynamodb"]);
        assert_eq!(names(&["redis"]), ["redis"]);
        let dynalite = find("dynalite").expect("dynalite backend");
        assert!(dynalite.matches("dynalite::lazy_setup::test_get"));
        assert!(!find("dynamodb").expect("dynamodb").matches("dynalite::x"));
    }

    #[test]
    fn unknown_backend_is_an_error() {
        assert!(find("nope").is_err());
    }
}
