//! The claim sets of impersonation and visitor tokens, exactly as the config service writes them,
//! and the checks a verified token must pass.

use super::config::{ImpersonationConfig, ISSUER};
use crate::error::{err, ErrorCode, Result};
#[cfg(test)]
use crate::jose::claims::{audiences_of, numeric_date_of, string_claim_of};
use crate::jose::claims::{check_times_of, identifier};
use crate::jose::json::{self, Fields, Slot};
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

/// The members the rules read, found in one pass over a member list: the path
/// [`check_claims`] replaced, kept as the reference its tests compare against.
#[cfg(test)]
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

#[cfg(test)]
impl<'a> Members<'a> {
    fn of(claims: &'a [json::Member<'_>]) -> Members<'a> {
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
    let mut fields = ClaimFields::default();
    json::parse_fields(&claim_set.0.payload, &mut fields)
        .map_err(|e| err(ErrorCode::TokenMalformed, format!("claims {e}")))?;
    check_fields(&fields, config, now, claim_set.clone())
}

/// The path [`check_claims`] replaced: a member list, then the rules over `Value`s.
#[cfg(test)]
fn check_claims_by_members(
    payload: Vec<u8>,
    config: &ImpersonationConfig,
    now: f64,
) -> Result<VerifiedImpersonation> {
    let claim_set = ClaimSet::of_payload(payload);
    let listed = json::parse_members(&claim_set.0.payload)
        .map_err(|e| err(ErrorCode::TokenMalformed, format!("claims {e}")))?;
    check_members(&listed, config, now, claim_set.clone())
}

/// The members the rules read, kept by [`json::parse_fields`] in one pass over the claims: no
/// map, no `Value`, and strings borrowed from the payload.
#[derive(Default)]
struct ClaimFields<'a> {
    exp: Option<Slot<'a>>,
    iat: Option<Slot<'a>>,
    nbf: Option<Slot<'a>>,
    iss: Option<Slot<'a>>,
    sub: Option<Slot<'a>>,
    aud: Option<Slot<'a>>,
    email: Option<Slot<'a>>,
    org_id: Option<Slot<'a>>,
    team_node_id: Option<Slot<'a>>,
    ifx_kind: Option<Slot<'a>>,
    visitor_session_id: Option<Slot<'a>>,
    scope: Option<Slot<'a>>,
    jti: Option<Slot<'a>>,
}

impl<'a> Fields<'a> for ClaimFields<'a> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Slot<'a>>> {
        Some(match name {
            "exp" => &mut self.exp,
            "iat" => &mut self.iat,
            "nbf" => &mut self.nbf,
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "aud" => &mut self.aud,
            "email" => &mut self.email,
            "org_id" => &mut self.org_id,
            "team_node_id" => &mut self.team_node_id,
            "ifx_kind" => &mut self.ifx_kind,
            "visitor_session_id" => &mut self.visitor_session_id,
            "scope" => &mut self.scope,
            "jti" => &mut self.jti,
            _ => return None,
        })
    }
}

/// A NumericDate claim: `jose::claims::numeric_date_of` over a kept member.
fn numeric_date_slot(slot: Option<&Slot<'_>>, name: &str) -> Result<Option<f64>> {
    match slot {
        None => Ok(None),
        Some(Slot::Number(v)) if v.is_finite() => Ok(Some(*v)),
        Some(Slot::Number(_)) => Err(invalid(name, "is not a finite number")),
        Some(_) => Err(invalid(name, "is not a number")),
    }
}

/// A string claim: `jose::claims::string_claim_of` over a kept member.
fn string_slot<'s>(slot: Option<&'s Slot<'_>>, name: &str) -> Result<Option<&'s str>> {
    match slot {
        None => Ok(None),
        Some(Slot::Str(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name, "is not a string")),
    }
}

/// A string or a list of strings, read without collecting it.
#[derive(Clone, Copy)]
enum Strings<'s, 'a> {
    One(&'s str),
    Many(&'s [Option<std::borrow::Cow<'a, str>>]),
}

