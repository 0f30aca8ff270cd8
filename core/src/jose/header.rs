//! The protected header and the rules every token's header must pass.

use super::json::{Fields, Slot};
use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use serde_json::{Map, Value};

/// Header parameters that would make the verifier fetch or trust key material named by the token
/// itself; a verifier that honours them lets the attacker choose the key.
const KEY_INJECTION_PARAMS: [&str; 4] = ["jku", "x5u", "jwk", "x5c"];

/// A validated JWS protected header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The `alg` string exactly as sent (checked against the allowlist later).
    pub alg: String,
    /// The `kid`, when present.
    pub kid: Option<String>,
    /// The `typ`, when present.
    pub typ: Option<String>,
    /// Every member, for callers that need more.
    pub members: Map<String, Value>,
}

impl Header {
    /// Applies the header rules to a parsed JSON object.
    pub fn from_members(members: Map<String, Value>) -> Result<Header> {
        for name in KEY_INJECTION_PARAMS {
            if members.contains_key(name) {
                return Err(err(
                    ErrorCode::ForbiddenHeader,
                    format!("header parameter `{name}` is not accepted"),
                ));
            }
        }
        check_crit(members.get("crit"))?;
        if members.contains_key("b64") {
            return Err(err(
                ErrorCode::ForbiddenHeader,
                "header parameter `b64` is not accepted",
            ));
        }
        let alg = match members.get("alg") {
            Some(Value::String(alg)) => alg.clone(),
            Some(_) => {
                return Err(err(
                    ErrorCode::TokenMalformed,
                    "header `alg` is not a string",
                ))
            }
            None => return Err(err(ErrorCode::TokenMalformed, "header has no `alg`")),
        };
        let kid = optional_string(&members, "kid")?;
        let typ = optional_string(&members, "typ")?;
        Ok(Header {
            alg,
            kid,
            typ,
            members,
        })
    }
}

/// The header members the rules read, as [`json::parse_fields`](super::json::parse_fields)
/// keeps them: the header is read without building a map.
#[derive(Default)]
pub(crate) struct HeaderFields<'a> {
    jku: Option<Slot<'a>>,
    x5u: Option<Slot<'a>>,
    jwk: Option<Slot<'a>>,
    x5c: Option<Slot<'a>>,
    crit: Option<Slot<'a>>,
    b64: Option<Slot<'a>>,
    alg: Option<Slot<'a>>,
    kid: Option<Slot<'a>>,
    typ: Option<Slot<'a>>,
}

impl<'a> Fields<'a> for HeaderFields<'a> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Slot<'a>>> {
        Some(match name {
            "jku" => &mut self.jku,
            "x5u" => &mut self.x5u,
            "jwk" => &mut self.jwk,
            "x5c" => &mut self.x5c,
            "crit" => &mut self.crit,
            "b64" => &mut self.b64,
            "alg" => &mut self.alg,
            "kid" => &mut self.kid,
            "typ" => &mut self.typ,
            _ => return None,
        })
    }
}

/// The parameters of a header that passed the rules, without its other members: what the
/// verifiers read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeaderParams {
    /// The `alg` string exactly as sent.
    pub alg: String,
    /// The `kid`, when present.
    pub kid: Option<String>,
    /// The `typ`, when present.
    pub typ: Option<String>,
}

impl HeaderParams {
    /// [`Header::from_members`]'s rules, in its order and with its errors, over the members
    /// [`HeaderFields`] kept.
    pub(crate) fn from_fields(fields: &HeaderFields<'_>) -> Result<HeaderParams> {
        let injected = [
            ("jku", &fields.jku),
            ("x5u", &fields.x5u),
            ("jwk", &fields.jwk),
            ("x5c", &fields.x5c),
        ];
        if let Some((name, _)) = injected.iter().find(|(_, slot)| slot.is_some()) {
            return Err(err(
                ErrorCode::ForbiddenHeader,
                format!("header parameter `{name}` is not accepted"),
            ));
        }
        check_crit_slot(fields.crit.as_ref())?;
        if fields.b64.is_some() {
            return Err(err(
                ErrorCode::ForbiddenHeader,
                "header parameter `b64` is not accepted",
            ));
        }
        let alg = match &fields.alg {
            Some(Slot::Str(alg)) => alg.as_ref().to_owned(),
            Some(_) => {
                return Err(err(
                    ErrorCode::TokenMalformed,
                    "header `alg` is not a string",
                ))
            }
            None => return Err(err(ErrorCode::TokenMalformed, "header has no `alg`")),
        };
        let kid = optional_slot_string(fields.kid.as_ref(), "kid")?;
        let typ = optional_slot_string(fields.typ.as_ref(), "typ")?;
        Ok(HeaderParams { alg, kid, typ })
    }
}

