//! Random identifiers from the system CSPRNG (aws-lc-rs).

use crate::error::{err, ErrorCode, Result};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use std::fmt::Write;

/// `N` random bytes.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    SystemRandom::new().fill(&mut out).map_err(|_| {
        err(
            ErrorCode::InvalidConfig,
            "the system random generator failed",
        )
    })?;
    Ok(out)
}

/// A random UUID v4 as 32 lowercase hex digits, like Python's `uuid.uuid4().hex`.
pub(crate) fn uuid4_hex() -> Result<String> {
    let mut uuid = bytes::<16>()?;
    if let Some(b) = uuid.get_mut(6) {
        *b = (*b & 0x0f) | 0x40; // version 4
    }
    if let Some(b) = uuid.get_mut(8) {
        *b = (*b & 0x3f) | 0x80; // RFC 4122 variant
    }
    Ok(lower_hex(&uuid))
}

/// Lowercase hex of `bytes`.
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid4_hex_has_the_shape_of_python_uuid4_hex() {
        let a = uuid4_hex().unwrap_or_default();
        let b = uuid4_hex().unwrap_or_default();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_eq!(a.get(12..13), Some("4"));
        assert!(matches!(a.get(16..17), Some("8" | "9" | "a" | "b")));
        assert_eq!(lower_hex(&[0, 255, 16]), "00ff10");
    }
}
