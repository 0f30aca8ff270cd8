//! The credentials a request carries, read from its headers.

use super::session_cookie::SessionCookiePolicy;
use crate::cookie::{parse_cookie_header, unescape_value, SESSION_COOKIE};
use crate::error::Result;

/// The header carrying a bearer token (`Bearer <token>`, the scheme case-insensitive).
pub const AUTHORIZATION_HEADER: &str = "Authorization";
/// The header carrying an admin token.
pub const ADMIN_TOKEN_HEADER: &str = "X-Admin-Token";
/// The header carrying a team token or an impersonation token (orchestrator → agent).
pub const TEAM_TOKEN_HEADER: &str = "X-IncidentFox-Team-Token";

/// The header carrying the request's cookies, the session cookie
/// ([`SESSION_COOKIE`](crate::cookie::SESSION_COOKIE)) among them.
pub const COOKIE_HEADER: &str = "Cookie";
/// The header naming the origin of a request, which a [`SessionCookiePolicy`] may check.
pub const ORIGIN_HEADER: &str = "Origin";

/// Every header [`Credentials::from_headers`] reads, lowercase: what a framework adapter passes
/// on from a request (any other header is ignored). `Cookie` carries the session cookie and
/// `Origin` is what a [`SessionCookiePolicy`] checks before that cookie counts.
pub const CREDENTIAL_HEADERS: [&str; 6] = [
    "authorization",
    "x-admin-token",
    "x-incidentfox-team-token",
    "x-internal-service",
    "cookie",
    "origin",
];

/// The credential-bearing headers of one request.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// The `Authorization` header value.
    pub authorization: Option<String>,
    /// The `X-Admin-Token` header value.
    pub admin_token: Option<String>,
    /// The `X-IncidentFox-Team-Token` header value.
    pub team_token: Option<String>,
    /// The `X-Internal-Service` header value.
    pub internal_service: Option<String>,
    /// The web UI's session cookie (`incidentfox_session_token` in a `Cookie` header), a bearer
    /// token used when no header carries one.
    pub session_cookie: Option<String>,
    /// The `Origin` header value, which a [`SessionCookiePolicy`] may check.
    pub origin: Option<String>,
    /// The request's method (`GET`, `POST`, ...), when the caller gives it
    /// ([`Credentials::with_method`]); a [`SessionCookiePolicy`] may check it.
    pub method: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let present = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("Credentials")
            .field("authorization", &present(&self.authorization))
            .field("admin_token", &present(&self.admin_token))
            .field("team_token", &present(&self.team_token))
            .field("internal_service", &present(&self.internal_service))
            .field("session_cookie", &present(&self.session_cookie))
            .field("origin", &self.origin)
            .field("method", &self.method)
            .finish()
    }
}

impl Credentials {
    /// Picks the credential headers out of `(name, value)` pairs; names match case-insensitively
    /// and the first occurrence of each wins.
    pub fn from_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Credentials {
        let mut found = Credentials::default();
        for (name, value) in headers {
            let slot = if name.eq_ignore_ascii_case(AUTHORIZATION_HEADER) {
                &mut found.authorization
            } else if name.eq_ignore_ascii_case(ADMIN_TOKEN_HEADER) {
                &mut found.admin_token
            } else if name.eq_ignore_ascii_case(TEAM_TOKEN_HEADER) {
                &mut found.team_token
            } else if name.eq_ignore_ascii_case(super::INTERNAL_SERVICE_HEADER) {
                &mut found.internal_service
            } else if name.eq_ignore_ascii_case(ORIGIN_HEADER) {
                &mut found.origin
            } else if name.eq_ignore_ascii_case(COOKIE_HEADER) {
                // Every `Cookie` header in order; the first session cookie wins.
                if found.session_cookie.is_none() {
                    // A value that does not decode to text is passed on as sent: it is still a
                    // credential, refused as a malformed token, not read as no cookie at all.
                    found.session_cookie = parse_cookie_header(value)
                        .remove(SESSION_COOKIE)
                        .map(|v| unescape_value(&v).unwrap_or(v));
                }
                continue;
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(value.to_owned());
            }
        }
        found
    }

    /// [`from_headers`](Self::from_headers) for a request whose method (`GET`, `POST`, ...) is
    /// known or not: what a framework adapter has at hand. An unknown method is what a
    /// [`SessionCookiePolicy`] treats as unsafe.
    pub fn from_request<'a>(
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        method: Option<String>,
    ) -> Credentials {
        Credentials {
            method,
            ..Credentials::from_headers(headers)
        }
    }

    /// The same credentials, for a request with this method (`GET`, `POST`, ...).
    pub fn with_method(mut self, method: impl Into<String>) -> Credentials {
        self.method = Some(method.into());
        self
    }

    /// A bearer credential alone (`Authorization: Bearer <credential>`).
    pub fn bearer(credential: impl Into<String>) -> Credentials {
        Credentials {
            authorization: Some(format!("Bearer {}", credential.into())),
            ..Credentials::default()
        }
    }

    /// The token to authenticate: the `Authorization: Bearer` value, else `X-Admin-Token`, else
    /// `X-IncidentFox-Team-Token` (trimmed; empty values count as absent). The session cookie
    /// counts only when none of the three headers is present, as the web UI sends it.
    ///
    /// This is the cookie under [`SessionCookiePolicy::AnyRequest`]; [`Credentials::token_under`]
    /// applies a policy.
    pub fn token(&self) -> Option<&str> {
        if self.cookie_is_the_token() {
            return from_header(&self.session_cookie);
        }
        self.authorization
            .as_deref()
            .and_then(super::bearer_token)
            .or_else(|| from_header(&self.admin_token))
            .or_else(|| from_header(&self.team_token))
    }

    /// [`Credentials::token`], with the session cookie counting only when `policy` admits this
    /// request's method and `Origin`; a cookie it does not admit is `missing_credentials`, saying
    /// why (the request has no other credential).
    pub fn token_under(&self, policy: &SessionCookiePolicy) -> Result<Option<&str>> {
        let token = self.token();
        if token.is_some() && self.cookie_is_the_token() {
            policy.admit(self.method.as_deref(), self.origin.as_deref())?;
        }
        Ok(token)
    }

    /// Whether the token, if any, comes from the session cookie: no credential header is there.
    fn cookie_is_the_token(&self) -> bool {
        [&self.authorization, &self.admin_token, &self.team_token]
            .iter()
            .all(|v| from_header(v).is_none())
    }
}