fn optional_slot_string(slot: Option<&Slot<'_>>, name: &str) -> Result<Option<String>> {
    match slot {
        None => Ok(None),
        Some(Slot::Str(s)) => Ok(Some(s.as_ref().to_owned())),
        Some(_) => Err(err(
            ErrorCode::TokenMalformed,
            format!("header `{name}` is not a string"),
        )),
    }
}

/// [`check_crit`] over a kept member.
fn check_crit_slot(crit: Option<&Slot<'_>>) -> Result<()> {
    let Some(crit) = crit else { return Ok(()) };
    let Slot::Array(names) = crit else {
        return Err(err(
            ErrorCode::TokenMalformed,
            "header `crit` is not an array",
        ));
    };
    match names.first() {
        None => Err(err(ErrorCode::TokenMalformed, "header `crit` is empty")),
        Some(Some(name)) => Err(err(
            ErrorCode::UnsupportedCriticalHeader,
            format!(
                "critical header extension `{}` is not supported",
                clip(name)
            ),
        )),
        Some(None) => Err(err(
            ErrorCode::TokenMalformed,
            "header `crit` holds a non-string",
        )),
    }
}

fn optional_string(members: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err(
            ErrorCode::TokenMalformed,
            format!("header `{name}` is not a string"),
        )),
    }
}

/// The library implements no JWS extension, so any name in `crit` is one it cannot honour
/// (RFC 7515 §4.1.11 then requires rejection).
fn check_crit(crit: Option<&Value>) -> Result<()> {
    let Some(crit) = crit else { return Ok(()) };
    let Value::Array(names) = crit else {
        return Err(err(
            ErrorCode::TokenMalformed,
            "header `crit` is not an array",
        ));
    };
    let Some(first) = names.first() else {
        return Err(err(ErrorCode::TokenMalformed, "header `crit` is empty"));
    };
    match first {
        Value::String(name) => Err(err(
            ErrorCode::UnsupportedCriticalHeader,
            format!(
                "critical header extension `{}` is not supported",
                clip(name)
            ),
        )),
        _ => Err(err(
            ErrorCode::TokenMalformed,
            "header `crit` holds a non-string",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(v: Value) -> Result<Header> {
        match v {
            Value::Object(m) => Header::from_members(m),
            _ => Err(err(ErrorCode::TokenMalformed, "test")),
        }
    }

    fn code(v: Value) -> Option<ErrorCode> {
        header(v).err().map(|e| e.code())
    }

    #[test]
    fn applies_the_edge_rules() {
        assert!(header(json!({"alg":"RS256","kid":"k"})).is_ok());
        assert_eq!(
            code(json!({"alg":"RS256","jku":"x"})),
            Some(ErrorCode::ForbiddenHeader)
        );
        assert_eq!(
            code(json!({"alg":"RS256","x5c":[]})),
            Some(ErrorCode::ForbiddenHeader)
        );
        assert_eq!(
            code(json!({"alg":"RS256","b64":false})),
            Some(ErrorCode::ForbiddenHeader)
        );
        assert_eq!(
            code(json!({"alg":"RS256","b64":false,"crit":["b64"]})),
            Some(ErrorCode::UnsupportedCriticalHeader)
        );
        assert_eq!(
            code(json!({"alg":"RS256","crit":["exp"]})),
            Some(ErrorCode::UnsupportedCriticalHeader)
        );
        assert_eq!(
            code(json!({"alg":"RS256","crit":[]})),
            Some(ErrorCode::TokenMalformed)
        );
        assert_eq!(code(json!({"kid":"k"})), Some(ErrorCode::TokenMalformed));
        assert_eq!(code(json!({"alg":5})), Some(ErrorCode::TokenMalformed));
        assert_eq!(
            code(json!({"alg":"RS256","kid":1})),
            Some(ErrorCode::TokenMalformed)
        );
    }
}
