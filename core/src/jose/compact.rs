//! Splitting and decoding a compact JWS without trusting any of it yet.

use super::{b64, header::Header, json};
use crate::error::{err, ErrorCode, Result};

/// A compact JWS whose parts decoded under the strict rules; the signature is not yet checked.
#[derive(Debug, Clone)]
pub struct CompactJws<'t> {
    /// The validated protected header.
    pub header: Header,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes the signature covers.
    pub signing_input: &'t str,
    /// The decoded payload bytes (not yet parsed).
    pub payload: Vec<u8>,
    /// The decoded signature bytes.
    pub signature: Vec<u8>,
}

/// Parses `token` as `header.payload.signature`, each strict base64url, the header a strict JSON
/// object that passes [`Header::from_members`].
///
/// The caller enforces the size cap first, so that no work is spent on an oversized token.
pub fn parse_compact(token: &str) -> Result<CompactJws<'_>> {
    if token.is_empty() {
        return Err(err(ErrorCode::TokenMalformed, "token is empty"));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err(
            ErrorCode::TokenMalformed,
            "token is not three base64url parts separated by dots",
        ));
    };
    let header_bytes = decode_part(h, "header")?;
    let members = json::parse_object(&header_bytes)
        .map_err(|e| err(ErrorCode::TokenMalformed, format!("header {e}")))?;
    let header = Header::from_members(members)?;
    // An empty payload is a valid JWS (RFC 7515 allows it); a JWT then fails at claims parsing.
    let payload = if p.is_empty() {
        Vec::new()
    } else {
        decode_part(p, "payload")?
    };
    // An empty signature decodes to no bytes and fails verification later, so that `alg: none`
    // with its customary empty signature is reported as the algorithm problem it is.
    let signature = if s.is_empty() {
        Vec::new()
    } else {
        decode_part(s, "signature")?
    };
    let signing_input = token.get(..h.len() + 1 + p.len()).unwrap_or_default();
    Ok(CompactJws {
        header,
        signing_input,
        payload,
        signature,
    })
}

fn decode_part(part: &str, name: &str) -> Result<Vec<u8>> {
    if part.is_empty() {
        return Err(err(
            ErrorCode::TokenMalformed,
            format!("token {name} is empty"),
        ));
    }
    b64::decode(part).ok_or_else(|| {
        err(
            ErrorCode::TokenMalformed,
            format!("token {name} is not strict base64url"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(token: &str) -> Option<ErrorCode> {
        parse_compact(token).err().map(|e| e.code())
    }

    #[test]
    fn splits_well_formed_tokens() {
        let h = b64::encode(br#"{"alg":"RS256"}"#);
        let token = format!("{h}.Zm9v.c2ln");
        let jws = parse_compact(&token);
        assert!(jws.is_ok_and(|j| j.payload == b"foo"
            && j.signature == b"sig"
            && j.signing_input == format!("{h}.Zm9v")));
    }

    #[test]
    fn rejects_bad_shapes() {
        let h = b64::encode(br#"{"alg":"RS256"}"#);
        assert_eq!(code(""), Some(ErrorCode::TokenMalformed));
        assert_eq!(code(&format!("{h}.Zm9v")), Some(ErrorCode::TokenMalformed));
        assert_eq!(
            code(&format!("{h}.Zm9v.c2ln.")),
            Some(ErrorCode::TokenMalformed)
        );
        assert!(parse_compact(&format!("{h}.Zm9v.")).is_ok_and(|j| j.signature.is_empty()));
        assert_eq!(
            code(&format!("{h}=.Zm9v.c2ln")),
            Some(ErrorCode::TokenMalformed)
        );
        assert_eq!(
            code(&format!("{h}.Zm9v .c2ln")),
            Some(ErrorCode::TokenMalformed)
        );
        let dup = b64::encode(br#"{"alg":"RS256","alg":"none"}"#);
        assert_eq!(
            code(&format!("{dup}.Zm9v.c2ln")),
            Some(ErrorCode::TokenMalformed)
        );
        let arr = b64::encode(b"[]");
        assert_eq!(
            code(&format!("{arr}.Zm9v.c2ln")),
            Some(ErrorCode::TokenMalformed)
        );
    }
}
