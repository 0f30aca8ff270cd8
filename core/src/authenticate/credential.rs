//! Telling credentials apart by shape, before any of them is trusted.

/// The shape of a presented credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialShape {
    /// Nothing was presented.
    Empty,
    /// No dot: the break-glass admin token.
    Opaque,
    /// One dot: a team or org-admin token (`<token_id>.<secret>`).
    TokenIdAndSecret,
    /// Two dots: a JWT.
    Jwt,
    /// Anything else; never valid.
    Unknown,
}

impl CredentialShape {
    /// Classifies `credential` by its number of dots, as the services do.
    pub fn of(credential: &str) -> CredentialShape {
        if credential.is_empty() {
            return CredentialShape::Empty;
        }
        match credential.bytes().filter(|b| *b == b'.').count() {
            0 => CredentialShape::Opaque,
            1 => CredentialShape::TokenIdAndSecret,
            2 => CredentialShape::Jwt,
            _ => CredentialShape::Unknown,
        }
    }
}

/// The token of an `Authorization` header value: the scheme `Bearer` is matched
/// case-insensitively and surrounding whitespace is dropped. `None` for other schemes or an
/// empty token.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let value = authorization.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(CredentialShape::of(""), CredentialShape::Empty);
        assert_eq!(CredentialShape::of("abc"), CredentialShape::Opaque);
        assert_eq!(
            CredentialShape::of("a.b"),
            CredentialShape::TokenIdAndSecret
        );
        assert_eq!(CredentialShape::of("a.b.c"), CredentialShape::Jwt);
        assert_eq!(CredentialShape::of("a.b.c.d"), CredentialShape::Unknown);
    }

    #[test]
    fn bearer_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer   abc "), Some("abc"));
        assert_eq!(bearer_token("BEARER abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer   "), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }
}
