//! Helpers for putting user-supplied values into error messages safely.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_and_neutralises() {
        assert_eq!(clip("abc"), "abc");
        assert_eq!(clip("a\nb"), "a?b");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), MAX_QUOTED_CHARS + 1);
    }
}
