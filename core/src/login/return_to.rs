//! `return_to`: where to send the user after login — same-origin absolute paths only.

use percent_encoding::percent_decode_str;
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

/// `value` when it is a safe same-origin path, else `/`.
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
/// Decoding is a plain percent-decode of the whole value. Form decoding stops at the first `&`,
/// so it would check only what comes before it and pass the rest unchecked
/// (`/a&%0d%0aSet-Cookie:...`). A value that is not UTF-8 once decoded, that is longer than 2048
/// bytes, or that needs more than three rounds of decoding is refused.
pub fn sanitize_return_to(value: Option<&str>) -> String {
    match value {
        Some(v) if is_safe(v) => v.to_owned(),
        _ => DEFAULT_RETURN_TO.to_owned(),
    }
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
        let decoded = match percent_decode_str(&current).decode_utf8() {
            Ok(decoded) => decoded.into_owned(),
            Err(_) => return false,
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
            "/a/../b",
            "/@user",
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
