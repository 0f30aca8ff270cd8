//! The claim sets of impersonation and visitor tokens, exactly as the config service writes them,
//! and the checks a verified token must pass.

use super::config::{ImpersonationConfig, ISSUER};
use crate::error::{err, ErrorCode, Result};
use crate::jose::claims::{
    audiences_of, check_times_of, identifier, numeric_date_of, string_claim_of,
};
use crate::jose::json::{self, Member};
use crate::jti::JtiEntry;
use crate::permissions::Permission;
use crate::principal::{AuthKind, Principal, Role};
use crate::text::clip;
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};
use std::sync::{Arc, OnceLock};

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

    /// The kind an `ifx_kind` value names, if any.
    pub fn from_name(name: &str) -> Option<TokenKind> {
        [TokenKind::TeamImpersonation, TokenKind::Visitor]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    /// The `/auth/me` principal of a verified token of this kind with these claims:
    /// impersonation gets `["team:read"]`, a visitor `["team:read", "agent:invoke"]`; neither
    /// may write.
    pub fn principal(
        self,
        org_id: &str,
        team_node_id: &str,
        subject: &str,
        email: Option<&str>,
        visitor_session_id: Option<&str>,
    ) -> Principal {
        let (auth_kind, grants) = match self {
            TokenKind::TeamImpersonation => (AuthKind::Impersonation, ["team:read"].as_slice()),
            TokenKind::Visitor => (AuthKind::Visitor, ["team:read", "agent:invoke"].as_slice()),
        };
        let permissions = grants.iter().map(|p| Permission::known(p));
        let mut principal = Principal::with_fixed_grants(Role::Team, auth_kind, false, permissions);
        principal.org_id = Some(org_id.to_owned());
        principal.team_node_id = Some(team_node_id.to_owned());
        principal.subject = Some(subject.to_owned());
        principal.email = email.map(str::to_owned);
        principal.visitor_session_id = visitor_session_id.map(str::to_owned);
        principal
    }

    /// The scopes minted for this kind.
    pub const fn scopes(self) -> &'static [&'static str] {
        match self {
            TokenKind::TeamImpersonation => &["team:read"],
            TokenKind::Visitor => &["team:read", "agent:invoke"],
        }
    }
}

/// The config service's team-impersonation claims, in its order; `email: null` when unknown.
pub(crate) fn impersonation_claims(config: &ImpersonationConfig, entry: &JtiEntry) -> Value {
    json!({
        "iss": ISSUER, "aud": config.audience, "sub": entry.subject, "email": entry.email,
        "org_id": entry.org_id, "team_node_id": entry.team_node_id,
        "ifx_kind": TokenKind::TeamImpersonation.as_str(),
        "scope": TokenKind::TeamImpersonation.scopes(),
        "iat": entry.issued_at, "exp": entry.expires_at, "jti": entry.jti,
    })
}

/// The config service's visitor claims, in its order; `email` (after `sub`) only when the mint was given
/// one.
pub(crate) fn visitor_claims(
    config: &ImpersonationConfig,
    entry: &JtiEntry,
    session_id: &str,
) -> Value {
    let mut claims = json!({
        "iss": ISSUER, "aud": config.audience, "sub": entry.subject,
        "org_id": entry.org_id, "team_node_id": entry.team_node_id,
        "ifx_kind": TokenKind::Visitor.as_str(), "visitor_session_id": session_id,
        "scope": TokenKind::Visitor.scopes(),
        "iat": entry.issued_at, "exp": entry.expires_at, "jti": entry.jti,
    });
    if let (Some(email), Value::Object(members)) = (&entry.email, &mut claims) {
        members.shift_insert(3, "email".to_owned(), Value::from(email.as_str()));
    }
    claims
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
    /// Every claim: see [`claims`](Self::claims).
    #[serde(rename = "claims")]
    claim_set: ClaimSet,
}

/// The whole claim set, kept as the payload's JSON and parsed into a map the first time it is
/// read: the checks read a dozen members from a list, and most callers only want the fields
/// above, so building (and hashing) a map for every verification would be wasted. Shared by
/// clones, so that a verified-token cache hit costs a reference count and parses at most once.
#[derive(Clone)]
struct ClaimSet(Arc<ClaimSetInner>);

struct ClaimSetInner {
    payload: Vec<u8>,
    parsed: OnceLock<Map<String, Value>>,
}

