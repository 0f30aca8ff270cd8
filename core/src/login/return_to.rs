//! `return_to`: where to send the user after login — same-origin absolute paths only.

use url::Url;

/// Where to go when `return_to` is missing or unsafe.
pub const DEFAULT_RETURN_TO: &str = "/";

/// The longest `return_to` kept.
const MAX_LEN: usize = 2048;

/// How many times a value is percent-decoded while looking for its final form. A value that
/// still changes after this many decodings is refused: no page needs three layers of encoding,
/// and a checker that stops early would let the last layer through unchecked.
const MAX_DECODINGS: usize = 4;

/// Every candidate is resolved against this base and must keep its origin. `.invalid` is
/// reserved (RFC 2606), so no real host shares it: a path that stays on it stays on whichever
/// origin the app is served from.
const PROBE_BASE: &str = "https://return-to.invalid/";

/// `value` as a browser would navigate to it when it is a safe same-origin path, else `/`.
///
/// The whole value is percent-decoded, again and again until decoding changes nothing, and
/// every form along the way (the value itself included) must be a same-origin absolute path:
///
/// - it starts with `/` and contains no `//` anywhere: not scheme-relative (`//evil.example`),
///   and no absolute or scheme-relative URL tucked into a query for another redirect to follow
///   (`/redirect?to=https://evil.example`);
/// - no backslash (browsers read `/\evil.example` as `//evil.example`);
/// - no control character (a `\r\n` would split the `Location` header);
/// - resolved as a browser resolves a link, it stays on the page's origin.
///
/// What is returned is not the value itself but its WHATWG serialisation, the path, query and
/// fragment a browser would arrive at: dot segments resolved (`/a/../b` is `/b`; the checks
/// above judge what the browser will request, not a spelling it would rewrite) and every
/// character outside ASCII percent-encoded as UTF-8 (`/\u{3000}` is `/%E3%80%80`), so the result
/// is always a valid `Location` header value. Every rule is checked again on that result.
///
/// Decoding is a plain percent-decode of the whole value. Form decoding stops at the first `&`,
/// so it would check only what comes before it and pass the rest unchecked
/// (`/a&%0d%0aSet-Cookie:...`). A value that is not UTF-8 once decoded, that is longer than 2048
/// bytes (before or after serialisation), or that needs more than three rounds of decoding is
/// refused.
pub fn sanitize_return_to(value: Option<&str>) -> String {
    value
        .and_then(normalized)
        .unwrap_or_else(|| DEFAULT_RETURN_TO.to_owned())
}

/// The browser's form of `value` (see [`sanitize_return_to`]), when it and that form are safe.
fn normalized(value: &str) -> Option<String> {
    if !is_safe(value) {
        return None;
    }
    let base = Url::parse(PROBE_BASE).ok()?;
    let resolved = base.join(value).ok()?;
    let mut out = resolved.path().to_owned();
    if let Some(query) = resolved.query() {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = resolved.fragment() {
        out.push('#');
        out.push_str(fragment);
    }
    // Resolving can join what the checks saw apart (`/.//x` is `//x`): the result must pass
    // them on its own.
    is_safe(&out).then_some(out)
}

fn is_safe(value: &str) -> bool {
    if value.len() > MAX_LEN {
        return false;
    }
    let mut current = value.to_owned();
    for _ in 0..MAX_DECODINGS {
        if !is_same_origin_path(&current) {
            return false;
        }
        let Some(decoded) = crate::text::percent_decode(&current) else {
            return false;
        };
        if decoded == current {
            return true;
        }
        current = decoded;
    }
    false
}

fn is_same_origin_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && stays_on_origin(path)
}

