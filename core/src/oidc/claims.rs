//! The OIDC claim rules (issuer, audience, required claims, `max_age`) and the identity read
//! from verified claims; the registered-claim readers they stand on live in `jose::claims`.

use super::config::{ClaimNames, OidcConfig};
use crate::error::{err, ErrorCode, Result};
use crate::jose::claims::{
    audiences, check_times, groups, identifier, invalid, missing, numeric_date, string_claim,
};
use crate::text::clip;
use crate::time::at_or_before;
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
            crate::oidc::KeySource::Inline(String::new()),
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
            crate::oidc::KeySource::Inline(String::new()),
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
}
