//! The claim sets of impersonation and visitor tokens, exactly as today's services write them,
//! and the checks a verified token must pass.

use super::config::{ImpersonationConfig, ISSUER};
use crate::error::{err, ErrorCode, Result};
use crate::jti::JtiEntry;
use crate::oidc::claims::{audiences, check_times, numeric_date, string_claim};
use crate::permissions::Permission;
use crate::principal::{AuthKind, Principal, Role};
use crate::text::clip;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The scope every impersonation and visitor token must carry.
pub const TEAM_READ: &str = "team:read";
/// The longest `jti` accepted (the `impersonation_jtis.jti` column is varchar(64)).
pub const MAX_JTI_CHARS: usize = 64;

/// Which of the two token kinds (`ifx_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An admin acting as a team.
    TeamImpersonation,
    /// An anonymous visitor of a shared team.
    Visitor,
}

impl TokenKind {
    /// The `ifx_kind` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenKind::TeamImpersonation => "team_impersonation",
            TokenKind::Visitor => "visitor",
        }
    }

    /// The scopes minted for this kind.
    pub const fn scopes(self) -> &'static [&'static str] {
        match self {
            TokenKind::TeamImpersonation => &["team:read"],
            TokenKind::Visitor => &["team:read", "agent:invoke"],
        }
    }
}

/// Today's team-impersonation claims, in today's order; `email: null` when unknown.
pub(crate) fn impersonation_claims(config: &ImpersonationConfig, entry: &JtiEntry) -> Value {
    json!({
        "iss": ISSUER, "aud": config.audience, "sub": entry.subject, "email": entry.email,
        "org_id": entry.org_id, "team_node_id": entry.team_node_id,
        "ifx_kind": TokenKind::TeamImpersonation.as_str(),
        "scope": TokenKind::TeamImpersonation.scopes(),
        "iat": entry.issued_at, "exp": entry.expires_at, "jti": entry.jti,
    })
}

/// Today's visitor claims, in today's order.
pub(crate) fn visitor_claims(
    config: &ImpersonationConfig,
    entry: &JtiEntry,
    session_id: &str,
) -> Value {
    json!({
        "iss": ISSUER, "aud": config.audience, "sub": entry.subject,
        "org_id": entry.org_id, "team_node_id": entry.team_node_id,
        "ifx_kind": TokenKind::Visitor.as_str(), "visitor_session_id": session_id,
        "scope": TokenKind::Visitor.scopes(),
        "iat": entry.issued_at, "exp": entry.expires_at, "jti": entry.jti,
    })
}

/// An impersonation or visitor token that passed every check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedImpersonation {
    /// Team impersonation or visitor.
    pub kind: TokenKind,
    /// `sub`.
    pub subject: String,
    /// `email`, when a string.
    pub email: Option<String>,
    /// `org_id`.
    pub org_id: String,
    /// `team_node_id`.
    pub team_node_id: String,
    /// `visitor_session_id`, when present.
    pub visitor_session_id: Option<String>,
    /// `jti`.
    pub jti: String,
    /// `exp`, Unix seconds.
    pub expires_at: f64,
    /// Every claim.
    pub claims: Map<String, Value>,
}

impl VerifiedImpersonation {
    /// The `/auth/me` principal: impersonation gets `["team:read"]`, a visitor
    /// `["team:read", "agent:invoke"]`; neither may write.
    pub fn principal(&self) -> Principal {
        let (auth_kind, grants) = match self.kind {
            TokenKind::TeamImpersonation => (AuthKind::Impersonation, ["team:read"].as_slice()),
            TokenKind::Visitor => (AuthKind::Visitor, ["team:read", "agent:invoke"].as_slice()),
        };
        let permissions = grants.iter().map(|p| Permission::known(p));
        let mut principal = Principal::with_fixed_grants(Role::Team, auth_kind, false, permissions);
        principal.org_id = Some(self.org_id.clone());
        principal.team_node_id = Some(self.team_node_id.clone());
        principal.subject = Some(self.subject.clone());
        principal.email = self.email.clone();
        principal.visitor_session_id = self.visitor_session_id.clone();
        principal
    }
}

/// Every claim rule of today's verifier, with strict types: types, required claims, issuer,
/// audience, times (leeway 0 by default), `ifx_kind`, `scope`, `jti`.
pub(crate) fn check_claims(
    claims: Map<String, Value>,
    config: &ImpersonationConfig,
    now: f64,
) -> Result<VerifiedImpersonation> {
    for name in ["exp", "iat", "nbf"] {
        numeric_date(&claims, name)?;
    }
    for name in [
        "iss",
        "sub",
        "org_id",
        "team_node_id",
        "ifx_kind",
        "jti",
        "visitor_session_id",
    ] {
        string_claim(&claims, name)?;
    }
    let email = match claims.get("email") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("email", "is neither a string nor null")),
    };
    let scopes = scopes(claims.get("scope"))?;
    let aud = audiences(&claims)?;
    for name in [
        "exp",
        "iat",
        "sub",
        "org_id",
        "team_node_id",
        "ifx_kind",
        "scope",
        "jti",
    ] {
        if !claims.contains_key(name) {
            return Err(err(
                ErrorCode::MissingClaim,
                format!("claim `{name}` is missing"),
            ));
        }
    }
    let text = |name: &str| -> String {
        claims
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if text("iss") != ISSUER {
        return Err(match claims.get("iss") {
            None => err(ErrorCode::MissingClaim, "claim `iss` is missing"),
            Some(_) => err(
                ErrorCode::InvalidIssuer,
                format!("issuer `{}` is not `{ISSUER}`", clip(&text("iss"))),
            ),
        });
    }
    let accepted = config.accepted_audiences();
    match aud {
        None => return Err(err(ErrorCode::MissingClaim, "claim `aud` is missing")),
        Some(list) if !list.iter().any(|a| accepted.contains(a)) => {
            return Err(err(
                ErrorCode::InvalidAudience,
                format!("audience is not `{}`", accepted.join("` or `")),
            ))
        }
        Some(_) => {}
    }
    check_times(&claims, now, config.leeway_seconds)?;
    let kind = match text("ifx_kind").as_str() {
        "team_impersonation" => TokenKind::TeamImpersonation,
        "visitor" => TokenKind::Visitor,
        other => {
            return Err(invalid(
                "ifx_kind",
                &format!("`{}` is not a known kind", clip(other)),
            ))
        }
    };
    if !scopes.iter().any(|s| s == TEAM_READ) {
        return Err(invalid("scope", "does not contain `team:read`"));
    }
    let jti = text("jti");
    if jti.is_empty() || jti.chars().count() > MAX_JTI_CHARS {
        return Err(invalid("jti", "must be 1 to 64 characters"));
    }
    Ok(VerifiedImpersonation {
        kind,
        subject: text("sub"),
        email,
        org_id: text("org_id"),
        team_node_id: text("team_node_id"),
        visitor_session_id: claims
            .get("visitor_session_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        jti,
        expires_at: numeric_date(&claims, "exp")?.unwrap_or_default(),
        claims,
    })
}

/// `scope` as today reads it: a string is one scope; a list must hold only strings.
fn scopes(value: Option<&Value>) -> Result<Vec<String>> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid("scope", "holds a value that is not a string"))
            })
            .collect(),
        Some(_) => Err(invalid(
            "scope",
            "is neither a string nor a list of strings",
        )),
    }
}

fn invalid(claim: &str, why: &str) -> crate::Error {
    err(ErrorCode::InvalidClaim, format!("claim `{claim}` {why}"))
}
