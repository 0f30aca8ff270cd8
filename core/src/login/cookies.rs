//! The login cookies: the web UI's names and attributes, plus the nonce and `return_to`.

/// The `state` cookie (the web UI's name): the state, then `.` and the required role when the login
/// asked for one, so the role belongs to this login attempt and no other.
pub const STATE_COOKIE: &str = "ifx_oidc_state";
/// The PKCE verifier cookie (the web UI's name).
pub const VERIFIER_COOKIE: &str = "ifx_oidc_verifier";
/// The web UI's required-role cookie. No longer set: a cookie of its own outlived the login that set
/// it and applied to the next one. Still cleared at the callback, so one an earlier version set
/// goes away.
pub const REQUIRE_ROLE_COOKIE: &str = "ifx_oidc_require_role";
/// The nonce cookie (new: the web UI's flow has no nonce).
pub const NONCE_COOKIE: &str = "ifx_oidc_nonce";
/// Where to go after login (new).
pub const RETURN_TO_COOKIE: &str = "ifx_oidc_return_to";
/// Login cookies live this long, in seconds (as in the web UI).
pub const LOGIN_COOKIE_MAX_AGE: u64 = 600;
/// The session cookie lives this long, in seconds (7 days, as in the web UI).
pub const SESSION_COOKIE_MAX_AGE: u64 = 7 * 24 * 3600;
/// The path of the login cookies: only the callback ever sees them.
pub const CALLBACK_PATH: &str = "/api/auth/callback";

/// A cookie to set (or clear, with max-age 0), with the web UI's attributes.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct SetCookie {
    /// Name.
    pub name: String,
    /// Value (empty when clearing).
    pub value: String,
    /// `Path`.
    pub path: String,
    /// `Max-Age` in seconds (0 clears).
    pub max_age: u64,
    /// `HttpOnly` (always true for these cookies).
    pub http_only: bool,
    /// `Secure` (per [`LoginConfig::cookie_secure`](super::LoginConfig::cookie_secure)).
    pub secure: bool,
    /// `SameSite` (always `Lax`: the provider's redirect back is a top-level navigation).
    pub same_site: &'static str,
}

impl std::fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetCookie")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .field("path", &self.path)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl SetCookie {
    /// A login cookie scoped to the callback path.
    pub fn login(name: &str, value: String, secure: bool) -> SetCookie {
        SetCookie {
            name: name.to_owned(),
            value,
            path: CALLBACK_PATH.to_owned(),
            max_age: LOGIN_COOKIE_MAX_AGE,
            http_only: true,
            secure,
            same_site: "Lax",
        }
    }

    /// The same cookie, cleared.
    pub fn cleared(mut self) -> SetCookie {
        self.value = String::new();
        self.max_age = 0;
        self
    }

    /// The `Set-Cookie` header value.
    pub fn header_value(&self) -> String {
        let mut out = format!(
            "{}={}; Path={}; Max-Age={}; SameSite={}",
            self.name, self.value, self.path, self.max_age, self.same_site
        );
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        if self.secure {
            out.push_str("; Secure");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_uis_attributes() {
        let c = SetCookie::login(STATE_COOKIE, "abc".into(), false);
        assert_eq!(
            c.header_value(),
            "ifx_oidc_state=abc; Path=/api/auth/callback; Max-Age=600; SameSite=Lax; HttpOnly"
        );
        let c = SetCookie::login(STATE_COOKIE, "abc".into(), true).cleared();
        assert_eq!(
            c.header_value(),
            "ifx_oidc_state=; Path=/api/auth/callback; Max-Age=0; SameSite=Lax; HttpOnly; Secure"
        );
        assert!(!format!("{c:?}").contains("abc"));
    }
}
