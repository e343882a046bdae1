//! fred errors as kv errors: I/O is `Connection` (retryable), deadlines are `Timeout`,
//! `LOADING`/`BUSY`/`TRYAGAIN`/`CLUSTERDOWN`/`MASTERDOWN` are transient backend errors.

use fred::error::{Error as FredError, ErrorKind as FredKind};
use fred::prelude::{Client, ClientLike};
use kv_core::{Error, ErrorKind};

/// Maps a fred error (its message never holds credentials: fred reports server replies and
/// I/O errors, not the configuration).
pub(crate) fn from_fred(err: FredError) -> Error {
    let details = err.details().to_owned();
    let (kind, message) = match err.kind() {
        FredKind::IO | FredKind::Canceled => (
            ErrorKind::Connection,
            "lost or cannot open the connection to valkey",
        ),
        FredKind::Timeout => (ErrorKind::Timeout, "valkey did not answer in time"),
        FredKind::Auth => (
            ErrorKind::Setup,
            "valkey authentication failed: check the username and password",
        ),
        FredKind::Config | FredKind::Url => (ErrorKind::Setup, "invalid valkey configuration"),
        _ if details.starts_with("WRONGTYPE") => (
            ErrorKind::Deserialization,
            "the valkey key holds a value that is not a string",
        ),
        _ if details.starts_with("WRONGPASS") || details.starts_with("NOAUTH") => (
            ErrorKind::Setup,
            "valkey authentication failed: check the username and password",
        ),
        FredKind::Cluster | FredKind::Routing | FredKind::Backpressure => (
            ErrorKind::Backend { transient: true },
            "valkey cluster routing failed",
        ),
        _ if ["LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN"]
            .iter()
            .any(|code| details.starts_with(code)) =>
        {
            (ErrorKind::Backend { transient: true }, "valkey is busy")
        }
        _ => (
            ErrorKind::Backend { transient: false },
            "valkey command failed",
        ),
    };
    Error::new(kind, message).with_source(err)
}

/// Like [`from_fred`], for a command sent on `client`: a timeout while the client is no longer
/// connected is the lost connection it is (fred holds a command sent just before the server
/// went away until it reconnects or the command timeout passes), so it is reported as a
/// retryable `Connection` error rather than a `Timeout`. Pass the client the command ran on
/// (taking another from the pool would spend a turn of its round robin).
pub(crate) fn from_fred_on(client: &Client) -> impl Fn(FredError) -> Error + '_ {
    move |err| {
        if *err.kind() == FredKind::Timeout && !client.is_connected() {
            Error::new(
                ErrorKind::Connection,
                "lost the connection to valkey (the command timed out while reconnecting)",
            )
            .with_source(err)
        } else {
            from_fred(err)
        }
    }
}
