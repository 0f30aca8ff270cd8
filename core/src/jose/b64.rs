//! Strict base64url: the unpadded alphabet of RFC 7515 §2, no whitespace, canonical trailing bits.
//!
//! Lenient decoders let one token have many spellings, which breaks caching by token hash and hides
//! tampering. `base64-simd`'s `URL_SAFE_NO_PAD` rejects padding, whitespace, the standard
//! alphabet's `+` and `/`, impossible lengths and non-zero trailing bits, so this module only names
//! that choice. It decodes with the CPU's vector instructions (picked at run time), several times
//! faster than a scalar decoder: a token's payload and signature are decoded on every
//! verification. A property test holds it to the `base64` crate's strict engine on every input.

use base64_simd::URL_SAFE_NO_PAD;

/// Decodes strict base64url; `None` on any deviation.
pub fn decode(input: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode_to_vec(input).ok()
}

/// Decodes strict base64url into `out`, under the same rules as [`decode`]; `None` on any
/// deviation, or when `out` is too small for the decoded bytes.
pub(crate) fn decode_into(input: &str, out: &mut [u8]) -> Option<usize> {
    // The exact length first: the decoder requires room for it (and would panic without).
    let len = URL_SAFE_NO_PAD.decoded_length(input.as_bytes()).ok()?;
    let out = out.get_mut(..len)?;
    URL_SAFE_NO_PAD
        .decode(input.as_bytes(), base64_simd::Out::from_slice(out))
        .ok()
        .map(|decoded| decoded.len())
}

/// The most bytes `input_len` characters of base64 can decode to.
pub(crate) fn decoded_len_estimate(input_len: usize) -> usize {
    URL_SAFE_NO_PAD.estimated_decoded_length(input_len)
}

/// Encodes as unpadded base64url.
pub fn encode(input: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode_to_string(input)
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
        assert!(decode("Z").is_none());
    }

    #[test]
    fn decode_into_refuses_a_short_buffer_without_panicking() {
        let mut room = [0u8; 2];
        assert_eq!(decode_into("Zm9v", &mut room), None);
        let mut room = [0u8; 3];
        assert_eq!(decode_into("Zm9v", &mut room), Some(3));
        assert_eq!(&room, b"foo");
    }

    /// Characters a decoder must tell apart: the alphabet, the other alphabet's two, padding,
    /// whitespace and a non-ASCII letter.
    const CHARS: &str = "[A-Za-z0-9_+/=\\- \\n\\té]{0,80}";

    proptest::proptest! {
        /// Same verdict and bytes as the `base64` crate's strict unpadded engine, on any text.
        #[test]
        fn agrees_with_the_base64_crate(text in CHARS) {
            use base64::Engine;
            let reference = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&text).ok();
            proptest::prop_assert_eq!(decode(&text), reference.clone());
            let mut room = [0u8; 64];
            let into = decode_into(&text, &mut room).and_then(|n| room.get(..n).map(<[u8]>::to_vec));
            proptest::prop_assert_eq!(into, reference.filter(|bytes| bytes.len() <= 64));
        }

        /// Encoding then decoding gives the bytes back, and the text is the `base64` crate's.
        #[test]
        fn round_trips(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            use base64::Engine;
            let text = encode(&bytes);
            proptest::prop_assert_eq!(&text, &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
            proptest::prop_assert_eq!(decode(&text), Some(bytes));
        }
    }
}