impl ClaimSet {
    fn of_payload(payload: Vec<u8>) -> ClaimSet {
        ClaimSet(Arc::new(ClaimSetInner {
            payload,
            parsed: OnceLock::new(),
        }))
    }

    fn get(&self) -> &Map<String, Value> {
        // The payload passed `json::parse_members`, which gives the same verdict as
        // `parse_object` for every input, so the default (an empty map) is never reached.
        self.0
            .parsed
            .get_or_init(|| json::parse_object(&self.0.payload).unwrap_or_default())
    }
}

/// The claims as a map, not the payload's bytes.
impl std::fmt::Debug for ClaimSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.get(), f)
    }
}

impl PartialEq for ClaimSet {
    fn eq(&self, other: &ClaimSet) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.get() == other.get()
    }
}

impl Serialize for ClaimSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

impl VerifiedImpersonation {
    /// Every claim of the token, in the token's order (parsed on first use, then kept).
    pub fn claims(&self) -> &Map<String, Value> {
        self.claim_set.get()
    }

    /// The `/auth/me` principal: see [`TokenKind::principal`].
    pub fn principal(&self) -> Principal {
        self.kind.principal(
            &self.org_id,
            &self.team_node_id,
            &self.subject,
            self.email.as_deref(),
            self.visitor_session_id.as_deref(),
        )
    }
}

/// The members the rules read, found in one pass over the claims: a claim set has a dozen
/// members and the rules read them some thirty times, which as map lookups (SipHash each) cost
/// more than the rest of the checks together.
#[derive(Default)]
struct Members<'a> {
    exp: Option<&'a Value>,
    iat: Option<&'a Value>,
    nbf: Option<&'a Value>,
    iss: Option<&'a Value>,
    sub: Option<&'a Value>,
    aud: Option<&'a Value>,
    email: Option<&'a Value>,
    org_id: Option<&'a Value>,
    team_node_id: Option<&'a Value>,
    ifx_kind: Option<&'a Value>,
    visitor_session_id: Option<&'a Value>,
    scope: Option<&'a Value>,
    jti: Option<&'a Value>,
}

impl<'a> Members<'a> {
    fn of(claims: &'a [Member<'_>]) -> Members<'a> {
        let mut members = Members::default();
        for (name, value) in claims {
            let slot = match name.as_ref() {
                "exp" => &mut members.exp,
                "iat" => &mut members.iat,
                "nbf" => &mut members.nbf,
                "iss" => &mut members.iss,
                "sub" => &mut members.sub,
                "aud" => &mut members.aud,
                "email" => &mut members.email,
                "org_id" => &mut members.org_id,
                "team_node_id" => &mut members.team_node_id,
                "ifx_kind" => &mut members.ifx_kind,
                "visitor_session_id" => &mut members.visitor_session_id,
                "scope" => &mut members.scope,
                "jti" => &mut members.jti,
                _ => continue,
            };
            *slot = Some(value);
        }
        members
    }
}

/// Every claim rule of the agent runtime's verifier, with strict types: types, required claims, issuer,
/// audience, times (leeway 0 by default), `ifx_kind`, `scope`, `jti`. `payload` is the claim
/// set's JSON: strict (`token_malformed` when it is not), then checked.
pub(crate) fn check_claims(
    payload: Vec<u8>,
    config: &ImpersonationConfig,
    now: f64,
) -> Result<VerifiedImpersonation> {
    let claim_set = ClaimSet::of_payload(payload);
    let listed = json::parse_members(&claim_set.0.payload)
        .map_err(|e| err(ErrorCode::TokenMalformed, format!("claims {e}")))?;
    check_members(&listed, config, now, claim_set.clone())
}

