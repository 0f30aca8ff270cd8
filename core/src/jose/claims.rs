//! Registered-claim readers and checks shared by every token kind: strict types for `exp`,
//! `nbf`, `iat`, `aud` and string claims, the time window, identifier hygiene and the groups
//! claim. OIDC and impersonation tokens both read their claims through here, so a claim means the
//! same thing whichever verifier reads it.

use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use crate::time::{at_or_before, before};
use serde_json::{Map, Value};

/// Reads a NumericDate claim: absent is `None`; anything but a finite number is `invalid_claim`
/// (a string `exp` is never treated as absent).
pub fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>> {
    numeric_date_of(claims.get(name), name)
}

/// [`numeric_date`] of a member already looked up.
pub(crate) fn numeric_date_of(value: Option<&Value>, name: &str) -> Result<Option<f64>> {
    match value {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| invalid(name, "is not a finite number")),
        Some(_) => Err(invalid(name, "is not a number")),
    }
}

/// Reads a string claim: absent is `None`; another type is `invalid_claim`.
pub fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>> {
    string_claim_of(claims.get(name), name)
}

/// [`string_claim`] of a member already looked up.
pub(crate) fn string_claim_of<'a>(value: Option<&'a Value>, name: &str) -> Result<Option<&'a str>> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name, "is not a string")),
    }
}

/// The `aud` claim as a list: a string or an array of strings.
pub fn audiences(claims: &Map<String, Value>) -> Result<Option<Vec<&str>>> {
    audiences_of(claims.get("aud"))
}

/// [`audiences`] of the `aud` member already looked up.
pub(crate) fn audiences_of(value: Option<&Value>) -> Result<Option<Vec<&str>>> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.as_str()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| invalid("aud", "holds a non-string"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(invalid(
            "aud",
            "is neither a string nor an array of strings",
        )),
    }
}

/// An `invalid_claim` error naming the claim.
pub(crate) fn invalid(name: &str, why: &str) -> crate::error::Error {
    err(
        ErrorCode::InvalidClaim,
        format!("claim `{}` {why}", clip(name)),
    )
}

/// An identifier claim (a subject, an org, a team, a session): a string that is not blank and
/// holds no control character. A NUL or a line break in a subject would let one principal pass
/// for another wherever the value is logged, compared as C strings or written to a header.
pub(crate) fn identifier<'a>(name: &str, value: &'a str) -> Result<&'a str> {
    if value.trim().is_empty() {
        return Err(err(
            ErrorCode::InvalidClaim,
            format!("claim `{}` is empty", clip(name)),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(err(
            ErrorCode::InvalidClaim,
            format!("claim `{}` holds a control character", clip(name)),
        ));
    }
    Ok(value)
}

/// A `missing_claim` error naming the claim.
pub(crate) fn missing(name: &str) -> crate::error::Error {
    err(
        ErrorCode::MissingClaim,
        format!("claim `{}` is missing", clip(name)),
    )
}

/// The time checks shared by every token kind. Expired when `now >= exp + leeway`; not yet valid
/// when `nbf > now + leeway`; issued in the future when `iat > now + leeway`. Compared as f64,
/// so fractional NumericDates are not truncated.
///
/// Each test is written as "refuse unless the good case holds" (`!before(now, exp + leeway)`),
/// so a NaN on either side refuses instead of passing.
pub fn check_times(claims: &Map<String, Value>, now: f64, leeway: f64) -> Result<()> {
    check_times_of(
        numeric_date(claims, "exp")?,
        numeric_date(claims, "nbf")?,
        numeric_date(claims, "iat")?,
        now,
        leeway,
    )
}

/// [`check_times`] of the `exp`, `nbf` and `iat` already read.
pub(crate) fn check_times_of(
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    now: f64,
    leeway: f64,
) -> Result<()> {
    if let Some(exp) = exp {
        if !before(now, exp + leeway) {
            return Err(err(ErrorCode::TokenExpired, "token has expired (`exp`)"));
        }
    }
    if let Some(nbf) = nbf {
        if !at_or_before(nbf, now + leeway) {
            return Err(err(
                ErrorCode::TokenNotYetValid,
                "token is not valid yet (`nbf`)",
            ));
        }
    }
    if let Some(iat) = iat {
        if !at_or_before(iat, now + leeway) {
            return Err(err(
                ErrorCode::TokenIssuedInFuture,
                "token was issued in the future (`iat`)",
            ));
        }
    }
    Ok(())
}

/// The groups claim: a name, or a JSON pointer when it starts with `/`. A string is one group.
pub fn groups(claims: &Map<String, Value>, claim: &str) -> Result<Vec<String>> {
    let value = if claim.starts_with('/') {
        lookup_pointer(claims, claim)
    } else {
        claims.get(claim)
    };
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(claim, "holds a non-string group"))
            })
            .collect(),
        Some(_) => Err(invalid(claim, "is neither a string nor a list of strings")),
    }
}

