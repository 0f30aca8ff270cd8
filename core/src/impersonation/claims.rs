//! The claim sets of impersonation and visitor tokens, exactly as the config service writes them,
//! and the checks a verified token must pass.

use super::config::{ImpersonationConfig, ISSUER};
use crate::error::{err, ErrorCode, Result};
use crate::jose::claims::{
    audience_claim, check_times_of, date_claim, identifier, invalid, strings_claim, text_claim,
    Claim, Claims,
};
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

/// A member list as the rules read it: the path [`check_claims`] replaced, kept as the
/// reference its tests compare against. The list has no duplicate names (`parse_members`
/// refuses them), so the first member of a name is the only one.
#[cfg(test)]
struct MemberList<'m, 'a>(&'m [json::Member<'a>]);

#[cfg(test)]
impl Claims for MemberList<'_, '_> {
    fn claim(&self, name: &str) -> Option<Claim<'_>> {
        self.0
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, value)| Claim::of_value(value))
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
    check_in(&fields, config, now, claim_set.clone())
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
    check_in(&MemberList(&listed), config, now, claim_set.clone())
}

/// The members the rules read, kept by [`json::parse_fields`] in one pass over the claims: no
/// map, no `Value`, and strings borrowed from the payload.
#[derive(Default)]
struct ClaimFields<'a> {
    slots: [Option<Slot<'a>>; 13],
}

impl ClaimFields<'_> {
    /// Where the member `name` is kept, for the names the rules read. Inlined, so that the
    /// rules' lookups by constant name fold to a fixed slot.
    #[inline(always)]
    fn index(name: &str) -> Option<usize> {
        Some(match name {
            "exp" => 0,
            "iat" => 1,
            "nbf" => 2,
            "iss" => 3,
            "sub" => 4,
            "aud" => 5,
            "email" => 6,
            "org_id" => 7,
            "team_node_id" => 8,
            "ifx_kind" => 9,
            "visitor_session_id" => 10,
            "scope" => 11,
            "jti" => 12,
            _ => return None,
        })
    }
}

impl<'a> Fields<'a> for ClaimFields<'a> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Slot<'a>>> {
        self.slots.get_mut(Self::index(name)?)
    }
}

impl Claims for ClaimFields<'_> {
    #[inline(always)]
    fn claim(&self, name: &str) -> Option<Claim<'_>> {
        self.slots
            .get(Self::index(name)?)?
            .as_ref()
            .map(Claim::of_slot)
    }
}

/// Every rule, over either reader, in the agent runtime's order and with its errors: the types
/// first (in the order written, so that the first wrongly typed claim in it is the one reported,
/// and a wrongly typed claim is reported as such rather than as missing), then the rest.
fn check_in(
    c: &impl Claims,
    config: &ImpersonationConfig,
    now: f64,
    claim_set: ClaimSet,
) -> Result<VerifiedImpersonation> {
    let date = |name: &str| date_claim(c.claim(name), name);
    let text = |name: &str| text_claim(c.claim(name), name);
    let exp = date("exp")?;
    let iat = date("iat")?;
    let nbf = date("nbf")?;
    let iss = text("iss")?;
    let sub = text("sub")?;
    let org_id = text("org_id")?;
    let team_node_id = text("team_node_id")?;
    let ifx_kind = text("ifx_kind")?;
    let jti = text("jti")?;
    let visitor_session_id = text("visitor_session_id")?;
    let email = match c.claim("email") {
        None | Some(Claim::Null) => None,
        Some(Claim::Str(s)) => Some(s),
        Some(_) => return Err(invalid("email", "is neither a string nor null")),
    };
    let scope = strings_claim(
        c.claim("scope"),
        "scope",
        "holds a value that is not a string",
        "is neither a string nor a list of strings",
    )?;
    let aud = audience_claim(c.claim("aud"))?;
    let required = [
        ("exp", exp.is_some()),
        ("iat", iat.is_some()),
        ("sub", sub.is_some()),
        ("org_id", org_id.is_some()),
        ("team_node_id", team_node_id.is_some()),
        ("ifx_kind", ifx_kind.is_some()),
        ("scope", scope.is_some()),
        ("jti", jti.is_some()),
    ];
    if let Some((name, _)) = required.iter().find(|(_, present)| !present) {
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
    let Some(aud) = aud else {
        return Err(err(ErrorCode::MissingClaim, "claim `aud` is missing"));
    };
    if !aud.iter().any(|a| config.accepts_audience(a)) {
        return Err(err(
            ErrorCode::InvalidAudience,
            format!(
                "audience is not `{}`",
                config.accepted_audiences().join("` or `")
            ),
        ));
    }
    check_times_of(exp, nbf, iat, now, config.leeway_seconds)?;
    let ifx_kind = ifx_kind.unwrap_or_default();
    let kind = TokenKind::from_name(ifx_kind).ok_or_else(|| {
        invalid(
            "ifx_kind",
            &format!("`{}` is not a known kind", clip(ifx_kind)),
        )
    })?;
    if !scope.is_some_and(|s| s.iter().any(|scope| scope == TEAM_READ)) {
        return Err(invalid("scope", "does not contain `team:read`"));
    }
    let jti = jti.unwrap_or_default();
    if jti.is_empty() || jti.chars().count() > MAX_JTI_CHARS {
        return Err(invalid("jti", "must be 1 to 64 characters"));
    }
    let sub = identifier("sub", sub.unwrap_or_default())?;
    let org_id = identifier("org_id", org_id.unwrap_or_default())?;
    let team_node_id = identifier("team_node_id", team_node_id.unwrap_or_default())?;
    if email.is_some_and(|e| e.chars().any(char::is_control)) {
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
    Ok(VerifiedImpersonation {
        kind,
        subject: sub.to_owned(),
        email: email.map(str::to_owned),
        org_id: org_id.to_owned(),
        team_node_id: team_node_id.to_owned(),
        visitor_session_id: visitor_session_id.map(str::to_owned),
        jti: jti.to_owned(),
        expires_at: exp.unwrap_or_default(),
        claim_set,
    })
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
