//! `kv::open(url)`: any compiled-in store from a URL.

use std::collections::HashMap;
use std::sync::Arc;

use kv_core::{Error, KeyValue, Result};

/// One URL scheme [`open`] understands.
#[derive(Debug, Clone, Copy)]
pub struct Scheme {
    /// The scheme, e.g. `redis`.
    pub scheme: &'static str,
    /// The cargo feature of the `kv` crate that compiles it in.
    pub feature: &'static str,
    /// The URL form.
    pub form: &'static str,
    /// Whether this build includes it.
    pub enabled: bool,
}

macro_rules! scheme {
    ($scheme:literal, $feature:literal, $form:literal) => {
        Scheme {
            scheme: $scheme,
            feature: $feature,
            form: $form,
            enabled: cfg!(feature = $feature),
        }
    };
}

/// Every scheme, with the feature that enables it.
pub const SCHEMES: &[Scheme] = &[
    scheme!(
        "memory",
        "memory",
        "memory://[?max_entries_per_collection=N&compact=true&default_collection=C]"
    ),
    scheme!("simple", "memory", "simple://[?max_entries=N]"),
    scheme!("null", "memory", "null://"),
    scheme!(
        "disk",
        "disk",
        "disk://<directory>[?max_size=BYTES&page_size=BYTES]"
    ),
    scheme!(
        "multi-disk",
        "disk",
        "multi-disk://<directory>[?max_size=BYTES&page_size=BYTES]"
    ),
    scheme!("rocksdb", "rocksdb", "rocksdb://<directory>"),
    scheme!(
        "redis",
        "redis",
        "redis://[user[:password]@]host[:port][/db]"
    ),
    scheme!(
        "rediss",
        "redis",
        "rediss://[user[:password]@]host[:port][/db]"
    ),
    scheme!(
        "valkey",
        "valkey",
        "valkey://host[:port][/db] or valkey+cluster://host:port[,host:port...]"
    ),
    scheme!(
        "valkey+cluster",
        "valkey",
        "valkey+cluster://host:port[,host:port...]"
    ),
    scheme!("memcached", "memcached", "memcached://host[:port]"),
    scheme!("mongodb", "mongodb", "mongodb://host[:port][/db]"),
    scheme!(
        "elasticsearch+http",
        "elasticsearch",
        "elasticsearch+http://host:port?index_prefix=P[&dialect=opensearch]"
    ),
    scheme!(
        "elasticsearch+https",
        "elasticsearch",
        "elasticsearch+https://host:port?index_prefix=P[&dialect=opensearch]"
    ),
    scheme!(
        "dynamodb",
        "dynamodb",
        "dynamodb://<table>?region=R&endpoint=URL[&access_key_id=..&secret_access_key=..]"
    ),
    scheme!(
        "vault+http",
        "vault",
        "vault+http://host:port?mount=secret[&token=T] (else VAULT_TOKEN)"
    ),
    scheme!(
        "vault+https",
        "vault",
        "vault+https://host:port?mount=secret[&token=T] (else VAULT_TOKEN)"
    ),
    scheme!(
        "keyring",
        "keyring",
        "keyring://<service>?platform=secret-service|keyutils|macos|windows"
    ),
    scheme!(
        "registry",
        "windows-registry",
        "registry://[HKCU|HKLM][/Software/py-key-value][?v1_collections=true] (Windows)"
    ),
];

/// A parsed store URL: scheme, the part before `?`, and the query parameters.
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) struct StoreUrl<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) location: &'a str,
    pub(crate) params: HashMap<String, String>,
}

