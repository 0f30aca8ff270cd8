//! Fetching key sets and discovery documents over HTTP, with the limits a verifier needs.
//!
//! Only URLs from configuration are ever fetched — never one a token names. The client, the URL
//! rule and the body cap are the crate's one hardened HTTP client (`crate::http`).

use crate::error::{err, ErrorCode, Result};
use crate::http::{self, check_url, describe, BodyError};
use crate::jose::json;
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// Limits for one HTTP fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    /// Deadline for the whole request, connect to last byte.
    pub timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            timeout: Duration::from_secs(3),
            max_body_bytes: 1024 * 1024,
        }
    }
}

/// An HTTP client configured for key fetching.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: FetchLimits,
}

fn unavailable(url: &Url, why: impl std::fmt::Display) -> crate::error::Error {
    err(
        ErrorCode::JwksUnavailable,
        format!("fetching `{}` failed: {why}", http::shown(url.as_str())),
    )
}

impl Fetcher {
    /// Builds the client (rustls, no redirects, the given deadline).
    pub fn new(limits: FetchLimits) -> Result<Fetcher> {
        let client = http::client(limits.timeout)?;
        Ok(Fetcher { client, limits })
    }

    /// GETs `url` and returns the body: status 200 only, body within the cap.
    pub async fn get(&self, url: &Url) -> Result<Vec<u8>> {
        let mut response = self
            .client
            .get(url.clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| unavailable(url, describe(&e)))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(unavailable(url, format!("status {}", status.as_u16())));
        }
        let cap = self.limits.max_body_bytes;
        if response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(unavailable(url, format!("body is over {cap} bytes")));
        }
        http::read_capped(&mut response, cap)
            .await
            .map_err(|e| match e {
                BodyError::Over => unavailable(url, format!("body is over {cap} bytes")),
                BodyError::Read(e) => unavailable(url, describe(&e)),
            })
    }

    /// Reads `<issuer>/.well-known/openid-configuration` and returns its `jwks_uri`, after checking
    /// that the document names the same issuer (OpenID Connect Discovery §4.3).
    pub async fn discover_jwks_uri(&self, issuer: &str) -> Result<Url> {
        let base = issuer.trim_end_matches('/');
        let url = check_url(&format!("{base}/.well-known/openid-configuration"))?;
        let body = self.get(&url).await?;
        let document = json::parse_object(&body)
            .map_err(|e| unavailable(&url, format!("discovery document {e}")))?;
        match document.get("issuer") {
            Some(Value::String(found)) if found == issuer => {}
            _ => {
                return Err(unavailable(
                    &url,
                    "discovery document names a different issuer",
                ))
            }
        }
        let Some(Value::String(jwks_uri)) = document.get("jwks_uri") else {
            return Err(unavailable(&url, "discovery document has no `jwks_uri`"));
        };
        check_url(jwks_uri).map_err(|e| unavailable(&url, e.message()))
    }
}