fn lookup_pointer<'a>(claims: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let mut segments = pointer.split('/').skip(1);
    let first = unescape(segments.next()?);
    let mut value = claims.get(&first)?;
    for segment in segments {
        value = value.pointer(&format!("/{segment}"))?;
    }
    Some(value)
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_nan_anywhere_in_a_time_check_refuses() {
        let nan = f64::NAN;
        let code = |r: Result<()>| r.err().map(|e| e.code());
        assert_eq!(
            code(check_times_of(Some(100.0), None, None, nan, 0.0)),
            Some(ErrorCode::TokenExpired)
        );
        assert_eq!(
            code(check_times_of(Some(100.0), None, None, 50.0, nan)),
            Some(ErrorCode::TokenExpired)
        );
        assert_eq!(
            code(check_times_of(None, Some(10.0), None, nan, 0.0)),
            Some(ErrorCode::TokenNotYetValid)
        );
        assert_eq!(
            code(check_times_of(None, None, Some(10.0), nan, 0.0)),
            Some(ErrorCode::TokenIssuedInFuture)
        );
        assert_eq!(
            code(check_times_of(
                Some(100.0),
                Some(10.0),
                Some(10.0),
                50.0,
                0.0
            )),
            None
        );
    }

    #[test]
    fn groups_by_name_pointer_and_string() {
        let c = map(json!({"groups":["a","b"],"cognito:groups":"c",
            "realm_access":{"roles":["r1"]},"bad":[1]}));
        assert_eq!(
            groups(&c, "groups").ok(),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(groups(&c, "cognito:groups").ok(), Some(vec!["c".into()]));
        assert_eq!(
            groups(&c, "/realm_access/roles").ok(),
            Some(vec!["r1".into()])
        );
        assert_eq!(groups(&c, "/missing/x").ok(), Some(vec![]));
        assert_eq!(
            groups(&c, "bad").err().map(|e| e.code()),
            Some(ErrorCode::InvalidClaim)
        );
    }

    #[test]
    fn time_boundaries_are_exact() {
        let c = map(json!({"exp": 100.5}));
        assert!(check_times(&c, 100.4, 0.0).is_ok());
        assert_eq!(
            check_times(&c, 100.5, 0.0).err().map(|e| e.code()),
            Some(ErrorCode::TokenExpired)
        );
        assert!(check_times(&c, 110.0, 10.0).is_ok());
        let c = map(json!({"exp": "200"}));
        assert_eq!(
            check_times(&c, 1.0, 0.0).err().map(|e| e.code()),
            Some(ErrorCode::InvalidClaim)
        );
        let c = map(json!({"nbf": 50, "iat": 40}));
        assert_eq!(
            check_times(&c, 45.0, 0.0).err().map(|e| e.code()),
            Some(ErrorCode::TokenNotYetValid)
        );
        assert!(check_times(&c, 50.0, 0.0).is_ok());
        let c = map(json!({"iat": 60}));
        assert_eq!(
            check_times(&c, 50.0, 5.0).err().map(|e| e.code()),
            Some(ErrorCode::TokenIssuedInFuture)
        );
    }
}