impl<'a> StoreUrl<'a> {
    pub(crate) fn parse(url: &'a str) -> Result<Self> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            Error::setup(format!(
                "not a store URL (expected scheme://...): {}",
                redact(url)
            ))
        })?;
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let params = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        Ok(StoreUrl {
            scheme,
            location,
            params,
        })
    }

    #[allow(dead_code)]
    pub(crate) fn usize_param(&self, name: &str) -> Result<Option<usize>> {
        self.params
            .get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| Error::setup(format!("URL parameter {name}={v} is not a number")))
            })
            .transpose()
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL with any password replaced by `***`, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let redacted_query = tail
        .split_once('?')
        .map(|(path, query)| {
            let q: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _))
                        if [
                            "token",
                            "password",
                            "secret",
                            "secret_id",
                            "secret_access_key",
                        ]
                        .contains(&k) =>
                    {
                        format!("{k}=***")
                    }
                    _ => p.to_owned(),
                })
                .collect();
            format!("{path}?{}", q.join("&"))
        })
        .unwrap_or_else(|| tail.to_owned());
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{redacted_query}")
        }
        None => format!("{scheme}://{authority}{redacted_query}"),
    }
}

/// Opens a store from a URL (see [`SCHEMES`]). No I/O happens until the first operation,
/// except where a store documents otherwise.
///
/// ```
/// let store = kv::open("memory://?max_entries_per_collection=1000").unwrap();
/// assert!(kv::open("nosuch://x").is_err());
/// ```
pub fn open(url: &str) -> Result<Arc<dyn KeyValue>> {
    let parsed = StoreUrl::parse(url)?;
    let Some(scheme) = SCHEMES.iter().find(|s| s.scheme == parsed.scheme) else {
        let known: Vec<&str> = SCHEMES.iter().map(|s| s.scheme).collect();
        return Err(Error::setup(format!(
            "unknown store URL scheme '{}' in {}; known schemes: {}",
            parsed.scheme,
            redact(url),
            known.join(", ")
        )));
    };
    if !scheme.enabled {
        return Err(Error::setup(format!(
            "the '{}' scheme is not compiled in: enable the `{}` feature of the kv crate",
            scheme.scheme, scheme.feature
        )));
    }
    open_enabled(&parsed, url)
}