/// What a browser would make of `path` as a link: the WHATWG parser (the `url` crate) resolves
/// it against [`PROBE_BASE`], and the result must have that origin and no credentials.
fn stays_on_origin(path: &str) -> bool {
    let Ok(base) = Url::parse(PROBE_BASE) else {
        return false;
    };
    base.join(path).is_ok_and(|resolved| {
        resolved.origin() == base.origin()
            && resolved.username().is_empty()
            && resolved.password().is_none()
    })
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
            "/search?q=a%26b&page=2",
            "/a+b",
            "/100%",
            "/caf%C3%A9",
            "/@user",
        ] {
            assert_eq!(sanitize_return_to(Some(ok)), ok, "{ok}");
        }
    }

    /// What comes back is where a browser would go: dot segments resolved, and everything
    /// outside ASCII percent-encoded, so it is always a valid `Location` header value.
    #[test]
    fn returns_the_path_a_browser_would_request() {
        for (given, expected) in [
            ("/a/../b", "/b"),
            ("/a/./b/", "/a/b/"),
            ("/a/%2e%2E/b", "/b"),
            ("/..", "/"),
            ("/a/..", "/"),
            ("/../../etc", "/etc"),
            ("/.", "/"),
            ("/\u{3000}", "/%E3%80%80"),
            ("/caf\u{e9}?q=\u{e9}#\u{e9}", "/caf%C3%A9?q=%C3%A9#%C3%A9"),
            ("/a b?c d#e f", "/a%20b?c%20d#e%20f"),
            ("/a?x='<>\"", "/a?x=%27%3C%3E%22"),
        ] {
            assert_eq!(sanitize_return_to(Some(given)), expected, "{given}");
        }
    }

    /// Resolving a dot segment must not make a scheme-relative path out of one the checks
    /// passed: each of these would arrive at `//evil.example` (another host for a client-side
    /// router, or for any later redirect that trusts a path).
    #[test]
    fn dot_segments_cannot_make_a_scheme_relative_path() {
        for bad in [
            "/.//evil.example",
            "/a/..//evil.example",
            "/%2e//evil.example",
            "/./%2Fevil.example",
            "/.%2F/evil.example",
            "/.\\/evil.example",
        ] {
            assert_eq!(sanitize_return_to(Some(bad)), "/", "{bad}");
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
            "/redirect?to=//evil.example",
        ] {
            assert_eq!(sanitize_return_to(Some(bad)), "/", "{bad}");
        }
        assert_eq!(sanitize_return_to(None), "/");
    }

    /// Both passed when decoding was form decoding: only the part before the first `&` was
    /// decoded and checked.
    #[test]
    fn the_whole_value_is_decoded_not_only_what_precedes_an_ampersand() {
        for bad in [
            "/redirect?x=1&to=https%3A%2F%2Fevil.example",
            "/a&%0d%0aSet-Cookie:%20x=1",
            "/a&b=%2F%2Fevil.example",
            "/a&%5Cevil",
            "/a=b&%2F%2Fevil.example",
        ] {
            assert_eq!(sanitize_return_to(Some(bad)), "/", "{bad}");
        }
    }

    #[test]
    fn encoded_and_double_encoded_forms_are_refused_like_the_plain_ones() {
        for bad in [
            "/%0A",
            "/%0d",
            "/%00",
            "/%7F",
            "/%C2%85",
            "/%5C",
            "/%255C",
            "/%25255C",
            "/%2F%2F",
            "/%252F%252F",
            "/x?next=%2F%2Fevil.example",
            "/x?next=https%253A%252F%252Fevil.example",
            "/%2525252F",
        ] {
            assert_eq!(sanitize_return_to(Some(bad)), "/", "{bad}");
        }
    }

    #[test]
    fn values_that_do_not_decode_to_text_or_are_too_long_are_refused() {
        assert_eq!(sanitize_return_to(Some("/%FF")), "/");
        assert_eq!(sanitize_return_to(Some("/%C3")), "/");
        let long = format!("/{}", "a".repeat(MAX_LEN));
        assert_eq!(sanitize_return_to(Some(&long)), "/");
        let longest = format!("/{}", "a".repeat(MAX_LEN - 1));
        assert_eq!(sanitize_return_to(Some(&longest)), longest);
    }

    #[test]
    fn up_to_three_layers_of_encoding_are_decoded_and_kept() {
        for ok in ["/a%2520b", "/a%252520b"] {
            assert_eq!(sanitize_return_to(Some(ok)), ok, "{ok}");
        }
        // A fourth layer is not looked into, so it is refused.
        assert_eq!(sanitize_return_to(Some("/a%25252520b")), "/");
    }
}
