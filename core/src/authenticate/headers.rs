//! The credentials a request carries, read from its headers.

use crate::login::cookies::{parse_cookie_header, unescape_value, SESSION_COOKIE};

/// The header carrying an admin token.
pub const ADMIN_TOKEN_HEADER: &str = "X-Admin-Token";
/// The header carrying a team token or an impersonation token (orchestrator → agent).
pub const TEAM_TOKEN_HEADER: &str = "X-IncidentFox-Team-Token";

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
            .finish()
    }
}

impl Credentials {
    /// Picks the credential headers out of `(name, value)` pairs; names match case-insensitively
    /// and the first occurrence of each wins.
    pub fn from_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Credentials {
        let mut found = Credentials::default();
        for (name, value) in headers {
            let slot = if name.eq_ignore_ascii_case("authorization") {
                &mut found.authorization
            } else if name.eq_ignore_ascii_case(ADMIN_TOKEN_HEADER) {
                &mut found.admin_token
            } else if name.eq_ignore_ascii_case(TEAM_TOKEN_HEADER) {
                &mut found.team_token
            } else if name.eq_ignore_ascii_case(super::INTERNAL_SERVICE_HEADER) {
                &mut found.internal_service
            } else if name.eq_ignore_ascii_case("cookie") {
                // Every `Cookie` header in order; the first session cookie wins.
                if found.session_cookie.is_none() {
                    found.session_cookie = parse_cookie_header(value)
                        .remove(SESSION_COOKIE)
                        .map(|v| unescape_value(&v));
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
    pub fn token(&self) -> Option<&str> {
        fn from_header(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|t| !t.is_empty())
        }
        let headers = [&self.authorization, &self.admin_token, &self.team_token];
        if headers.iter().all(|v| from_header(v).is_none()) {
            return from_header(&self.session_cookie);
        }
        self.authorization
            .as_deref()
            .and_then(super::bearer_token)
            .or_else(|| from_header(&self.admin_token))
            .or_else(|| from_header(&self.team_token))
    }
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
}
