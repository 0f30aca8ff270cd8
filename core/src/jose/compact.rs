//! Splitting and decoding a compact JWS without trusting any of it yet.

use super::header::{Header, HeaderFields, HeaderParams};
use super::{b64, json};
use crate::error::{err, ErrorCode, Result};
use std::borrow::Cow;
use std::cell::RefCell;

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
    let (h, p, s) = split(token)?;
    let header_bytes = decode_part(h, "header")?;
    let members = json::parse_object(&header_bytes)
        .map_err(|e| err(ErrorCode::TokenMalformed, format!("header {e}")))?;
    let header = Header::from_members(members)?;
    let (signing_input, payload, signature) = rest(token, h, p, s)?;
    Ok(CompactJws {
        header,
        signing_input,
        payload,
        signature,
    })
}

/// A compact JWS as the verifiers read it: [`CompactJws`] without the header's other members.
#[derive(Debug, Clone)]
pub(crate) struct Jws<'t> {
    /// The parameters of the validated protected header (borrowed from a [`KnownHeader`]).
    pub header: Cow<'t, HeaderParams>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes the signature covers.
    pub signing_input: &'t str,
    /// The decoded payload bytes (not yet parsed).
    pub payload: Vec<u8>,
    /// The decoded signature bytes.
    pub signature: Signature,
}

/// Headers up to this many decoded bytes are decoded on the stack; a JOSE header is some tens.
const HEADER_ON_STACK: usize = 256;

/// [`parse_compact`] with the same verdict and error for every token, reading the header without
/// building its map of members.
pub(crate) fn parse_jws(token: &str) -> Result<Jws<'_>> {
    let (h, p, s) = split(token)?;
    let header = Cow::Owned(remembered_header(h)?);
    body(token, header, h, p, s)
}

thread_local! {
    /// The last header segment this thread parsed, and its parameters. The tokens of one issuer
    /// carry a handful of headers (one per signing key), and the parse is a pure function of the
    /// segment's text, so the same text needs no second parse. Only a header that passed is kept.
    static LAST_HEADER: RefCell<Option<(String, HeaderParams)>> = const { RefCell::new(None) };
}

/// [`parse_header`], through this thread's [`LAST_HEADER`].
fn remembered_header(h: &str) -> Result<HeaderParams> {
    let last = |cell: &RefCell<Option<(String, HeaderParams)>>| {
        let last = cell.try_borrow().ok()?;
        let (segment, params) = last.as_ref()?;
        (segment == h).then(|| params.clone())
    };
    if let Some(params) = LAST_HEADER.try_with(last).ok().flatten() {
        return Ok(params);
    }
    let params = parse_header(h)?;
    if h.len() <= HEADER_SEGMENT_KEPT {
        // Nothing is kept when the thread is exiting (`try_with` fails) or the cell is busy.
        let _ = LAST_HEADER.try_with(|cell| {
            if let Ok(mut last) = cell.try_borrow_mut() {
                *last = Some((h.to_owned(), params.clone()));
            }
        });
    }
    Ok(params)
}

/// The longest header segment [`LAST_HEADER`] keeps (that of a header decoded on the stack).
const HEADER_SEGMENT_KEPT: usize = HEADER_ON_STACK * 4 / 3 + 4;

/// A header segment judged once: its exact base64url text and the parameters it parses to. A
/// verifier builds one for the header its own signer writes, so that the tokens it sees most
/// skip the header's parse.
#[derive(Debug, Clone)]
pub(crate) struct KnownHeader {
    segment: String,
    params: HeaderParams,
}

impl KnownHeader {
    /// The header whose JSON is exactly `header_json`, parsed under the same rules as any other.
    pub(crate) fn of_json(header_json: &[u8]) -> Result<KnownHeader> {
        Ok(KnownHeader {
            segment: b64::encode(header_json),
            params: header_params(header_json)?,
        })
    }
}

/// [`parse_jws`] with the same verdict and error for every token; a header segment that is
/// exactly `known`'s is not parsed again. The segment decodes to the same bytes every time, and
/// those bytes parse to the same parameters, so only the work differs.
pub(crate) fn parse_jws_known<'t>(token: &'t str, known: &'t KnownHeader) -> Result<Jws<'t>> {
    let (h, p, s) = split(token)?;
    let header = if h == known.segment {
        Cow::Borrowed(&known.params)
    } else {
        Cow::Owned(parse_header(h)?)
    };
    body(token, header, h, p, s)
}

/// The header segment `h`, decoded and judged.
fn parse_header(h: &str) -> Result<HeaderParams> {
    if h.is_empty() || b64::decoded_len_estimate(h.len()) > HEADER_ON_STACK {
        return header_params(&decode_part(h, "header")?);
    }
    let mut buffer = [0u8; HEADER_ON_STACK];
    let decoded = b64::decode_into(h, &mut buffer).and_then(|n| buffer.get(..n));
    let Some(decoded) = decoded else {
        return Err(not_base64url("header"));
    };
    header_params(decoded)
}