impl<'s, 'a> Strings<'s, 'a> {
    /// Each string, in order, without building a list.
    fn iter(self) -> impl Iterator<Item = &'s str> + use<'s, 'a> {
        let (one, many): (Option<&'s str>, &'s [Option<std::borrow::Cow<'a, str>>]) = match self {
            Strings::One(s) => (Some(s), &[]),
            Strings::Many(items) => (None, items),
        };
        one.into_iter()
            .chain(many.iter().flatten().map(|s| s.as_ref()))
    }
}

/// `aud` or `scope`: absent is `None`; a string or an array of strings is kept; an array
/// holding anything else is `holds`, any other type `neither`.
fn strings_slot<'s, 'a>(
    slot: Option<&'s Slot<'a>>,
    name: &str,
    holds: &str,
    neither: &str,
) -> Result<Option<Strings<'s, 'a>>> {
    match slot {
        None => Ok(None),
        Some(Slot::Str(s)) => Ok(Some(Strings::One(s))),
        Some(Slot::Array(items)) if items.iter().all(Option::is_some) => {
            Ok(Some(Strings::Many(items)))
        }
        Some(Slot::Array(_)) => Err(invalid(name, holds)),
        Some(_) => Err(invalid(name, neither)),
    }
}

/// The claims the rules read, as a reader typed them. `None` is an absent member: a reader
/// refuses a member of the wrong type, `null` included, except `email`, where `null` is none.
/// `scope` and `aud` are each one string or several, in order.
struct Typed<'s, S, A> {
    exp: Option<f64>,
    iat: Option<f64>,
    nbf: Option<f64>,
    iss: Option<&'s str>,
    sub: Option<&'s str>,
    org_id: Option<&'s str>,
    team_node_id: Option<&'s str>,
    ifx_kind: Option<&'s str>,
    jti: Option<&'s str>,
    visitor_session_id: Option<&'s str>,
    email: Option<&'s str>,
    scope: Option<S>,
    aud: Option<A>,
}

