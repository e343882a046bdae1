//! One request helper over the elasticsearch client's transport: method, path, query, body →
//! status and bytes, with transport errors mapped once.

use std::time::Duration;

use elasticsearch::http::headers::{HeaderMap, HeaderValue, CONTENT_TYPE};
use elasticsearch::http::Method;
use elasticsearch::Elasticsearch;
use kv_core::codec::strict;
use kv_core::{Error, Result};
use serde_json::Value;

use crate::error::{from_status, from_transport};

/// A status and the body bytes of one response.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, rejecting integers serde_json would turn into floats.
    pub fn json(&self) -> Result<Value> {
        strict::parse_value(&self.body)
    }

    /// The body as JSON if the status is 2xx, else the mapped error for `what`.
    pub fn success(self, what: &str) -> Result<Value> {
        if !self.ok() {
            return Err(self.error(what));
        }
        self.json()
    }

    /// The error for this (unexpected) status.
    pub fn error(&self, what: &str) -> Error {
        from_status(self.status, &self.body, what)
    }

    /// `error.type` of an error body (`index_not_found_exception`, …).
    pub fn error_type(&self) -> Option<String> {
        let v: Value = serde_json::from_slice(&self.body).ok()?;
        crate::error::error_type(v.get("error"))
    }
}

/// The client plus the per-request deadline.
#[derive(Clone)]
pub(crate) struct Http {
    pub client: Elasticsearch,
    pub timeout: Option<Duration>,
}

/// A request body and its content type.
pub(crate) enum Body {
    None,
    Json(String),
    NdJson(String),
}

impl Http {
    /// Sends one request; any response (404, 409 included) is `Ok`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Body,
    ) -> Result<Reply> {
        let mut headers = HeaderMap::new();
        let body = match body {
            Body::None => None,
            Body::Json(text) => Some(text),
            Body::NdJson(text) => {
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-ndjson"),
                );
                Some(text)
            }
        };
        let query = (!query.is_empty()).then_some(query);
        let response = self
            .client
            .send(method, path, headers, query, body, self.timeout)
            .await
            .map_err(from_transport)?;
        let status = response.status_code().as_u16();
        let body = response.bytes().await.map_err(from_transport)?;
        Ok(Reply {
            status,
            body: body.to_vec(),
        })
    }
}

/// Percent-encodes one path segment (an index name or a document id).
///
/// Everything but `A-Z a-z 0-9 - _ . ~` is encoded, so `/`, `?`, `#`, spaces and non-ASCII
/// keys address the right document.
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
        assert_eq!(super::segment("ok-_.~1"), "ok-_.~1");
    }
}
