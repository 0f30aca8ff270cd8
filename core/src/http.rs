//! The one hardened HTTP client every outbound request uses (key sets, discovery documents, the
//! login's code exchange): rustls, redirects never followed (a redirect is how an open redirector
//! on the IdP's host becomes SSRF), a deadline for the whole request, a capped body, and URLs
//! checked before they are fetched: https is required except for loopback hosts (local
//! development and tests).

use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use std::net::IpAddr;
use std::time::Duration;
use url::{Host, Url};

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
pub(crate) fn shown(url: &str) -> String {
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

/// A client with no redirects, `timeout` for connecting and for the whole request, and the
/// library's user agent.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("incidentfox-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| err(ErrorCode::InvalidConfig, format!("http client: {e}")))
}

/// Why a body was not read whole.
pub(crate) enum BodyError {
    /// The body is longer than the cap.
    Over,
    /// The transport failed while reading.
    Read(reqwest::Error),
}

/// Reads the body chunk by chunk, refusing it as soon as it would pass `cap` bytes, so a hostile
/// or broken server cannot make the library hold more than the cap.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> std::result::Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::Over);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport failure in words that never carry the URL (its query may hold a code or a
/// secret).
pub(crate) fn describe(e: &reqwest::Error) -> &'static str {
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