#[allow(unused_variables)]
fn open_enabled(parsed: &StoreUrl<'_>, url: &str) -> Result<Arc<dyn KeyValue>> {
    match parsed.scheme {
        #[cfg(feature = "memory")]
        "memory" => {
            let mut builder = kv_store_memory::MemoryStore::builder();
            if let Some(max) = parsed.usize_param("max_entries_per_collection")? {
                builder = builder.max_entries_per_collection(max);
            }
            if let Some(c) = parsed.params.get("default_collection") {
                builder = builder.default_collection(c.clone());
            }
            match parsed.params.get("compact").map(String::as_str) {
                None | Some("false") => {}
                Some("true") => builder = builder.compact(true),
                Some(other) => {
                    return Err(Error::setup(format!(
                        "URL parameter compact={other} is not true or false"
                    )))
                }
            }
            Ok(Arc::new(builder.build()))
        }
        #[cfg(feature = "memory")]
        "simple" => Ok(Arc::new(kv_store_memory::SimpleStore::with_max_entries(
            parsed.usize_param("max_entries")?.unwrap_or(0),
        ))),
        #[cfg(feature = "memory")]
        "null" => Ok(Arc::new(kv_store_memory::NullStore::new())),
        #[cfg(feature = "disk")]
        "disk" => {
            let mut builder = kv_store_disk::DiskStore::builder(directory(parsed)?);
            if let Some(max) = parsed.usize_param("max_size")? {
                builder = builder.max_size(max as u64);
            }
            if let Some(bytes) = parsed.usize_param("page_size")? {
                let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
                builder = builder.page_size(bytes);
            }
            if let Some(c) = parsed.params.get("default_collection") {
                builder = builder.default_collection(c.clone());
            }
            Ok(Arc::new(builder.build()))
        }
        #[cfg(feature = "disk")]
        "multi-disk" => {
            let mut builder = kv_store_disk::MultiDiskStore::builder(directory(parsed)?);
            if let Some(max) = parsed.usize_param("max_size")? {
                builder = builder.max_size(max as u64);
            }
            if let Some(bytes) = parsed.usize_param("page_size")? {
                let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
                builder = builder.page_size(bytes);
            }
            if let Some(c) = parsed.params.get("default_collection") {
                builder = builder.default_collection(c.clone());
            }
            Ok(Arc::new(builder.build()))
        }
        #[cfg(feature = "rocksdb")]
        "rocksdb" => {
            let mut builder = kv_store_rocksdb::RocksDBStore::builder(directory(parsed)?);
            if let Some(c) = parsed.params.get("default_collection") {
                builder = builder.default_collection(c.clone());
            }
            Ok(Arc::new(builder.build()))
        }
        #[cfg(feature = "redis")]
        "redis" | "rediss" => Ok(Arc::new(kv_store_redis::RedisStore::from_url(url)?)),
        #[cfg(feature = "valkey")]
        "valkey" => Ok(Arc::new(kv_store_valkey::ValkeyStore::from_url(url)?)),
        #[cfg(feature = "valkey")]
        "valkey+cluster" => Ok(Arc::new(kv_store_valkey::ValkeyStore::from_url(
            &cluster_url(parsed)?,
        )?)),
        #[cfg(feature = "memcached")]
        "memcached" => Ok(Arc::new(kv_store_memcached::MemcachedStore::new(
            parsed.location.trim_end_matches('/'),
        )?)),
        #[cfg(feature = "dynamodb")]
        "dynamodb" => open_dynamodb(parsed),
        #[cfg(feature = "mongodb")]
        "mongodb" => Ok(Arc::new(kv_store_mongodb::MongoDBStore::from_url(url)?)),
        #[cfg(feature = "elasticsearch")]
        "elasticsearch+http" | "elasticsearch+https" => open_elasticsearch(parsed),
        #[cfg(feature = "vault")]
        "vault+http" | "vault+https" => open_vault(parsed),
        #[cfg(feature = "keyring")]
        "keyring" => open_keyring(parsed),
        #[cfg(all(feature = "windows-registry", windows))]
        "registry" => open_registry(parsed),
        #[cfg(all(feature = "windows-registry", not(windows)))]
        "registry" => Err(Error::setup(
            "registry:// opens the Windows registry, which exists only on Windows",
        )),
        other => Err(Error::setup(format!(
            "the '{other}' scheme has no opener in this build"
        ))),
    }
}

/// `dynamodb://TABLE?region=R&endpoint=URL&access_key_id=..&secret_access_key=..`: credentials
/// and region from the standard AWS environment unless given.
#[cfg(feature = "dynamodb")]
fn open_dynamodb(parsed: &StoreUrl<'_>) -> Result<Arc<dyn KeyValue>> {
    let table = parsed.location.trim_end_matches('/');
    if table.is_empty() {
        return Err(Error::setup(
            "dynamodb:// needs a table name, e.g. dynamodb://kv?region=us-east-1",
        ));
    }
    let mut builder = kv_store_dynamodb::DynamoDBStore::builder().table_name(percent_decode(table));
    if let Some(region) = parsed.params.get("region") {
        builder = builder.region(region.clone());
    }
    if let Some(endpoint) = parsed.params.get("endpoint") {
        builder = builder.endpoint_url(endpoint.clone());
    }
    if let Some(profile) = parsed.params.get("profile") {
        builder = builder.profile(profile.clone());
    }
    if let (Some(id), Some(secret)) = (
        parsed.params.get("access_key_id"),
        parsed.params.get("secret_access_key"),
    ) {
        builder = builder.credentials(id.clone(), secret.clone());
    }
    if let Some(c) = parsed.params.get("default_collection") {
        builder = builder.default_collection(c.clone());
    }
    Ok(Arc::new(builder.build()?))
}

/// `http(s)://host:port` of a `backend+http(s)://host:port` URL.
#[allow(dead_code)]
fn http_address(parsed: &StoreUrl<'_>) -> String {
    let transport = parsed.scheme.rsplit('+').next().unwrap_or("http");
    format!("{transport}://{}", parsed.location.trim_end_matches('/'))
}

