//! The code exchange's transport for `openidconnect`: the crate's hardened client
//! (`crate::http`) with the token request's deadline and body cap, instead of `openidconnect`'s
//! own reqwest version.

use crate::http::{self, describe, BodyError};
use openidconnect::{HttpRequest, HttpResponse};
use std::time::Duration;

/// Deadline of a token request.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Largest token response read.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// A transport failure or a 5xx answer (the provider's OAuth error answers, 4xx, are ordinary
/// responses).
#[derive(Debug)]
pub struct TransportError(String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransportError {}

/// Builds the client.
pub fn client() -> crate::error::Result<reqwest::Client> {
    http::client(TIMEOUT)
}

/// Sends one request.
pub async fn send(
    client: reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, TransportError> {
    let (parts, body) = request.into_parts();
    let mut response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| TransportError(format!("token request failed: {}", describe(&e))))?;
    // OAuth error answers are 4xx; a 5xx is the provider (or the proxy in front of it) failing,
    // not refusing the code, so it is reported as a transport failure (`provider_unavailable`).
    if response.status().is_server_error() {
        return Err(TransportError(format!(
            "the token endpoint answered {}",
            response.status()
        )));
    }
    let mut builder = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let bytes = http::read_capped(&mut response, MAX_BODY_BYTES)
        .await
        .map_err(|e| match e {
            BodyError::Over => {
                TransportError(format!("token response is over {MAX_BODY_BYTES} bytes"))
            }
            BodyError::Read(e) => TransportError(format!("token response: {}", describe(&e))),
        })?;
    builder
        .body(bytes)
        .map_err(|e| TransportError(format!("token response: {e}")))
}
