//! The size cap: the first check on any presented credential, before it is split, decoded,
//! hashed for a cache or allowed to drive a key fetch, so an oversized input costs one length
//! comparison whatever path it takes.

use crate::error::{err, ErrorCode, Result};

/// Largest credential read by default, in bytes: impersonation and team tokens always, OIDC
/// tokens unless `max_token_bytes` says otherwise.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// `token_too_large` when `token` is longer than `limit` bytes. The message gives the sizes only,
/// never the token.
pub(crate) fn check(token: &str, limit: usize) -> Result<()> {
    if token.len() > limit {
        return Err(err(
            ErrorCode::TokenTooLarge,
            format!(
                "token is {} bytes, over the {limit}-byte limit",
                token.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_only_what_is_over_the_limit() {
        assert!(check(&"a".repeat(MAX_TOKEN_BYTES), MAX_TOKEN_BYTES).is_ok());
        let e = check(&"a.".repeat(MAX_TOKEN_BYTES), MAX_TOKEN_BYTES).err();
        assert_eq!(e.as_ref().map(|e| e.code()), Some(ErrorCode::TokenTooLarge));
        assert!(e.is_some_and(|e| !e.message().contains("a.a.")));
        assert!(check("", 0).is_ok());
    }
}
