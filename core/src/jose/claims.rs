//! Registered-claim readers and checks shared by every token kind: strict types for `exp`,
//! `nbf`, `iat`, `aud` and string claims, the time window, identifier hygiene and the groups
//! claim. OIDC and impersonation tokens both read their claims through here, so a claim means the
//! same thing whichever verifier reads it.

use crate::error::{err, ErrorCode, Result};
use crate::jose::json::Slot;
use crate::text::clip;
use crate::time::{at_or_before, before};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A claim's value as the rules read it, borrowed from a parsed map or from the slots of the
/// one-pass reader (`json::parse_fields`): one set of rules serves both readers.
#[derive(Clone, Copy)]
pub(crate) enum Claim<'a> {
    /// `null`.
    Null,
    /// A number; not finite when JSON's number cannot be held as a finite `f64`.
    Number(f64),
    /// A string.
    Str(&'a str),
    /// An array.
    Array(Items<'a>),
    /// A boolean or an object.
    Other,
}

impl<'a> Claim<'a> {
    /// The claim a parsed member holds.
    pub(crate) fn of_value(value: &'a Value) -> Claim<'a> {
        match value {
            Value::Null => Claim::Null,
            Value::Number(n) => Claim::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Claim::Str(s),
            Value::Array(items) => Claim::Array(Items::Values(items)),
            Value::Bool(_) | Value::Object(_) => Claim::Other,
        }
    }

    /// The claim a kept slot holds.
    pub(crate) fn of_slot(slot: &'a Slot<'a>) -> Claim<'a> {
        match slot {
            Slot::Null => Claim::Null,
            Slot::Number(v) => Claim::Number(*v),
            Slot::Str(s) => Claim::Str(s),
            Slot::Array(items) => Claim::Array(Items::Slots(items)),
            Slot::Bool | Slot::Object => Claim::Other,
        }
    }
}

/// The items of an array claim, from either reader.
#[derive(Clone, Copy)]
pub(crate) enum Items<'a> {
    /// A parsed array.
    Values(&'a [Value]),
    /// A kept array: each item the string it is, or `None`.
    Slots(&'a [Option<Cow<'a, str>>]),
}

impl<'a> Items<'a> {
    /// Each item as a string, `None` for an item of another type.
    fn strings(self) -> impl Iterator<Item = Option<&'a str>> {
        let (values, slots): (&[Value], &[Option<Cow<'a, str>>]) = match self {
            Items::Values(values) => (values, &[]),
            Items::Slots(slots) => (&[], slots),
        };
        values
            .iter()
            .map(Value::as_str)
            .chain(slots.iter().map(|s| s.as_deref()))
    }
}

/// Where the rules look claims up: a parsed map, or the one-pass reader's slots.
pub(crate) trait Claims {
    /// The member `name`, when present.
    fn claim(&self, name: &str) -> Option<Claim<'_>>;

    /// The groups claim named `claim`: a member name, or (where the reader supports it) a JSON
    /// pointer when it starts with `/`.
    fn groups_claim(&self, claim: &str) -> Option<Claim<'_>> {
        self.claim(claim)
    }
}

impl Claims for Map<String, Value> {
    fn claim(&self, name: &str) -> Option<Claim<'_>> {
        self.get(name).map(Claim::of_value)
    }

    fn groups_claim(&self, claim: &str) -> Option<Claim<'_>> {
        let value = if claim.starts_with('/') {
            lookup_pointer(self, claim)
        } else {
            self.get(claim)
        };
        value.map(Claim::of_value)
    }
}

/// Reads a NumericDate claim: absent is `None`; anything but a finite number is `invalid_claim`
/// (a string `exp` is never treated as absent).
pub(crate) fn date_claim(claim: Option<Claim<'_>>, name: &str) -> Result<Option<f64>> {
    match claim {
        None => Ok(None),
        Some(Claim::Number(v)) if v.is_finite() => Ok(Some(v)),
        Some(Claim::Number(_)) => Err(invalid(name, "is not a finite number")),
        Some(_) => Err(invalid(name, "is not a number")),
    }
}

/// Reads a string claim: absent is `None`; another type is `invalid_claim`.
pub(crate) fn text_claim<'a>(claim: Option<Claim<'a>>, name: &str) -> Result<Option<&'a str>> {
    match claim {
        None => Ok(None),
        Some(Claim::Str(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name, "is not a string")),
    }
}

/// A string claim where `null` counts as absent (IdPs send `"email": null`).
pub(crate) fn optional_text<'a>(claim: Option<Claim<'a>>, name: &str) -> Result<Option<&'a str>> {
    match claim {
        Some(Claim::Null) => Ok(None),
        claim => text_claim(claim, name),
    }
}

/// A string or an array of strings, read without collecting it.
#[derive(Clone, Copy)]
pub(crate) enum Strings<'a> {
    /// A single string.
    One(&'a str),
    /// An array whose items are all strings.
    Many(Items<'a>),
}

impl<'a> Strings<'a> {
    /// Each string.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many) = match self {
            Strings::One(s) => (Some(s), None),
            Strings::Many(items) => (None, Some(items)),
        };
        one.into_iter()
            .chain(many.into_iter().flat_map(Items::strings).flatten())
    }
}

/// The `aud` claim: a string or an array of strings.
pub(crate) fn audience_claim(claim: Option<Claim<'_>>) -> Result<Option<Strings<'_>>> {
    strings_claim(
        claim,
        "aud",
        "holds a non-string",
        "is neither a string nor an array of strings",
    )
}

/// A claim that is a string or an array of strings (`aud`, `scope`): absent is `None`; an
/// array holding anything else is `invalid_claim` with `holds`, any other type with `neither`.
pub(crate) fn strings_claim<'a>(
    claim: Option<Claim<'a>>,
    name: &str,
    holds: &str,
    neither: &str,
) -> Result<Option<Strings<'a>>> {
    match claim {
        None => Ok(None),
        Some(Claim::Str(s)) => Ok(Some(Strings::One(s))),
        Some(Claim::Array(items)) if items.strings().all(|s| s.is_some()) => {
            Ok(Some(Strings::Many(items)))
        }
        Some(Claim::Array(_)) => Err(invalid(name, holds)),
        Some(_) => Err(invalid(name, neither)),
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
pub(crate) fn check_times(claims: &impl Claims, now: f64, leeway: f64) -> Result<()> {
    check_times_of(
        date_claim(claims.claim("exp"), "exp")?,
        date_claim(claims.claim("nbf"), "nbf")?,
        date_claim(claims.claim("iat"), "iat")?,
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
pub(crate) fn groups(claims: &impl Claims, claim: &str) -> Result<Vec<String>> {
    match claims.groups_claim(claim) {
        None | Some(Claim::Null) => Ok(Vec::new()),
        Some(Claim::Str(s)) => Ok(vec![s.to_owned()]),
        Some(Claim::Array(items)) => items
            .strings()
            .map(|s| {
                s.map(str::to_owned)
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