/// The JWS of `token` once its header passed.
fn body<'t>(
    token: &'t str,
    header: Cow<'t, HeaderParams>,
    h: &str,
    p: &str,
    s: &str,
) -> Result<Jws<'t>> {
    let (signing_input, payload) = signed(token, h, p)?;
    let signature = Signature::decode(s)?;
    Ok(Jws {
        header,
        signing_input,
        payload,
        signature,
    })
}

fn header_params(bytes: &[u8]) -> Result<HeaderParams> {
    let mut fields = HeaderFields::default();
    json::parse_fields(bytes, &mut fields)
        .map_err(|e| err(ErrorCode::TokenMalformed, format!("header {e}")))?;
    HeaderParams::from_fields(&fields)
}

/// The three parts of `token`.
fn split(token: &str) -> Result<(&str, &str, &str)> {
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
    Ok((h, p, s))
}

/// The signing input, payload and signature, once the header passed.
fn rest<'t>(token: &'t str, h: &str, p: &str, s: &str) -> Result<(&'t str, Vec<u8>, Vec<u8>)> {
    let (signing_input, payload) = signed(token, h, p)?;
    Ok((signing_input, payload, signature_vec(s)?))
}

/// The signing input and the decoded payload.
fn signed<'t>(token: &'t str, h: &str, p: &str) -> Result<(&'t str, Vec<u8>)> {
    // An empty payload is a valid JWS (RFC 7515 allows it); a JWT then fails at claims parsing.
    let payload = if p.is_empty() {
        Vec::new()
    } else {
        decode_part(p, "payload")?
    };
    let signing_input = token.get(..h.len() + 1 + p.len()).unwrap_or_default();
    Ok((signing_input, payload))
}

/// The decoded signature. An empty signature decodes to no bytes and fails verification later,
/// so that `alg: none` with its customary empty signature is reported as the algorithm problem
/// it is.
fn signature_vec(s: &str) -> Result<Vec<u8>> {
    if s.is_empty() {
        Ok(Vec::new())
    } else {
        decode_part(s, "signature")
    }
}

/// A decoded signature, held inline when it is as short as an HMAC, ECDSA P-256 or Ed25519 one.
#[derive(Clone)]
pub(crate) struct Signature {
    inline: [u8; SIGNATURE_INLINE],
    len: usize,
    heap: Vec<u8>,
}

/// Room for the base64 decoder's estimate of a 64-byte signature.
const SIGNATURE_INLINE: usize = 72;

impl Signature {
    fn decode(s: &str) -> Result<Signature> {
        let mut signature = Signature {
            inline: [0; SIGNATURE_INLINE],
            len: 0,
            heap: Vec::new(),
        };
        if s.is_empty() {
            return Ok(signature);
        }
        if b64::decoded_len_estimate(s.len()) > SIGNATURE_INLINE {
            signature.heap = decode_part(s, "signature")?;
        } else {
            signature.len = b64::decode_into(s, &mut signature.inline)
                .ok_or_else(|| not_base64url("signature"))?;
        }
        Ok(signature)
    }

    /// The signature's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            self.inline.get(..self.len).unwrap_or_default()
        } else {
            &self.heap
        }
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Signature").field(&self.bytes()).finish()
    }
}

fn decode_part(part: &str, name: &str) -> Result<Vec<u8>> {
    if part.is_empty() {
        return Err(err(
            ErrorCode::TokenMalformed,
            format!("token {name} is empty"),
        ));
    }
    b64::decode(part).ok_or_else(|| not_base64url(name))
}

