//! `ADMIN_AUTH_MODE` / `TEAM_AUTH_MODE`: which credentials a service accepts.

use std::fmt;

/// Which kinds of credential are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuthMode {
    /// Opaque tokens only (the services' default).
    #[default]
    Token,
    /// OIDC tokens only.
    Oidc,
    /// Either.
    Both,
}

impl AuthMode {
    /// Parses `token`, `oidc` or `both` (case-insensitive).
    pub fn parse(value: &str) -> Option<AuthMode> {
        match value.trim().to_ascii_lowercase().as_str() {
            "token" => Some(AuthMode::Token),
            "oidc" => Some(AuthMode::Oidc),
            "both" => Some(AuthMode::Both),
            _ => None,
        }
    }

    /// The name, as written in the variable.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMode::Token => "token",
            AuthMode::Oidc => "oidc",
            AuthMode::Both => "both",
        }
    }

    /// Whether opaque tokens are accepted.
    pub const fn allows_token(self) -> bool {
        matches!(self, AuthMode::Token | AuthMode::Both)
    }

    /// Whether OIDC tokens are accepted.
    pub const fn allows_oidc(self) -> bool {
        matches!(self, AuthMode::Oidc | AuthMode::Both)
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
