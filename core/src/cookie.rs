//! The `Cookie` request header and cookie value escaping: read by the request path (the session
//! cookie as a bearer credential) and by the login flow (its state cookies), so it sits below both.

use std::collections::HashMap;

/// The session cookie the web UI sets after login (the web UI's name for it).
pub const SESSION_COOKIE: &str = "incidentfox_session_token";

/// Cookies from a `Cookie` request header (`a=1; b=2`); the first of a repeated name wins.
pub fn parse_cookie_header(header: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in header.split(';') {
        if let Some((name, value)) = pair.split_once('=') {
            out.entry(name.trim().to_owned())
                .or_insert_with(|| value.trim().trim_matches('"').to_owned());
        }
    }
    out
}

/// A cookie value as `encodeURIComponent` (and [`escape_value`]) escape it: every `%XX` of the
/// whole value decoded, `+` kept as a plus; `None` when the decoded bytes are not UTF-8.
pub fn unescape_value(value: &str) -> Option<String> {
    crate::text::percent_decode(value)
}

/// `value` with every byte but ASCII letters and digits escaped as `%XX`, so any text is a
/// valid cookie value and [`unescape_value`] gives it back.
pub fn escape_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_escaping_whole() {
        for value in [
            "/teams/42?tab=agents&x=1",
            "/a b+c",
            "/caf\u{e9}",
            "",
            "%2F",
        ] {
            let escaped = escape_value(value);
            assert!(escaped
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'%'));
            assert_eq!(unescape_value(&escaped).as_deref(), Some(value));
        }
        // The whole value, not only up to an `&`; a `+` is a plus.
        assert_eq!(
            unescape_value("%2Fa&%0d%0aX+Y").as_deref(),
            Some("/a&\r\nX+Y")
        );
        assert_eq!(unescape_value("%FF"), None);
    }

    #[test]
    fn parses_cookie_headers() {
        let c = parse_cookie_header("a=1; ifx_oidc_state=xyz ; a=2; junk; q=\"v\"");
        assert_eq!(c.get("a").map(String::as_str), Some("1"));
        assert_eq!(c.get("ifx_oidc_state").map(String::as_str), Some("xyz"));
        assert_eq!(c.get("q").map(String::as_str), Some("v"));
    }
}
