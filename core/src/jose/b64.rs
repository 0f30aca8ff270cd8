//! Strict base64url: the unpadded alphabet of RFC 7515 §2, no whitespace, canonical trailing bits.
//!
//! Lenient decoders let one token have many spellings, which breaks caching by token hash and hides
//! tampering; the `base64` crate's `URL_SAFE_NO_PAD` engine already rejects padding, whitespace and
//! non-zero trailing bits, so this module only names that choice.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Decodes strict base64url; `None` on any deviation.
pub fn decode(input: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(input).ok()
}

/// Decodes strict base64url into `out`, under the same rules as [`decode`]; `None` on any
/// deviation, or when `out` may be too small (it must hold [`decoded_len_estimate`] bytes).
pub(crate) fn decode_into(input: &str, out: &mut [u8]) -> Option<usize> {
    URL_SAFE_NO_PAD.decode_slice(input, out).ok()
}

/// The most bytes `input_len` characters of base64 can decode to.
pub(crate) fn decoded_len_estimate(input_len: usize) -> usize {
    base64::decoded_len_estimate(input_len)
}

/// Encodes as unpadded base64url.
pub fn encode(input: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_padding_whitespace_and_non_canonical_bits() {
        assert_eq!(decode("Zm9v"), Some(b"foo".to_vec()));
        assert_eq!(decode("Zg"), Some(b"f".to_vec()));
        assert!(decode("Zg==").is_none());
        assert!(decode("Zm 9v").is_none());
        assert!(decode("Zm9v\n").is_none());
        // `Zh` decodes to `f` with non-zero trailing bits.
        assert!(decode("Zh").is_none());
        assert!(decode("Zm+v").is_none());
        assert!(decode("Zm/v").is_none());
    }
}
