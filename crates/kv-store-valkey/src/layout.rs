//! The Valkey layout shared with py-key-value; it lives in `kv_core::codec::redis` because
//! Redis and Valkey data are byte-identical.

pub(crate) use kv_core::codec::redis::{
    collection_pattern, decode, encode, entry_px, is_library_value, key as valkey_key,
};
