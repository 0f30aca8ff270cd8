//! The HTTP client `openidconnect` uses for the code exchange: our reqwest (rustls), no
//! redirects, a deadline and a body cap, instead of the crate's own reqwest version.

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
pub fn client() -> crate::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent(concat!("incidentfox-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            crate::error::err(crate::ErrorCode::InvalidConfig, format!("http client: {e}"))
        })
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
        .map_err(|e| TransportError(format!("token request failed: {}", without_url(&e))))?;
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
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| TransportError(format!("token response: {}", without_url(&e))))?
    {
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(TransportError(format!(
                "token response is over {MAX_BODY_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    builder
        .body(bytes)
        .map_err(|e| TransportError(format!("token response: {e}")))
}

/// reqwest's message, without the URL (it may carry a code in its query).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "transport error".to_owned()
    }
}