/// The claim rules after typing, in the agent runtime's order and with its errors; each reader
/// types the members its own way (a wrongly typed claim is reported as such rather than as
/// missing) and then hands them here.
fn check_typed<'s, S, A>(
    c: Typed<'s, S, A>,
    config: &ImpersonationConfig,
    now: f64,
    claim_set: ClaimSet,
) -> Result<VerifiedImpersonation>
where
    S: IntoIterator<Item = &'s str>,
    A: IntoIterator<Item = &'s str>,
{
    let required = [
        ("exp", c.exp.is_some()),
        ("iat", c.iat.is_some()),
        ("sub", c.sub.is_some()),
        ("org_id", c.org_id.is_some()),
        ("team_node_id", c.team_node_id.is_some()),
        ("ifx_kind", c.ifx_kind.is_some()),
        ("scope", c.scope.is_some()),
        ("jti", c.jti.is_some()),
    ];
    if let Some((name, _)) = required.iter().find(|(_, present)| !present) {
        return Err(err(
            ErrorCode::MissingClaim,
            format!("claim `{name}` is missing"),
        ));
    }
    match c.iss {
        None => return Err(err(ErrorCode::MissingClaim, "claim `iss` is missing")),
        Some(iss) if iss != ISSUER => {
            return Err(err(
                ErrorCode::InvalidIssuer,
                format!("issuer `{}` is not `{ISSUER}`", clip(iss)),
            ))
        }
        Some(_) => {}
    }
    let Some(aud) = c.aud else {
        return Err(err(ErrorCode::MissingClaim, "claim `aud` is missing"));
    };
    if !aud.into_iter().any(|a| config.accepts_audience(a)) {
        return Err(err(
            ErrorCode::InvalidAudience,
            format!(
                "audience is not `{}`",
                config.accepted_audiences().join("` or `")
            ),
        ));
    }
    check_times_of(c.exp, c.nbf, c.iat, now, config.leeway_seconds)?;
    let ifx_kind = c.ifx_kind.unwrap_or_default();
    let kind = TokenKind::from_name(ifx_kind).ok_or_else(|| {
        invalid(
            "ifx_kind",
            &format!("`{}` is not a known kind", clip(ifx_kind)),
        )
    })?;
    if !c
        .scope
        .is_some_and(|s| s.into_iter().any(|scope| scope == TEAM_READ))
    {
        return Err(invalid("scope", "does not contain `team:read`"));
    }
    let jti = c.jti.unwrap_or_default();
    if jti.is_empty() || jti.chars().count() > MAX_JTI_CHARS {
        return Err(invalid("jti", "must be 1 to 64 characters"));
    }
    let sub = identifier("sub", c.sub.unwrap_or_default())?;
    let org_id = identifier("org_id", c.org_id.unwrap_or_default())?;
    let team_node_id = identifier("team_node_id", c.team_node_id.unwrap_or_default())?;
    if c.email.is_some_and(|e| e.chars().any(char::is_control)) {
        return Err(invalid("email", "holds a control character"));
    }
    // Each kind has its own shape: a visitor token names its session, and its subject is that
    // session's; a team-impersonation token names no visitor session.
    match (kind, c.visitor_session_id) {
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
    Ok(VerifiedImpersonation {
        kind,
        subject: sub.to_owned(),
        email: c.email.map(str::to_owned),
        org_id: org_id.to_owned(),
        team_node_id: team_node_id.to_owned(),
        visitor_session_id: c.visitor_session_id.map(str::to_owned),
        jti: jti.to_owned(),
        expires_at: c.exp.unwrap_or_default(),
        claim_set,
    })
}

/// The kept members typed as [`check_typed`] reads them, in its order, then its rules.
fn check_fields(
    m: &ClaimFields<'_>,
    config: &ImpersonationConfig,
    now: f64,
    claim_set: ClaimSet,
) -> Result<VerifiedImpersonation> {
    // Typed in the order written, so the first wrongly typed claim in it is the one reported.
    let typed = Typed {
        exp: numeric_date_slot(m.exp.as_ref(), "exp")?,
        iat: numeric_date_slot(m.iat.as_ref(), "iat")?,
        nbf: numeric_date_slot(m.nbf.as_ref(), "nbf")?,
        iss: string_slot(m.iss.as_ref(), "iss")?,
        sub: string_slot(m.sub.as_ref(), "sub")?,
        org_id: string_slot(m.org_id.as_ref(), "org_id")?,
        team_node_id: string_slot(m.team_node_id.as_ref(), "team_node_id")?,
        ifx_kind: string_slot(m.ifx_kind.as_ref(), "ifx_kind")?,
        jti: string_slot(m.jti.as_ref(), "jti")?,
        visitor_session_id: string_slot(m.visitor_session_id.as_ref(), "visitor_session_id")?,
        email: match &m.email {
            None | Some(Slot::Null) => None,
            Some(Slot::Str(s)) => Some(s.as_ref()),
            Some(_) => return Err(invalid("email", "is neither a string nor null")),
        },
        scope: strings_slot(
            m.scope.as_ref(),
            "scope",
            "holds a value that is not a string",
            "is neither a string nor a list of strings",
        )?
        .map(Strings::iter),
        aud: strings_slot(
            m.aud.as_ref(),
            "aud",
            "holds a non-string",
            "is neither a string nor an array of strings",
        )?
        .map(Strings::iter),
    };
    check_typed(typed, config, now, claim_set)
}

/// The members, listed from `claim_set`'s payload, typed from their `Value`s, then
/// [`check_typed`]'s rules.
#[cfg(test)]
fn check_members(
    claims: &[json::Member<'_>],
    config: &ImpersonationConfig,
    now: f64,
    claim_set: ClaimSet,
) -> Result<VerifiedImpersonation> {
    let m = Members::of(claims);
    // Typed in the order written, so the first wrongly typed claim in it is the one reported.
    let typed = Typed {
        exp: numeric_date_of(m.exp, "exp")?,
        iat: numeric_date_of(m.iat, "iat")?,
        nbf: numeric_date_of(m.nbf, "nbf")?,
        iss: string_claim_of(m.iss, "iss")?,
        sub: string_claim_of(m.sub, "sub")?,
        org_id: string_claim_of(m.org_id, "org_id")?,
        team_node_id: string_claim_of(m.team_node_id, "team_node_id")?,
        ifx_kind: string_claim_of(m.ifx_kind, "ifx_kind")?,
        jti: string_claim_of(m.jti, "jti")?,
        visitor_session_id: string_claim_of(m.visitor_session_id, "visitor_session_id")?,
        email: match m.email {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return Err(invalid("email", "is neither a string nor null")),
        },
        scope: scopes(m.scope)?,
        aud: audiences_of(m.aud)?,
    };
    check_typed(typed, config, now, claim_set)
}

/// `scope` as the agent runtime reads it: absent is `None`; a string is one scope; a list must
/// hold only strings.
#[cfg(test)]
fn scopes(value: Option<&Value>) -> Result<Option<Vec<&str>>> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.as_str()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .ok_or_else(|| invalid("scope", "holds a value that is not a string"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(invalid(
            "scope",
            "is neither a string nor a list of strings",
        )),
    }
}

fn invalid(claim: &str, why: &str) -> crate::error::Error {
    err(ErrorCode::InvalidClaim, format!("claim `{claim}` {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn config() -> ImpersonationConfig {
        let mut config = ImpersonationConfig::new("claims-test-secret-0123456789-abcdefgh");
        config.accept_legacy_audience = true;
        config
    }

    /// The member reader must give the member list's verdict, error and result on every payload.
    fn same_verdict(payload: &str) -> std::result::Result<(), String> {
        let config = config();
        let fast = check_claims(payload.as_bytes().to_vec(), &config, 1500.0);
        let reference = check_claims_by_members(payload.as_bytes().to_vec(), &config, 1500.0);
        if fast == reference {
            Ok(())
        } else {
            Err(format!("member reader {fast:?}, member list {reference:?}"))
        }
    }

    const VALID: &str = r#"{"iss":"incidentfox-config-service","aud":"incidentfox-config-service","sub":"okta|1","email":"a@b.example","org_id":"o1","team_node_id":"t1","ifx_kind":"team_impersonation","scope":["team:read"],"iat":1000,"exp":2000,"jti":"j1"}"#;

    #[test]
    fn the_member_reader_agrees_with_the_member_list_on_chosen_cases() {
        assert!(check_claims(VALID.as_bytes().to_vec(), &config(), 1500.0).is_ok());
        let cases = [
            VALID.to_owned(),
            VALID.replace(r#""jti":"j1""#, r#""jti":"j1","jti":"j2""#),
            VALID.replace(r#""jti":"j1""#, r#""jti":"j1","\u006ati":"j2""#),
            VALID.replace(r#""sub":"okta|1""#, r#""sub":"okta\u007c1""#),
            VALID.replace(r#""sub":"okta|1""#, r#""sub":"okta\u00001""#),
            VALID.replace(r#""sub":"okta|1""#, r#""sub":" ""#),
            VALID.replace(r#""email":"a@b.example""#, r#""email":null"#),
            VALID.replace(r#""email":"a@b.example""#, r#""email":1"#),
            VALID.replace(r#""email":"a@b.example""#, r#""email":"a\nb""#),
            VALID.replace(r#""exp":2000"#, r#""exp":"2000""#),
            VALID.replace(r#""exp":2000"#, r#""exp":null"#),
            VALID.replace(r#""exp":2000"#, r#""exp":2000.5e0"#),
            VALID.replace(r#""exp":2000"#, r#""exp":18446744073709551615"#),
            VALID.replace(r#""exp":2000"#, r#""exp":1e400"#),
            VALID.replace(r#""exp":2000"#, r#""exp":1000"#),
            VALID.replace(r#""iat":1000"#, r#""iat":1000,"nbf":1600"#),
            VALID.replace(r#""iat":1000"#, r#""iat":-1000,"nbf":true"#),
            VALID.replace(r#""scope":["team:read"]"#, r#""scope":"team:read""#),
            VALID.replace(r#""scope":["team:read"]"#, r#""scope":["team:write"]"#),
            VALID.replace(r#""scope":["team:read"]"#, r#""scope":["team:read",1]"#),
            VALID.replace(r#""scope":["team:read"]"#, r#""scope":["team:read",["x"]]"#),
            VALID.replace(r#""scope":["team:read"]"#, r#""scope":{"team:read":1}"#),
            VALID.replace(r#""scope":["team:read"]"#, r#""scope":[]"#),
            VALID.replace(r#""aud":"incidentfox-config-service""#, r#""aud":["x","incidentfox-config-service"]"#),
            VALID.replace(r#""aud":"incidentfox-config-service""#, r#""aud":["x",null]"#),
            VALID.replace(r#""aud":"incidentfox-config-service""#, r#""aud":"x""#),
            VALID.replace(r#""aud":"incidentfox-config-service""#, r#""aud":7"#),
            VALID.replace(r#""iss":"incidentfox-config-service","#, ""),
            VALID.replace(r#""iss":"incidentfox-config-service""#, r#""iss":"incidentfox-config-servic""#),
            VALID.replace(r#""ifx_kind":"team_impersonation""#, r#""ifx_kind":"visitor","visitor_session_id":"s1""#),
            VALID
                .replace(r#""ifx_kind":"team_impersonation""#, r#""ifx_kind":"visitor","visitor_session_id":"s1""#)
                .replace(r#""sub":"okta|1""#, r#""sub":"visitor:s1""#),
            VALID.replace(r#""ifx_kind":"team_impersonation""#, r#""ifx_kind":"admin""#),
            VALID.replace(r#""jti":"j1""#, &format!(r#""jti":"{}""#, "j".repeat(65))),
            VALID.replace(r#""jti":"j1""#, r#""jti":"""#),
            VALID.replace(r#""jti":"j1""#, r#""jti":"j1","x":{"a":1,"a":2}"#),
            VALID.replace(r#""jti":"j1""#, r#""jti":"j1","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#),
            VALID.replace(r#""jti":"j1""#, r#""jti":"j1","scope":["team:read",{"a":1,"a":1}]"#),
            format!("{VALID} "),
            format!("{VALID}x"),
            "[]".to_owned(),
            "".to_owned(),
            "{}".to_owned(),
            "\"x\"".to_owned(),
        ];
        for case in &cases {
            assert_eq!(same_verdict(case), Ok(()), "{case}");
        }
    }

    /// One candidate value for a claim: usually its valid value, sometimes anything.
    fn value(valid: &'static str) -> impl Strategy<Value = Option<String>> {
        let other = prop::sample::select(vec![
            "null",
            "true",
            "0",
            "-1.5",
            "2000",
            "1e400",
            "18446744073709551616",
            r#""""#,
            r#"" ""#,
            r#""\u0000""#,
            r#""a\nb""#,
            r#""\u0061""#,
            r#""team:read""#,
            r#""visitor""#,
            r#""visitor:s1""#,
            r#""s1""#,
            r#""incidentfox-config-service""#,
            "[]",
            r#"["team:read"]"#,
            r#"["team:read",2]"#,
            r#"[["team:read"]]"#,
            "{}",
            r#"{"a":1,"a":2}"#,
            r#"[{"a":{"a":1,"a":2}}]"#,
        ]);
        prop_oneof![
            6 => Just(Some(valid.to_owned())),
            2 => other.prop_map(|v| Some(v.to_owned())),
            1 => Just(None),
        ]
    }

    prop_compose! {
        fn payload()(
            iss in value(r#""incidentfox-config-service""#),
            aud in value(r#"["incidentfox-config-service"]"#),
            sub in value(r#""visitor:s1""#),
            email in value(r#""v@b.example""#),
            org in value(r#""o1""#),
            team in value(r#""t1""#),
            kind in value(r#""visitor""#),
            session in value(r#""s1""#),
            scope in value(r#"["team:read","agent:invoke"]"#),
            iat in value("1000"),
            nbf in value("1200"),
            exp in value("2000"),
            jti in value(r#""j1""#),
            extra in prop::sample::select(vec!["", r#","x":1"#, r#","exp":1"#, r#","\u0073ub":"x""#, r#","x":{"b":[1,{"c":null}]}"#]),
            trailing in prop::sample::select(vec!["", " ", "x", "}"]),
        ) -> String {
            let members = [
                ("iss", iss), ("aud", aud), ("sub", sub), ("email", email), ("org_id", org),
                ("team_node_id", team), ("ifx_kind", kind), ("visitor_session_id", session),
                ("scope", scope), ("iat", iat), ("nbf", nbf), ("exp", exp), ("jti", jti),
            ];
            let body: Vec<String> = members
                .iter()
                .filter_map(|(name, v)| v.as_ref().map(|v| format!("\"{name}\":{v}")))
                .collect();
            format!("{{{}{extra}}}{trailing}", body.join(","))
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_member_reader_agrees_with_the_member_list_on_any_claims(payload in payload()) {
            prop_assert_eq!(same_verdict(&payload), Ok(()));
        }
    }
}
