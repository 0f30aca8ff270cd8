//! Text helpers below every layer: putting user-supplied values into error messages safely, and
//! the one percent-decoder.

/// Longest user-supplied value quoted in a message, in characters.
const MAX_QUOTED_CHARS: usize = 64;

/// Shortens `value` for an error message and replaces control characters, so a hostile claim can
/// neither flood a log line nor forge a new one.
pub(crate) fn clip(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(MAX_QUOTED_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if value.chars().count() > MAX_QUOTED_CHARS {
        out.push('…');
    }
    out
}

/// A plain percent-decode of the whole value (every `%XX`, `+` kept as a plus), or `None` when the
/// decoded bytes are not UTF-8. Form decoding would be wrong for cookies and paths alike: it stops
/// at the first `&` and reads `+` as a space. Strict rather than lossy, so a value never turns
/// into a different text than the one that was encoded.
pub(crate) fn percent_decode(value: &str) -> Option<String> {
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_and_neutralises() {
        assert_eq!(clip("abc"), "abc");
        assert_eq!(clip("a\nb"), "a?b");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), MAX_QUOTED_CHARS + 1);
    }

    #[test]
    fn decodes_the_whole_value_strictly() {
        assert_eq!(
            percent_decode("%2Fa&%0d%0aX+Y").as_deref(),
            Some("/a&\r\nX+Y")
        );
        assert_eq!(percent_decode("%FF"), None);
    }
}