fn not_base64url(name: &str) -> crate::error::Error {
    err(
        ErrorCode::TokenMalformed,
        format!("token {name} is not strict base64url"),
    )
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

    /// `parse_jws` must give `parse_compact`'s verdict and error for every token, and the same
    /// parameters and parts.
    ///
    /// So must `parse_jws` a second time (its header remembered), and `parse_jws_known` with the
    /// header the signer writes as the known one.
    fn jws_agrees(token: &str) -> std::result::Result<(), String> {
        let parts = |j: Jws<'_>| {
            let h = j.header.into_owned();
            (
                h.alg,
                h.kid,
                h.typ,
                j.signing_input.to_owned(),
                j.payload,
                j.signature.bytes().to_vec(),
            )
        };
        let fast = parse_jws(token).map(parts);
        // Again, now that this thread remembers the header if it passed.
        let remembered = parse_jws(token).map(parts);
        let known = signers_header();
        let via_known = parse_jws_known(token, &known).map(parts);
        let full = parse_compact(token).map(|j| {
            let h = j.header;
            (
                h.alg,
                h.kid,
                h.typ,
                j.signing_input.to_owned(),
                j.payload,
                j.signature,
            )
        });
        if fast == full && remembered == full && via_known == full {
            Ok(())
        } else {
            Err(format!(
                "parse_jws {fast:?} then {remembered:?}, parse_jws_known {via_known:?}, \
                 parse_compact {full:?}"
            ))
        }
    }

    fn signers_header() -> KnownHeader {
        let json = crate::jose::jwt_header(crate::jose::Algorithm::HS256, None);
        json.and_then(|json| KnownHeader::of_json(&json))
            .unwrap_or_else(|e| unreachable!("the signer's header parses: {e}"))
    }

    #[test]
    fn the_header_reader_agrees_with_the_header_map_on_chosen_cases() {
        let headers: &[&str] = &[
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"alg":"RS256","kid":"k1","typ":"at+jwt","zip":"DEF","x":{"y":[1,{}]}}"#,
            r#"{"\u0061lg":"HS256","kid":"\u00e9\n"}"#,
            r#"{"alg":"HS256","\u0061lg":"none"}"#,
            r#"{"alg":"HS256","jku":null}"#,
            r#"{"x5c":[],"jku":1,"alg":"HS256"}"#,
            r#"{"alg":"HS256","jwk":{"kty":"oct","kty":"oct"}}"#,
            r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
            r#"{"alg":"HS256","crit":[]}"#,
            r#"{"alg":"HS256","crit":[1,"exp"]}"#,
            r#"{"alg":"HS256","crit":[["exp"]]}"#,
            r#"{"alg":"HS256","crit":"exp"}"#,
            r#"{"alg":"HS256","crit":null,"b64":true}"#,
            r#"{"alg":"HS256","b64":true}"#,
            r#"{"alg":1}"#,
            r#"{"alg":null}"#,
            r#"{"alg":["HS256"]}"#,
            r#"{"kid":"k"}"#,
            r#"{"alg":"HS256","kid":1}"#,
            r#"{"alg":"HS256","typ":{}}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"HS256","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            r#"{"alg":"HS256","x":1e999}"#,
            r#"["alg"]"#,
            r#""HS256""#,
            r#"{"alg":"HS256"} "#,
            r#"{"alg":"HS256"}x"#,
            "",
        ];
        for header in headers {
            let h = b64::encode(header);
            for token in [
                format!("{h}.Zm9v.c2ln"),
                format!("{h}.Zm9v."),
                format!("{h}..c2ln"),
                format!("{h}.Zm9v=.c2ln"),
                format!("{h}.Zm9v.c2l"),
            ] {
                assert_eq!(jws_agrees(&token), Ok(()), "{header}");
            }
        }
        let long = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(400));
        assert_eq!(
            jws_agrees(&format!("{}.Zm9v.c2ln", b64::encode(&long))),
            Ok(())
        );
        let long_bad = format!(r#"{{"alg":"HS256","kid":"{}","kid":1}}"#, "k".repeat(400));
        assert_eq!(
            jws_agrees(&format!("{}.Zm9v.c2ln", b64::encode(&long_bad))),
            Ok(())
        );
        for token in [
            "",
            ".",
            "..",
            "...",
            "a.b.c",
            "Zm9v.Zm9v.Zm9v",
            "eyJ=.Zm9v.c2ln",
            "eyJhbGciOiJIUzI1NiJ9 .e30.c2ln",
        ] {
            assert_eq!(jws_agrees(token), Ok(()), "{token}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_header_reader_agrees_with_the_header_map_on_any_header(
            members in proptest::collection::vec((
                "(alg|kid|typ|crit|b64|jku|x5u|jwk|x5c|zip|\\\\u0061lg)",
                "(\"HS256\"|\"RS256\"|\"k\\\\u0031\"|1|null|true|\\[\\]|\\[\"b64\"\\]|\\[1,\"x\"\\]|\\{\\}|\\{\"a\":1,\"a\":1\\}|-2.5e3)",
            ), 0..8),
            trailing in "( |x|)",
        ) {
            let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let header = format!("{{{}}}{trailing}", body.join(","));
            let token = format!("{}.Zm9v.c2ln", b64::encode(&header));
            proptest::prop_assert_eq!(jws_agrees(&token), Ok(()));
        }

        #[test]
        fn the_header_reader_agrees_with_the_header_map_on_any_token(token in "[A-Za-z0-9_=+/ .-]{0,40}") {
            proptest::prop_assert_eq!(jws_agrees(&token), Ok(()));
        }

        /// Tokens that start with the known segment, whole or cut short or run on.
        #[test]
        fn the_known_header_agrees_with_parsing_it(cut in 0usize..40, rest in "[A-Za-z0-9_=+/ .-]{0,40}") {
            let segment = signers_header().segment;
            let head = segment.get(..cut.min(segment.len())).unwrap_or_default();
            for token in [format!("{segment}{rest}"), format!("{head}{rest}"), format!("{segment}.{rest}")] {
                proptest::prop_assert_eq!(jws_agrees(&token), Ok(()));
            }
        }
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
