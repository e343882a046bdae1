//! Bytes on the wire: canonical JSON, the entry envelope and strict JSON reading.

pub mod canonical;
pub mod envelope;
pub mod redis;
pub mod strict;
