//! `return_to`: where to send the user after login — same-origin relative paths only.

/// Where to go when `return_to` is missing or unsafe.
pub const DEFAULT_RETURN_TO: &str = "/";

/// `value` when it is a safe same-origin path, else `/`.
///
/// Safe means: starts with a single `/`, and neither it nor its percent-decoded form has a
/// second leading `/` or `\` (protocol-relative `//evil.example`, `/\evil.example` which
/// browsers treat alike), a backslash anywhere, a scheme, or a control character. Decoding is
/// repeated so `%252F` tricks fail too.
pub fn sanitize_return_to(value: Option<&str>) -> String {
    match value {
        Some(v) if is_safe(v) => v.to_owned(),
        _ => DEFAULT_RETURN_TO.to_owned(),
    }
}

fn is_safe(value: &str) -> bool {
    if value.len() > 2048 {
        return false;
    }
    let mut current = value.to_owned();
    // A few rounds cover double and triple encoding; more would be an attack anyway.
    for _ in 0..4 {
        if !looks_safe(&current) {
            return false;
        }
        let decoded = percent_decode(&current);
        if decoded == current {
            return true;
        }
        current = decoded;
    }
    false
}

fn looks_safe(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && !path.contains("://")
}

fn percent_decode(value: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", value.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_same_origin_paths() {
        for ok in [
            "/",
            "/teams/42?tab=agents",
            "/a/b#frag",
            "/search?q=a%20b",
            "/a+b",
        ] {
            assert_eq!(sanitize_return_to(Some(ok)), ok, "{ok}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/%2Fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/\tevil",
            "/%0d%0aSet-Cookie:x=1",
            "/redirect?to=https://evil.example",
        ] {
            assert_eq!(sanitize_return_to(Some(bad)), "/", "{bad}");
        }
        assert_eq!(sanitize_return_to(None), "/");
    }
}
