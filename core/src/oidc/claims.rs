//! Registered-claim checks with strict types, and the identity read from verified claims.

use super::config::{ClaimNames, OidcConfig};
use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use crate::time::{at_or_before, before};
use serde::Serialize;
use serde_json::{Map, Value};

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Identity {
    /// The subject claim.
    pub subject: String,
    /// The email claim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The groups claim as a list (a single string counts as one group; absent is empty).
    pub groups: Vec<String>,
    /// The organisation claim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The team claim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_node_id: Option<String>,
}

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

pub(crate) fn invalid(name: &str, why: &str) -> crate::Error {
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

pub(crate) fn missing(name: &str) -> crate::Error {
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

/// Every OIDC claim rule, in this order: registered claim types, required claims, issuer,
/// audience, times, `max_age`.
pub fn check_oidc_claims(claims: &Map<String, Value>, config: &OidcConfig, now: f64) -> Result<()> {
    // Types first, so a wrongly typed claim is reported as such rather than as missing.
    for name in ["exp", "nbf", "iat"] {
        numeric_date(claims, name)?;
    }
    for name in ["iss", "sub", "jti"] {
        string_claim(claims, name)?;
    }
    let aud = audiences(claims)?;
    for name in config.required() {
        if !claims.contains_key(name) {
            return Err(missing(name));
        }
    }
    let subject = &config.claims.subject;
    if let Some(value) = string_claim(claims, subject)? {
        identifier(subject, value)?;
    }
    match string_claim(claims, "iss")? {
        None => return Err(missing("iss")),
        Some(iss) if iss != config.issuer => {
            return Err(err(
                ErrorCode::InvalidIssuer,
                format!("issuer `{}` is not the configured issuer", clip(iss)),
            ))
        }
        Some(_) => {}
    }
    let Some(aud) = aud else {
        return Err(missing("aud"));
    };
    if !aud.iter().any(|a| config.audiences.iter().any(|c| c == a)) {
        return Err(err(
            ErrorCode::InvalidAudience,
            "audience does not include a configured audience",
        ));
    }
    check_times(claims, now, config.leeway)?;
    if let Some(max_age) = config.max_age {
        let iat = numeric_date(claims, "iat")?.ok_or_else(|| missing("iat"))?;
        if !at_or_before(now - iat, max_age.as_secs_f64() + config.leeway) {
            return Err(err(
                ErrorCode::TokenExpired,
                "token is older than the configured max_age (`iat`)",
            ));
        }
    }
    Ok(())
}

/// Reads the identity from verified claims with the configured names.
pub fn identity(claims: &Map<String, Value>, names: &ClaimNames) -> Result<Identity> {
    let subject = string_claim(claims, &names.subject)?
        .ok_or_else(|| missing(&names.subject))?
        .to_owned();
    Ok(Identity {
        subject,
        email: optional_text(claims, &names.email)?,
        groups: groups(claims, &names.groups)?,
        org_id: optional_text(claims, &names.org_id)?,
        team_node_id: optional_text(claims, &names.team_node_id)?,
    })
}

/// A string claim where `null` counts as absent (IdPs send `"email": null`).
fn optional_text(claims: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(name, "is not a string")),
    }
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
    fn required_claims_add_to_exp_and_the_subject() {
        let config = OidcConfig::new(
            "https://idp",
            "aud",
            crate::KeySource::Inline(String::new()),
        )
        .with_required_claims(vec!["email".into()]);
        let base =
            json!({"iss": "https://idp", "aud": "aud", "sub": "u", "email": "e", "exp": 2000});
        let without = |name: &str| {
            let mut claims = map(base.clone());
            claims.remove(name);
            check_oidc_claims(&claims, &config, 1000.0)
                .err()
                .map(|e| (e.code(), e.message().to_owned()))
        };
        assert_eq!(
            check_oidc_claims(&map(base.clone()), &config, 1000.0).ok(),
            Some(())
        );
        for name in ["exp", "sub", "email"] {
            let refused = without(name);
            assert_eq!(
                refused.as_ref().map(|r| r.0),
                Some(ErrorCode::MissingClaim),
                "{name}"
            );
            assert!(refused.is_some_and(|r| r.1.contains(name)), "{name}");
        }
        // Only the named opt-out drops `exp`.
        let optional = config.with_exp_optional(true);
        let mut claims = map(base);
        claims.remove("exp");
        assert_eq!(check_oidc_claims(&claims, &optional, 1000.0).ok(), Some(()));
    }

    #[test]
    fn a_subject_must_be_a_clean_identifier() {
        let config = OidcConfig::new(
            "https://idp",
            "aud",
            crate::KeySource::Inline(String::new()),
        );
        for subject in ["alice\u{0}admin", "alice\nadmin", "", "  ", "a\u{7f}"] {
            let claims =
                map(json!({"iss": "https://idp", "aud": "aud", "sub": subject, "exp": 2000}));
            let refused = check_oidc_claims(&claims, &config, 1000.0).err();
            assert_eq!(
                refused.map(|e| e.code()),
                Some(ErrorCode::InvalidClaim),
                "{subject:?}"
            );
        }
        let named = config.with_claim_names(ClaimNames {
            subject: "oid".into(),
            ..ClaimNames::default()
        });
        let claims = map(
            json!({"iss": "https://idp", "aud": "aud", "sub": "x", "oid": "a\u{0}", "exp": 2000}),
        );
        assert!(check_oidc_claims(&claims, &named, 1000.0).is_err());
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