/// `elasticsearch+http(s)://host:port?index_prefix=P&dialect=elasticsearch|opensearch`.
#[cfg(feature = "elasticsearch")]
fn open_elasticsearch(parsed: &StoreUrl<'_>) -> Result<Arc<dyn KeyValue>> {
    use kv_store_elasticsearch::{Dialect, ElasticsearchStore};
    let prefix = parsed
        .params
        .get("index_prefix")
        .map_or("kv-store", String::as_str);
    let mut builder = ElasticsearchStore::builder()
        .url(http_address(parsed))
        .index_prefix(prefix);
    match parsed.params.get("dialect").map(String::as_str) {
        None | Some("elasticsearch") => {}
        Some("opensearch") => builder = builder.dialect(Dialect::OpenSearch),
        Some(other) => {
            return Err(Error::setup(format!(
                "unknown dialect '{other}' (elasticsearch or opensearch)"
            )))
        }
    }
    if let Some(c) = parsed.params.get("default_collection") {
        builder = builder.default_collection(c.clone());
    }
    Ok(Arc::new(builder.build()?))
}

/// `vault+http(s)://host:port?mount=secret&token=T` (token else from `VAULT_TOKEN`).
#[cfg(feature = "vault")]
fn open_vault(parsed: &StoreUrl<'_>) -> Result<Arc<dyn KeyValue>> {
    let token = match parsed.params.get("token") {
        Some(t) => t.clone(),
        None => std::env::var("VAULT_TOKEN").map_err(|_| {
            Error::setup("vault+http(s):// needs a token: token=... in the URL or VAULT_TOKEN")
        })?,
    };
    let mut builder = kv_store_vault::VaultStore::builder()
        .address(http_address(parsed))
        .token(token);
    if let Some(mount) = parsed.params.get("mount") {
        builder = builder.mount(mount.clone());
    }
    if let Some(c) = parsed.params.get("default_collection") {
        builder = builder.default_collection(c.clone());
    }
    Ok(Arc::new(builder.build()?))
}

/// `keyring://SERVICE?platform=secret-service|keyutils|macos|windows` (default: this OS's).
#[cfg(feature = "keyring")]
fn open_keyring(parsed: &StoreUrl<'_>) -> Result<Arc<dyn KeyValue>> {
    use kv_store_keyring::{KeyringStore, Platform};
    let platform = match parsed.params.get("platform").map(String::as_str) {
        None => Platform::native()
            .ok_or_else(|| Error::setup("no native keyring on this platform: pass platform=..."))?,
        Some("secret-service") => Platform::SecretService,
        Some("keyutils") => Platform::Keyutils,
        Some("macos") => Platform::MacosKeychain,
        Some("windows") => Platform::WindowsCredentialManager,
        Some(other) => {
            return Err(Error::setup(format!(
                "unknown keyring platform '{other}' (secret-service, keyutils, macos, windows)"
            )))
        }
    };
    let mut builder = KeyringStore::builder().platform(platform);
    let service = percent_decode(parsed.location.trim_end_matches('/'));
    if !service.is_empty() {
        builder = builder.service(service);
    }
    if let Some(c) = parsed.params.get("default_collection") {
        builder = builder.default_collection(c.clone());
    }
    Ok(Arc::new(builder.build()?))
}

/// The directory of `disk://DIR` (relative paths are relative to the working directory).
#[allow(dead_code)]
fn directory(parsed: &StoreUrl<'_>) -> Result<std::path::PathBuf> {
    if parsed.location.is_empty() {
        return Err(Error::setup(format!(
            "{}:// needs a directory, e.g. {}://./kv-data",
            parsed.scheme, parsed.scheme
        )));
    }
    Ok(std::path::PathBuf::from(percent_decode(parsed.location)))
}

