//! When the web UI's session cookie counts as a request's credential.
//!
//! The cookie (`incidentfox_session_token`) holds a bearer token, and a browser attaches it to
//! every request to the host by itself, including requests another site makes it send: that is
//! cross-site request forgery. `SameSite=Lax` keeps it off cross-site subrequests and cross-site
//! POSTs in current browsers, but not off requests from the same site (a sibling subdomain), and
//! not in browsers that ignore `SameSite`. A [`SessionCookiePolicy`] narrows when the cookie
//! counts; a request refused by it can still authenticate with a header, which no other site can
//! make a browser send.

use crate::config::EnvReader;
use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use url::Url;

/// The variable choosing the policy.
pub const SESSION_COOKIE_CSRF_VAR: &str = "SESSION_COOKIE_CSRF";

/// When the session cookie counts as the request's credential (it only ever does when no
/// credential header is present).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SessionCookiePolicy {
    /// For every request, whatever its method and origin: `SameSite=Lax` is the only defence
    /// (`SESSION_COOKIE_CSRF=off`, the default, which is how the services have always read the
    /// cookie).
    #[default]
    AnyRequest,
    /// Only for `GET`, `HEAD` and `OPTIONS`, which must not change anything
    /// (`SESSION_COOKIE_CSRF=safe_methods`).
    SafeMethods,
    /// For `GET`, `HEAD` and `OPTIONS`, and for any other method whose `Origin` header is exactly
    /// this origin (`SESSION_COOKIE_CSRF=origin`, the origin of `WEB_UI_PUBLIC_BASE_URL`).
    /// Browsers send `Origin` with every non-`GET` request and other sites cannot set it; a
    /// request without one is refused.
    SameOrigin(String),
}

/// The methods a forged request cannot use to change anything (RFC 9110 §9.2.1), as sent:
/// methods are case-sensitive, so `get` is not `GET`.
const SAFE_METHODS: [&str; 3] = ["GET", "HEAD", "OPTIONS"];

impl SessionCookiePolicy {
    /// [`SessionCookiePolicy::SameOrigin`] with the origin of `base_url` (the web UI's public
    /// base URL, `https://ui.example.com`); `invalid_config` unless it is an http(s) URL.
    pub fn same_origin(base_url: &str) -> Result<SessionCookiePolicy> {
        let origin = Url::parse(base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
            .map(|u| u.origin().ascii_serialization())
            .ok_or_else(|| {
                err(
                    ErrorCode::InvalidConfig,
                    format!("`{}` is not an http(s) url", clip(base_url)),
                )
            })?;
        Ok(SessionCookiePolicy::SameOrigin(origin))
    }

    /// The value of `SESSION_COOKIE_CSRF` for this policy.
    pub fn name(&self) -> &'static str {
        match self {
            SessionCookiePolicy::AnyRequest => "off",
            SessionCookiePolicy::SafeMethods => "safe_methods",
            SessionCookiePolicy::SameOrigin(_) => "origin",
        }
    }

    /// `Ok` when the session cookie counts for a request with this method and `Origin` header;
    /// else `missing_credentials`, saying why. An unknown method is not a safe one.
    pub fn admit(&self, method: Option<&str>, origin: Option<&str>) -> Result<()> {
        let safe = method.is_some_and(|m| SAFE_METHODS.contains(&m));
        let allowed = match self {
            SessionCookiePolicy::AnyRequest => true,
            SessionCookiePolicy::SafeMethods => safe,
            SessionCookiePolicy::SameOrigin(expected) => {
                safe || origin.is_some_and(|o| o.trim() == expected)
            }
        };
        if allowed {
            return Ok(());
        }
        let method = match method {
            Some(m) => format!("a `{}` request", clip(m)),
            None => "a request whose method was not given".to_owned(),
        };
        let origin = match (self, origin) {
            (SessionCookiePolicy::SameOrigin(_), Some(o)) => {
                format!(" from origin `{}`", clip(o.trim()))
            }
            (SessionCookiePolicy::SameOrigin(_), None) => " without an `Origin` header".to_owned(),
            _ => String::new(),
        };
        Err(err(
            ErrorCode::MissingCredentials,
            format!(
                "the session cookie is not a credential for {method}{origin} \
                 ({SESSION_COOKIE_CSRF_VAR}={}): send `Authorization: Bearer <token>`",
                self.name()
            ),
        ))
    }
}