/// A header value, trimmed; empty counts as absent.
fn from_header(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_headers_case_insensitively_in_order_of_precedence() {
        let c = Credentials::from_headers([
            ("x-incidentfox-team-token", "team.tok"),
            ("X-ADMIN-TOKEN", "admin"),
            ("content-type", "json"),
        ]);
        assert_eq!(c.token(), Some("admin"));
        let c =
            Credentials::from_headers([("AUTHORIZATION", "bearer a.b.c"), ("X-Admin-Token", "x")]);
        assert_eq!(c.token(), Some("a.b.c"));
        let c = Credentials::from_headers([
            ("Authorization", "Basic dXNlcg=="),
            ("X-IncidentFox-Team-Token", " t.s "),
        ]);
        assert_eq!(c.token(), Some("t.s"));
        assert_eq!(Credentials::default().token(), None);
        assert!(!format!("{:?}", Credentials::bearer("secret-value")).contains("secret-value"));
    }

    #[test]
    fn the_credential_headers_are_exactly_the_headers_read() {
        let named = [
            AUTHORIZATION_HEADER,
            ADMIN_TOKEN_HEADER,
            TEAM_TOKEN_HEADER,
            super::super::INTERNAL_SERVICE_HEADER,
            COOKIE_HEADER,
            ORIGIN_HEADER,
        ];
        assert_eq!(named.map(str::to_ascii_lowercase), CREDENTIAL_HEADERS);
        let cookie = format!("{SESSION_COOKIE}=v");
        for name in CREDENTIAL_HEADERS {
            let value = if name == "cookie" {
                cookie.as_str()
            } else {
                "v"
            };
            let found = Credentials::from_headers([(name, value)]);
            assert_ne!(found, Credentials::default(), "{name}");
        }
        for name in [
            "x-forwarded-for",
            "proxy-authorization",
            "set-cookie",
            "x-api-key",
        ] {
            let found = Credentials::from_headers([(name, cookie.as_str())]);
            assert_eq!(found, Credentials::default(), "{name}");
        }
    }

    #[test]
    fn the_session_cookie_is_the_token_only_when_no_header_carries_one() {
        let c = Credentials::from_headers([
            ("cookie", "theme=dark"),
            ("Cookie", "incidentfox_session_token=a%2Eb.c; other=1"),
            ("cookie", "incidentfox_session_token=later"),
        ]);
        assert_eq!(c.token(), Some("a.b.c"));
        assert!(!format!("{c:?}").contains("a.b.c"));
        let c = Credentials::from_headers([
            ("X-Admin-Token", "admin"),
            ("cookie", "incidentfox_session_token=t.s"),
        ]);
        assert_eq!(c.token(), Some("admin"));
        // Any token header present, even one that yields no token, keeps the cookie out.
        let c = Credentials::from_headers([
            ("Authorization", "Basic dXNlcg=="),
            ("cookie", "incidentfox_session_token=t.s"),
        ]);
        assert_eq!(c.token(), None);
        let c = Credentials::from_headers([("cookie", "incidentfox_session_token= ")]);
        assert_eq!(c.token(), None);
    }

    #[test]
    fn a_policy_decides_whether_the_cookie_counts_and_never_touches_headers() -> Result<()> {
        let cookie = ("Cookie", "incidentfox_session_token=t.s");
        let post = |headers: &[(&'static str, &'static str)]| {
            Credentials::from_headers(headers.iter().copied()).with_method("POST")
        };
        let same_origin = SessionCookiePolicy::same_origin("https://ui.example.com")?;
        let c = post(&[cookie, ("origin", "https://evil.example")]);
        assert_eq!(c.origin.as_deref(), Some("https://evil.example"));
        assert_eq!(c.method.as_deref(), Some("POST"));
        assert_eq!(
            c.token_under(&SessionCookiePolicy::AnyRequest)?,
            Some("t.s")
        );
        for policy in [&SessionCookiePolicy::SafeMethods, &same_origin] {
            let refused = c.token_under(policy).err().map(|e| e.code());
            assert_eq!(refused, Some(crate::error::ErrorCode::MissingCredentials));
        }
        let c = post(&[cookie, ("Origin", "https://ui.example.com")]);
        assert_eq!(c.token_under(&same_origin)?, Some("t.s"));
        let c = Credentials::from_headers([cookie]).with_method("GET");
        assert_eq!(
            c.token_under(&SessionCookiePolicy::SafeMethods)?,
            Some("t.s")
        );
        // A header credential is never the policy's business, nor is a request without a token.
        let c = post(&[cookie, ("Authorization", "Bearer a.b.c")]);
        assert_eq!(
            c.token_under(&SessionCookiePolicy::SafeMethods)?,
            Some("a.b.c")
        );
        let c = post(&[("origin", "https://evil.example")]);
        assert_eq!(c.token_under(&SessionCookiePolicy::SafeMethods)?, None);
        Ok(())
    }
}
