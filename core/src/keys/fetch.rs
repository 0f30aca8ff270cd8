//! Fetching key sets and discovery documents over HTTP, with the limits a verifier needs.
//!
//! Only URLs from configuration are ever fetched — never one a token names. https is required
//! except for loopback hosts (local development and tests); redirects are not followed (a redirect
//! is how an open redirector on the IdP's host becomes SSRF); the body is capped and the whole
//! request has a deadline.

use crate::error::{err, ErrorCode, Result};
use crate::jose::json;
use crate::text::clip;
use serde_json::Value;
use std::net::IpAddr;
use std::time::Duration;
use url::{Host, Url};

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

/// Checks that `url` may be fetched: absolute, https (or http on a loopback host), no userinfo.
///
/// Errors show the URL without its user, password, query and fragment, where a configuration
/// may hide a secret; a URL that does not parse is shown only when it holds no `@`.
pub fn check_url(url: &str) -> Result<Url> {
    let bad = |why: &str| {
        err(
            ErrorCode::InvalidConfig,
            format!("url `{}` {why}", shown(url)),
        )
    };
    let parsed = Url::parse(url).map_err(|_| bad("is not an absolute url"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not carry credentials"));
    }
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(bad(
            "must use https (http is allowed only for loopback hosts)",
        )),
        _ => Err(bad("must use https")),
    }
}

/// `url` as an error message may show it (see [`check_url`]).
fn shown(url: &str) -> String {
    match Url::parse(url) {
        Ok(parsed)
            if parsed.username().is_empty()
                && parsed.password().is_none()
                && parsed.query().is_none()
                && parsed.fragment().is_none() =>
        {
            clip(url)
        }
        Ok(mut parsed) => {
            // Both fail only for URLs that cannot carry credentials at all.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            clip(parsed.as_str())
        }
        Err(_) if url.contains('@') => "<not shown>".to_owned(),
        Err(_) => clip(url),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// An HTTP client configured for key fetching.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: FetchLimits,
}

fn unavailable(url: &Url, why: impl std::fmt::Display) -> crate::Error {
    err(
        ErrorCode::JwksUnavailable,
        format!("fetching `{}` failed: {why}", shown(url.as_str())),
    )
}

impl Fetcher {
    /// Builds the client (rustls, no redirects, the given deadline).
    pub fn new(limits: FetchLimits) -> Result<Fetcher> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout)
            .user_agent(concat!("incidentfox-auth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| err(ErrorCode::InvalidConfig, format!("http client: {e}")))?;
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
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unavailable(url, describe(&e)))?
        {
            if body.len() + chunk.len() > cap {
                return Err(unavailable(url, format!("body is over {cap} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
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

fn describe(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "redirects are not followed"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else {
        "request error"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://idp.example.com/jwks").is_ok());
        assert!(check_url("http://127.0.0.1:8080/jwks").is_ok());
        assert!(check_url("http://127.1.2.3/jwks").is_ok());
        assert!(check_url("http://[::1]:9/jwks").is_ok());
        assert!(check_url("http://localhost/jwks").is_ok());
        assert!(check_url("http://idp.example.com/jwks").is_err());
        assert!(check_url("http://10.0.0.1/jwks").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("https://user:pw@idp.example.com/").is_err());
        assert!(check_url("/relative").is_err());
    }

    #[test]
    fn errors_never_show_credentials_in_a_url() {
        for url in [
            "https://user:hunter2-secret@idp.example.com/jwks",
            "http://user:hunter2-secret@idp.example.com/jwks",
            "ftp://idp.example.com/jwks?token=hunter2-secret",
            "http://idp.example.com/jwks?token=hunter2-secret#hunter2-secret",
            "htps//user:hunter2-secret@idp",
        ] {
            let message = check_url(url)
                .err()
                .map(|e| e.message().to_owned())
                .unwrap_or_default();
            assert!(!message.is_empty(), "{url} was accepted");
            assert!(!message.contains("hunter2"), "{message}");
        }
        let message = check_url("http://idp.example.com/jwks")
            .err()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(message.contains("idp.example.com"), "{message}");
    }
}