/// `SESSION_COOKIE_CSRF`: `off` (default), `safe_methods` or `origin` (which takes its origin
/// from `WEB_UI_PUBLIC_BASE_URL`, then required).
pub(crate) fn read_session_cookie_policy(env: &mut EnvReader<'_>) -> SessionCookiePolicy {
    let name = env
        .text_or(SESSION_COOKIE_CSRF_VAR, "off")
        .to_ascii_lowercase();
    match name.as_str() {
        "off" => SessionCookiePolicy::AnyRequest,
        "safe_methods" => SessionCookiePolicy::SafeMethods,
        "origin" => match env.text("WEB_UI_PUBLIC_BASE_URL") {
            None => {
                env.problem(format!(
                    "{SESSION_COOKIE_CSRF_VAR}=origin needs WEB_UI_PUBLIC_BASE_URL, the origin \
                     the web UI is served from"
                ));
                // Refuses the cookie for every unsafe method until the origin is known.
                SessionCookiePolicy::SafeMethods
            }
            Some(base) => SessionCookiePolicy::same_origin(&base).unwrap_or_else(|e| {
                env.problem(format!(
                    "WEB_UI_PUBLIC_BASE_URL (for {SESSION_COOKIE_CSRF_VAR}=origin): {}",
                    e.message()
                ));
                SessionCookiePolicy::SafeMethods
            }),
        },
        _ => {
            env.problem(format!(
                "{SESSION_COOKIE_CSRF_VAR} must be off, safe_methods or origin, got `{}`",
                clip(&name)
            ));
            SessionCookiePolicy::SafeMethods
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&'static str, &'static str)]) -> Result<SessionCookiePolicy> {
        let source: HashMap<&str, &str> = vars.iter().copied().collect();
        let mut env = EnvReader::new(&source);
        let policy = read_session_cookie_policy(&mut env);
        env.finish(policy)
    }

    fn refusal(policy: &SessionCookiePolicy, method: Option<&str>, origin: Option<&str>) -> String {
        match policy.admit(method, origin) {
            Ok(()) => String::new(),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::MissingCredentials);
                e.message().to_owned()
            }
        }
    }

    #[test]
    fn off_admits_every_request() {
        let off = SessionCookiePolicy::default();
        for method in [Some("GET"), Some("POST"), Some("DELETE"), None] {
            assert!(off.admit(method, Some("https://evil.example")).is_ok());
            assert!(off.admit(method, None).is_ok());
        }
    }

    #[test]
    fn safe_methods_admits_get_head_and_options_only() {
        let policy = SessionCookiePolicy::SafeMethods;
        for method in ["GET", "HEAD", "OPTIONS"] {
            assert!(policy.admit(Some(method), None).is_ok(), "{method}");
        }
        for method in ["POST", "PUT", "PATCH", "DELETE", "get", "TRACE", ""] {
            let message = refusal(&policy, Some(method), Some("https://ui.example.com"));
            assert!(
                message.contains("SESSION_COOKIE_CSRF=safe_methods"),
                "{method}: {message}"
            );
        }
        let message = refusal(&policy, None, None);
        assert!(
            message.contains("a request whose method was not given"),
            "{message}"
        );
    }

    #[test]
    fn origin_admits_other_methods_only_from_the_web_uis_origin() -> Result<()> {
        let policy = SessionCookiePolicy::same_origin("https://UI.example.com:443/app/")?;
        assert_eq!(
            policy,
            SessionCookiePolicy::SameOrigin("https://ui.example.com".into())
        );
        assert!(policy.admit(Some("GET"), None).is_ok());
        assert!(policy
            .admit(Some("GET"), Some("https://evil.example"))
            .is_ok());
        assert!(policy
            .admit(Some("POST"), Some("https://ui.example.com"))
            .is_ok());
        assert!(policy.admit(None, Some("https://ui.example.com")).is_ok());
        for (origin, says) in [
            (
                Some("https://evil.example"),
                "from origin `https://evil.example`",
            ),
            (Some("https://ui.example.com.evil.example"), "from origin"),
            (Some("http://ui.example.com"), "from origin"),
            (Some("https://ui.example.com:8443"), "from origin"),
            (Some("https://api.example.com"), "from origin"),
            (Some("null"), "from origin `null`"),
            (Some(""), "from origin ``"),
            (None, "without an `Origin` header"),
        ] {
            let message = refusal(&policy, Some("POST"), origin);
            assert!(message.contains(says), "{origin:?}: {message}");
            assert!(message.contains("SESSION_COOKIE_CSRF=origin"), "{message}");
        }
        Ok(())
    }

    #[test]
    fn reads_the_variable_and_names_it_in_every_problem() -> Result<()> {
        assert_eq!(read(&[])?, SessionCookiePolicy::AnyRequest);
        assert_eq!(
            read(&[("SESSION_COOKIE_CSRF", "off")])?,
            SessionCookiePolicy::AnyRequest
        );
        assert_eq!(
            read(&[("SESSION_COOKIE_CSRF", "safe_methods")])?,
            SessionCookiePolicy::SafeMethods
        );
        assert_eq!(
            read(&[
                ("SESSION_COOKIE_CSRF", "Origin"),
                ("WEB_UI_PUBLIC_BASE_URL", "https://ui.example.com/"),
            ])?,
            SessionCookiePolicy::SameOrigin("https://ui.example.com".into())
        );
        for (vars, needle) in [
            (
                vec![("SESSION_COOKIE_CSRF", "strict")],
                "SESSION_COOKIE_CSRF must be off, safe_methods or origin, got `strict`",
            ),
            (
                vec![("SESSION_COOKIE_CSRF", "origin")],
                "SESSION_COOKIE_CSRF=origin needs WEB_UI_PUBLIC_BASE_URL",
            ),
            (
                vec![
                    ("SESSION_COOKIE_CSRF", "origin"),
                    ("WEB_UI_PUBLIC_BASE_URL", "ui.example.com"),
                ],
                "WEB_UI_PUBLIC_BASE_URL (for SESSION_COOKIE_CSRF=origin): `ui.example.com` is not",
            ),
        ] {
            let message = read(&vars).err().map(|e| e.message().to_owned());
            assert!(
                message.as_deref().is_some_and(|m| m.contains(needle)),
                "{vars:?}: {message:?}"
            );
        }
        Ok(())
    }
}
