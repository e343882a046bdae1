//! Collection name → directory name for [`MultiDiskStore`](crate::MultiDiskStore): pathvalidate 3.x
//! `sanitize_filename(name)` with default arguments (what py-key-value's MultiDiskStore uses).

use std::borrow::Cow;

use kv_core::sanitize::SanitizationStrategy;
use kv_core::{Error, Result};

/// Longest directory name in UTF-8 bytes.
const MAX_BYTES: usize = 255;

/// Windows and macOS reserved names (compared upper-cased), as in pathvalidate's "universal" platform.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "CLOCK$", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6",
    "COM7", "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
    "LPT9", "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³", ":",
];

fn is_invalid_char(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}' | '\u{7f}' | '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'
    )
}

fn is_reserved(name: &str) -> bool {
    let upper = name.to_uppercase();
    RESERVED.contains(&upper.as_str())
}

/// The "root name" pathvalidate checks: the leading run of non-`.` characters, or the whole name
/// for `.`, `..` and names starting with `...`.
fn root_name(name: &str) -> &str {
    if name == "." || name == ".." || name.starts_with("...") {
        return name;
    }
    let end = name.find('.').unwrap_or(name.len());
    &name[..end]
}

/// The directory name py-key-value's MultiDiskStore uses for `collection`
/// (`pathvalidate.sanitize_filename`, wire-format §5.13).
///
/// The result may be `""`, `.` or `..` (which [`directory_name`] rejects).
///
/// ```
/// use kv_store_disk::sanitize_filename;
/// assert_eq!(sanitize_filename("my coll/x:y"), "my collxy");
/// assert_eq!(sanitize_filename("con"), "con_");
/// assert_eq!(sanitize_filename(" lead"), "lead");
/// ```
pub fn sanitize_filename(collection: &str) -> String {
    let mut name: String = collection
        .chars()
        .filter(|c| !is_invalid_char(*c))
        .collect();
    if name.len() > MAX_BYTES {
        let mut end = MAX_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    if name.is_empty() {
        return name;
    }
    let root = root_name(&name);
    if is_reserved(root) || is_reserved(&name) {
        let root = root.to_owned();
        if root.is_empty() {
            return name;
        }
        return name.replace(&root, &format!("{root}_"));
    }
    if name == "." || name == ".." {
        return name;
    }
    if name.starts_with(' ') || name.ends_with(' ') || name.ends_with('.') {
        let trimmed = name.trim_start_matches(' ').trim_end_matches(' ');
        if trimmed == "." || trimmed == ".." {
            return trimmed.to_owned();
        }
        return trimmed.trim_end_matches([' ', '.']).to_owned();
    }
    name
}

/// The directory name for `collection`, or `InvalidKey` when it would be `""`, `.` or `..`
/// (the base directory itself or its parent).
///
/// ```
/// use kv_store_disk::directory_name;
/// assert_eq!(directory_name("users").unwrap(), "users");
/// assert!(directory_name("..").is_err());
/// assert!(directory_name("///").is_err());
/// ```
pub fn directory_name(collection: &str) -> Result<String> {
    let name = sanitize_filename(collection);
    if name.is_empty() || name == "." || name == ".." {
        return Err(Error::invalid_key(format!(
            "collection {collection:?} maps to the directory name {name:?}, which is not a directory of its own"
        )));
    }
    Ok(name)
}

/// The collection strategy of MultiDiskStore: stored name = [`directory_name`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DirectoryNames;

impl SanitizationStrategy for DirectoryNames {
    fn validate(&self, value: &str) -> Result<()> {
        directory_name(value).map(|_| ())
    }

    fn sanitize<'a>(&self, value: &'a str) -> Cow<'a, str> {
        let name = sanitize_filename(value);
        if name == value {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_vectors() {
        for (input, expected) in [
            ("my coll/x:y", "my collxy"),
            ("test_collection!@#$%^&*()", "test_collection!@#$%^&()"),
            ("con", "con_"),
            ("CON.tar.gz", "CON_.tar.gz"),
            ("lpt9.x", "lpt9_.x"),
            ("COM¹", "COM¹_"),
            (" lead", "lead"),
            ("x.", "x"),
            ("a..", "a"),
            ("a\u{7f}b", "ab"),
            ("tab\there", "tabhere"),
            ("default_collection", "default_collection"),
            // Checked against pathvalidate 3.3.1.
            ("..", ".."),
            (".", "."),
            ("...", ""),
            ("...con", "...con"),
            ("con.con", "con_.con_"),
            ("nul.txt.nul", "nul_.txt.nul_"),
            ("  ", ""),
            ("a. .", "a"),
            ("Con ", "Con"),
            (" con", "con"),
        ] {
            assert_eq!(sanitize_filename(input), expected, "{input:?}");
        }
        let long = "é".repeat(200);
        assert_eq!(sanitize_filename(&long), "é".repeat(127));
    }

    #[test]
    fn unsafe_results_are_rejected() {
        for bad in ["", ".", "..", "/", "//..", "...", "  ", "\u{0}", ":"] {
            assert!(directory_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(directory_name("../../etc").unwrap(), "....etc");
    }
}