/// `valkey+cluster://a:1,b:2,c:3` as fred's `redis-cluster://a:1?node=b:2&node=c:3`.
#[allow(dead_code)]
fn cluster_url(parsed: &StoreUrl<'_>) -> Result<String> {
    let mut nodes = parsed
        .location
        .trim_end_matches('/')
        .split(',')
        .filter(|n| !n.is_empty());
    let first = nodes
        .next()
        .ok_or_else(|| Error::setup("valkey+cluster:// needs at least one host:port"))?;
    let rest: Vec<String> = nodes.map(|n| format!("node={n}")).collect();
    Ok(if rest.is_empty() {
        format!("redis-cluster://{first}")
    } else {
        format!("redis-cluster://{first}?{}", rest.join("&"))
    })
}

/// `registry://[HKCU|HKLM][/Software/py-key-value][?v1_collections=true&default_collection=C]`:
/// the hive (default `HKCU`) and the parent key of the collections, `/` or `\` separated.
#[cfg(all(feature = "windows-registry", windows))]
fn open_registry(parsed: &StoreUrl<'_>) -> Result<Arc<dyn KeyValue>> {
    use kv_store_windows_registry::{Hive, WindowsRegistryStore};
    let location = parsed.location.replace('/', "\\");
    let (hive, path) = location.split_once('\\').unwrap_or((&location, ""));
    let mut builder = WindowsRegistryStore::builder();
    builder = match hive.to_ascii_uppercase().as_str() {
        "" | "HKCU" | "HKEY_CURRENT_USER" => builder.hive(Hive::CurrentUser),
        "HKLM" | "HKEY_LOCAL_MACHINE" => builder.hive(Hive::LocalMachine),
        other => {
            return Err(Error::setup(format!(
                "unknown registry hive '{other}' (HKCU or HKLM)"
            )))
        }
    };
    if !path.is_empty() {
        builder = builder.registry_path(path);
    }
    if parsed.params.get("v1_collections").map(String::as_str) == Some("true") {
        builder = builder.v1_collections(true);
    }
    if let Some(c) = parsed.params.get("default_collection") {
        builder = builder.default_collection(c.clone());
    }
    Ok(Arc::new(builder.build()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_redacts() {
        let u = StoreUrl::parse(
            "dynamodb://table?region=us-east-1&endpoint=http%3A%2F%2Flocalhost%3A5000",
        )
        .unwrap();
        assert_eq!(u.scheme, "dynamodb");
        assert_eq!(u.location, "table");
        assert_eq!(u.params["endpoint"], "http://localhost:5000");
        assert_eq!(
            redact("redis://user:secret@host:6379/0"),
            "redis://user:***@host:6379/0"
        );
        assert_eq!(
            redact("vault+http://h:8200?token=abc&mount=s"),
            "vault+http://h:8200?token=***&mount=s"
        );
        assert!(!redact("redis://:pw@h").contains("pw"));
    }

    #[test]
    fn unknown_and_disabled_schemes_are_clear() {
        let err = open("nosuch://x").err().unwrap();
        assert!(
            err.to_string()
                .contains("unknown store URL scheme 'nosuch'"),
            "{err}"
        );
        let parsed = StoreUrl::parse("valkey+cluster://a:1,b:2,c:3").unwrap();
        assert_eq!(
            cluster_url(&parsed).unwrap(),
            "redis-cluster://a:1?node=b:2&node=c:3"
        );
        let err = open("no-scheme").err().unwrap();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Setup);
        // Every scheme this build leaves out names the feature that adds it.
        for scheme in SCHEMES.iter().filter(|s| !s.enabled) {
            let err = open(&format!("{}://x", scheme.scheme)).err().unwrap();
            let wanted = format!("enable the `{}` feature", scheme.feature);
            assert!(err.to_string().contains(&wanted), "{err}");
        }
    }

    #[cfg(all(feature = "windows-registry", not(windows)))]
    #[test]
    fn registry_scheme_says_it_needs_windows() {
        let err = open("registry://HKCU/Software/kv-test").err().unwrap();
        assert_eq!(err.kind(), &kv_core::ErrorKind::Setup);
        assert!(err.to_string().contains("only on Windows"), "{err}");
    }
}
