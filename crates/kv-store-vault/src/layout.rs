//! Secret paths: `collection::key` under the KV v2 mount, as py-key-value writes them.

use kv_core::{Error, Result};

/// The secret path of `(collection, key)`: `collection::key`, raw.
///
/// A `/` creates nested paths exactly as py-key-value does. The HTTP client percent-encodes
/// every character that is illegal in a URL path segment. Rejected with `InvalidKey`, because
/// Vault would refuse them or they would address another secret: control characters (Vault
/// answers 400), and empty, `.` or `..` path segments (removed by URL normalization).
pub(crate) fn secret_path(collection: &str, key: &str) -> Result<String> {
    let path = kv_core::compound_key(collection, key);
    check_path(&path)?;
    Ok(path)
}

/// The longest secret path accepted (UTF-8 bytes, before percent-encoding). Longer paths
/// would make request lines beyond what HTTP clients and servers accept.
pub const MAX_PATH_BYTES: usize = 4096;

/// Checks a complete secret path (see [`secret_path`]).
pub(crate) fn check_path(path: &str) -> Result<()> {
    if path.len() > MAX_PATH_BYTES {
        return Err(Error::invalid_key(format!(
            "the Vault secret path is {} bytes long, more than the {MAX_PATH_BYTES} accepted",
            path.len()
        )));
    }
    if path.chars().any(char::is_control) {
        return Err(Error::invalid_key(
            "Vault secret paths cannot contain control characters",
        ));
    }
    if path
        .split('/')
        .any(|segment| matches!(segment, "" | "." | ".."))
    {
        return Err(Error::invalid_key(
            "a Vault secret path cannot contain empty, '.' or '..' segments (a leading, trailing or doubled '/')",
        ));
    }
    Ok(())
}

/// Splits a listing prefix into the folder to list (`""` or ending in `/`) and the name prefix
/// inside it: `a/b::` → (`a/`, `b::`).
pub(crate) fn split_prefix(prefix: &str) -> (&str, &str) {
    match prefix.rfind('/') {
        Some(i) => prefix.split_at(i + 1),
        None => ("", prefix),
    }
}

/// Normalizes a mount point: surrounding slashes removed; it must not be empty.
pub(crate) fn mount_point(mount: &str) -> Result<String> {
    let mount = mount.trim().trim_matches('/');
    if mount.is_empty() {
        return Err(Error::setup("the Vault KV v2 mount point is empty"));
    }
    if mount.chars().any(char::is_control) || mount.split('/').any(|s| matches!(s, "" | "." | ".."))
    {
        return Err(Error::setup(format!("invalid Vault mount point '{mount}'")));
    }
    Ok(mount.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_core::ErrorKind;

    #[test]
    fn paths_are_compound_keys() {
        assert_eq!(
            secret_path("users", "alice").ok().as_deref(),
            Some("users::alice")
        );
        assert_eq!(secret_path("c", "a/b").ok().as_deref(), Some("c::a/b"));
        assert_eq!(secret_path("c", "").ok().as_deref(), Some("c::"));
        assert_eq!(
            secret_path("c", "é 😀 \"?#%").ok().as_deref(),
            Some("c::é 😀 \"?#%")
        );
    }

    #[test]
    fn unaddressable_paths_are_invalid_keys() {
        let long = "k".repeat(MAX_PATH_BYTES);
        assert_eq!(
            secret_path("c", &long).unwrap_err().kind(),
            &ErrorKind::InvalidKey
        );
        for (c, k) in [
            ("c", "tab\t"),
            ("c", "a//b"),
            ("c", "a/"),
            ("c", "x/../y"),
            ("/c", "k"),
            ("c", "./."),
        ] {
            let err = secret_path(c, k).expect_err(k);
            assert_eq!(err.kind(), &ErrorKind::InvalidKey, "{c:?} {k:?}");
        }
    }

    #[test]
    fn prefixes_split_at_the_last_slash() {
        assert_eq!(split_prefix("users::"), ("", "users::"));
        assert_eq!(split_prefix("a/b::"), ("a/", "b::"));
    }

    #[test]
    fn mount_points_are_trimmed() {
        assert_eq!(mount_point("/secret/").ok().as_deref(), Some("secret"));
        assert_eq!(mount_point("team/kv").ok().as_deref(), Some("team/kv"));
        assert!(mount_point(" / ").is_err());
        assert!(mount_point("a//b").is_err());
    }
}