/// The rules over the members, listed from `claim_set`'s payload.
fn check_members(
    claims: &[Member<'_>],
    config: &ImpersonationConfig,
    now: f64,
    claim_set: ClaimSet,
) -> Result<VerifiedImpersonation> {
    let m = Members::of(claims);
    // Types first, so a wrongly typed claim is reported as such rather than as missing.
    let exp = numeric_date_of(m.exp, "exp")?;
    let iat = numeric_date_of(m.iat, "iat")?;
    let nbf = numeric_date_of(m.nbf, "nbf")?;
    let iss = string_claim_of(m.iss, "iss")?;
    let sub = string_claim_of(m.sub, "sub")?;
    let org_id = string_claim_of(m.org_id, "org_id")?;
    let team_node_id = string_claim_of(m.team_node_id, "team_node_id")?;
    let ifx_kind = string_claim_of(m.ifx_kind, "ifx_kind")?;
    let jti = string_claim_of(m.jti, "jti")?;
    let visitor_session_id = string_claim_of(m.visitor_session_id, "visitor_session_id")?;
    let email = match m.email {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("email", "is neither a string nor null")),
    };
    let scopes = scopes(m.scope)?;
    let aud = audiences_of(m.aud)?;
    let required = [
        ("exp", m.exp),
        ("iat", m.iat),
        ("sub", m.sub),
        ("org_id", m.org_id),
        ("team_node_id", m.team_node_id),
        ("ifx_kind", m.ifx_kind),
        ("scope", m.scope),
        ("jti", m.jti),
    ];
    if let Some((name, _)) = required.iter().find(|(_, value)| value.is_none()) {
        return Err(err(
            ErrorCode::MissingClaim,
            format!("claim `{name}` is missing"),
        ));
    }
    match iss {
        None => return Err(err(ErrorCode::MissingClaim, "claim `iss` is missing")),
        Some(iss) if iss != ISSUER => {
            return Err(err(
                ErrorCode::InvalidIssuer,
                format!("issuer `{}` is not `{ISSUER}`", clip(iss)),
            ))
        }
        Some(_) => {}
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
    check_times_of(exp, nbf, iat, now, config.leeway_seconds)?;
    let ifx_kind = ifx_kind.unwrap_or_default();
    let kind = TokenKind::from_name(ifx_kind).ok_or_else(|| {
        invalid(
            "ifx_kind",
            &format!("`{}` is not a known kind", clip(ifx_kind)),
        )
    })?;
    if !scopes.contains(&TEAM_READ) {
        return Err(invalid("scope", "does not contain `team:read`"));
    }
    let jti = jti.unwrap_or_default();
    if jti.is_empty() || jti.chars().count() > MAX_JTI_CHARS {
        return Err(invalid("jti", "must be 1 to 64 characters"));
    }
    let sub = identifier("sub", sub.unwrap_or_default())?;
    identifier("org_id", org_id.unwrap_or_default())?;
    identifier("team_node_id", team_node_id.unwrap_or_default())?;
    if email
        .as_deref()
        .is_some_and(|e| e.chars().any(char::is_control))
    {
        return Err(invalid("email", "holds a control character"));
    }
    // Each kind has its own shape: a visitor token names its session, and its subject is that
    // session's; a team-impersonation token names no visitor session.
    match (kind, visitor_session_id) {
        (TokenKind::Visitor, None) => {
            return Err(err(
                ErrorCode::MissingClaim,
                "claim `visitor_session_id` is missing",
            ))
        }
        (TokenKind::Visitor, Some(session)) => {
            let session = identifier("visitor_session_id", session)?;
            if sub.strip_prefix("visitor:") != Some(session) {
                return Err(invalid(
                    "sub",
                    "of a visitor token must be `visitor:` and its `visitor_session_id`",
                ));
            }
        }
        (TokenKind::TeamImpersonation, Some(_)) => {
            return Err(invalid(
                "visitor_session_id",
                "belongs to visitor tokens, not team impersonation",
            ))
        }
        (TokenKind::TeamImpersonation, None) => {}
    }
    let owned = |text: Option<&str>| text.unwrap_or_default().to_owned();
    Ok(VerifiedImpersonation {
        kind,
        subject: sub.to_owned(),
        email,
        org_id: owned(org_id),
        team_node_id: owned(team_node_id),
        visitor_session_id: visitor_session_id.map(str::to_owned),
        jti: jti.to_owned(),
        expires_at: exp.unwrap_or_default(),
        claim_set,
    })
}

/// `scope` as the agent runtime reads it: a string is one scope; a list must hold only strings.
fn scopes(value: Option<&Value>) -> Result<Vec<&str>> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.as_str()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .ok_or_else(|| invalid("scope", "holds a value that is not a string"))
            })
            .collect(),
        Some(_) => Err(invalid(
            "scope",
            "is neither a string nor a list of strings",
        )),
    }
}

fn invalid(claim: &str, why: &str) -> crate::error::Error {
    err(ErrorCode::InvalidClaim, format!("claim `{claim}` {why}"))
}
