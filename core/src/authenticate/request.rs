//! One entry point per request: from its credential headers to a [`Principal`].

use super::admin::AdminAuthenticator;
use super::credential::CredentialShape;
use super::headers::Credentials;
use super::mode::AuthMode;
use super::session_cookie::SessionCookiePolicy;
use crate::error::{err, ErrorCode, Result};
use crate::impersonation::{ImpersonationVerifier, ISSUER as IMPERSONATION_ISSUER};
use crate::jose::b64;
use crate::observe::counters::{Counters, Kind};
use crate::observe::{events, Health, Stats};
use crate::oidc::{OidcValidator, VerifiedToken};
use crate::permissions::Permission;
use crate::principal::{AuthKind, Principal, Role};
use crate::size_cap;
use crate::team_tokens::{
    check_stored, ParsedTeamToken, StoredTokenKind, TeamTokenLookup, TokenPepper,
};
use crate::time::When;
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::Arc;

/// Authenticates every kind of credential the services accept, with the services' dispatch:
///
/// - no dot: the break-glass admin token;
/// - one dot: a team or org-admin token, found through the [`TeamTokenLookup`] and checked
///   against its peppered hash in constant time;
/// - two dots: a JWT, routed by its unverified `iss` — the impersonation issuer goes to the
///   impersonation verifier, anything else to OIDC (an admin when in the admin group, else a
///   team member when `TEAM_AUTH_MODE` allows OIDC) — and then fully verified by that verifier
///   alone;
/// - no credential but `X-Internal-Service`: the internal-service secret.
#[derive(Debug, Clone)]
pub struct Authenticator {
    admin: AdminAuthenticator,
    team_mode: AuthMode,
    impersonation: Option<ImpersonationVerifier>,
    lookup: Option<Arc<dyn TeamTokenLookup>>,
    pepper: Option<TokenPepper>,
    session_cookie: SessionCookiePolicy,
    counters: Arc<Counters>,
}

impl Authenticator {
    /// Admin authentication only; add the team paths with the `with_*` methods.
    pub fn new(admin: AdminAuthenticator) -> Authenticator {
        Authenticator {
            admin,
            team_mode: AuthMode::Token,
            impersonation: None,
            lookup: None,
            pepper: None,
            session_cookie: SessionCookiePolicy::AnyRequest,
            counters: Arc::default(),
        }
    }

    /// Which team credentials are accepted (`TEAM_AUTH_MODE`, default `token`).
    pub fn with_team_mode(mut self, mode: AuthMode) -> Self {
        self.team_mode = mode;
        self
    }

    /// Accepts impersonation and visitor tokens.
    pub fn with_impersonation(mut self, verifier: ImpersonationVerifier) -> Self {
        self.impersonation = Some(verifier);
        self
    }

    /// Sets (or replaces) the team-token lookup; the pepper comes from [`Self::with_pepper`] or
    /// `from_env()`.
    pub fn with_team_token_lookup(mut self, lookup: Arc<dyn TeamTokenLookup>) -> Self {
        self.lookup = Some(lookup);
        self
    }

    /// Sets the team-token pepper.
    pub fn with_pepper(mut self, pepper: TokenPepper) -> Self {
        self.pepper = Some(pepper);
        self
    }

    /// When the web UI's session cookie counts as the credential (`SESSION_COOKIE_CSRF`,
    /// default [`SessionCookiePolicy::AnyRequest`]). Give the request's method with
    /// [`Credentials::with_method`] for the stricter policies to admit it.
    pub fn with_session_cookie_policy(mut self, policy: SessionCookiePolicy) -> Self {
        self.session_cookie = policy;
        self
    }

    /// The session-cookie policy.
    pub fn session_cookie_policy(&self) -> &SessionCookiePolicy {
        &self.session_cookie
    }

    /// The admin authenticator.
    pub fn admin(&self) -> &AdminAuthenticator {
        &self.admin
    }

    /// The impersonation verifier, when impersonation is on.
    pub fn impersonation(&self) -> Option<&ImpersonationVerifier> {
        self.impersonation.as_ref()
    }

    /// Authenticates a request now. JWTs verified before are answered from the verifiers'
    /// verified-token caches (the JTI store is still asked when required).
    pub async fn authenticate(&self, credentials: &Credentials) -> Result<Principal> {
        self.authenticate_as_of(credentials, When::Now).await
    }

    /// [`authenticate`](Self::authenticate) or [`authenticate_at`](Self::authenticate_at), as
    /// `when` says.
    pub async fn authenticate_when(
        &self,
        credentials: &Credentials,
        when: When,
    ) -> Result<Principal> {
        match when {
            When::Now => self.authenticate(credentials).await,
            When::At(now) => self.authenticate_at(credentials, now).await,
        }
    }

    /// Authenticates a request as of `now`; always in full, never from the caches.
    pub async fn authenticate_at(&self, credentials: &Credentials, now: f64) -> Result<Principal> {
        let now = crate::time::checked_instant(now)?;
        self.authenticate_as_of(credentials, When::At(now)).await
    }

    async fn authenticate_as_of(&self, credentials: &Credentials, when: When) -> Result<Principal> {
        let mut presented = Kind::None;
        let result = self.dispatch(credentials, when, &mut presented).await;
        self.record(presented, &result);
        result
    }

    /// Counts one request's outcome under the kind that passed, or the kind presented.
    fn record(&self, presented: Kind, result: &Result<Principal>) {
        self.counters
            .verifications
            .record_with(presented, result, |p| p.auth_kind.counted());
    }

    /// Sends the credential to its verifier, noting in `presented` the kind it was presented as.
    async fn dispatch(
        &self,
        credentials: &Credentials,
        when: When,
        presented: &mut Kind,
    ) -> Result<Principal> {
        let Some(token) = credentials.token_under(&self.session_cookie)? else {
            return match credentials.internal_service.as_deref() {
                Some(value) => {
                    *presented = Kind::InternalService;
                    size_cap::check(value, self.max_credential_bytes())?;
                    self.admin.authenticate_internal_service(value)
                }
                None => Err(err(
                    ErrorCode::MissingCredentials,
                    "no credential: send `Authorization: Bearer <token>`",
                )),
            };
        };
        // Before the shape is read or the issuer peeked at, whichever verifier it would go to.
        size_cap::check(token, self.max_credential_bytes())?;
        match CredentialShape::of(token) {
            CredentialShape::TokenIdAndSecret => {
                *presented = Kind::TeamToken;
                self.team_token(token, when.seconds()).await
            }
            CredentialShape::Jwt => {
                *presented = match names_impersonation_issuer(token) {
                    true if self.impersonation.is_some() => Kind::Impersonation,
                    _ => Kind::Oidc,
                };
                self.jwt(token, when).await
            }
            _ => {
                *presented = Kind::AdminToken;
                self.admin.authenticate_at(token, when.seconds()).await
            }
        }
    }

    async fn team_token(&self, token: &str, now: f64) -> Result<Principal> {
        let (Some(lookup), Some(pepper)) = (&self.lookup, &self.pepper) else {
            return Err(err(
                ErrorCode::InvalidCredentials,
                "team token authentication is not configured (lookup and TOKEN_PEPPER)",
            ));
        };
        let parsed = ParsedTeamToken::parse(token)?;
        let started = std::time::Instant::now();
        let row = lookup.lookup(parsed.token_id()).await.inspect_err(|e| {
            events::lookup_failed(e.code(), started.elapsed());
        })?;
        let Some(row) = row else {
            return Err(err(ErrorCode::InvalidCredentials, "invalid team token"));
        };
        check_stored(&parsed, &row, pepper, now)?;
        match row.kind {
            StoredTokenKind::OrgAdmin => {
                if !self.admin.mode().allows_token() {
                    return Err(off("org-admin token", "ADMIN_AUTH_MODE", self.admin.mode()));
                }
                let mut principal = fixed(Role::Admin, AuthKind::OrgAdminToken, true, &["admin:*"]);
                principal.org_id = Some(row.org_id);
                Ok(principal)
            }
            StoredTokenKind::Team => {
                if !self.team_mode.allows_token() {
                    return Err(off("team token", "TEAM_AUTH_MODE", self.team_mode));
                }
                let mut principal = fixed(Role::Team, AuthKind::TeamToken, true, &TEAM_GRANTS);
                principal.org_id = Some(row.org_id);
                principal.team_node_id = row.team_node_id;
                Ok(principal)
            }
        }
    }

    async fn jwt(&self, token: &str, when: When) -> Result<Principal> {
        if names_impersonation_issuer(token) {
            if let Some(verifier) = &self.impersonation {
                return Ok(verifier.verify_when(token, when).await?.principal());
            }
        }
        let validator = self.oidc_validator().ok_or_else(|| {
            err(
                ErrorCode::InvalidCredentials,
                "jwt authentication is off (no oidc, no impersonation for this issuer)",
            )
        })?;
        let verified = validator.verify_when(token, when).await?;
        self.oidc_principal(&verified)
    }

    /// The size cap at dispatch: the largest credential any configured path reads.
    fn max_credential_bytes(&self) -> usize {
        let oidc = self
            .oidc_validator()
            .map_or(0, |v| v.config().max_token_bytes);
        self.admin.max_credential_bytes().max(oidc)
    }

    /// The OIDC validator when JWTs may sign in as admins or team members.
    fn oidc_validator(&self) -> Option<&OidcValidator> {
        let allowed = self.admin.mode().allows_oidc() || self.team_mode.allows_oidc();
        self.admin.oidc().filter(|_| allowed).map(|v| &**v)
    }

    /// An admin when the admin rules allow, else a team member when team OIDC is on.
    fn oidc_principal(&self, verified: &VerifiedToken) -> Result<Principal> {
        if self.admin.mode().allows_oidc() {
            match self.admin.oidc_principal(verified) {
                Err(e) if e.code() == ErrorCode::NotAdmin && self.team_mode.allows_oidc() => {}
                outcome => return outcome,
            }
        }
        team_oidc_principal(verified)
    }

    /// The answer for `credentials` when it needs no work at all: a JWT verified before, whose
    /// verifier answers from its cache without a fetch or a store ([`OidcValidator::verify_hit`],
    /// [`ImpersonationVerifier::verify_hit`]). `None` otherwise; [`authenticate`](Self::authenticate)
    /// then does the rest. For callers that hand authentication to another thread (the Node
    /// binding): a repeat request is answered where it is.
    pub fn authenticate_hit(&self, credentials: &Credentials) -> Option<Result<Principal>> {
        let (presented, answer) = self.answer_hit(credentials)?;
        self.record(presented, &answer);
        Some(answer)
    }

    /// This authenticator's request counts, with its OIDC key set's and JTI store's figures.
    pub fn stats(&self) -> Stats {
        let mut stats = self.counters.snapshot();
        stats.jwks = self
            .admin
            .oidc()
            .and_then(|v| v.jwks_cache())
            .map(crate::keys::JwksCache::stats);
        stats.jti_store = self
            .impersonation
            .as_ref()
            .and_then(|v| v.stats().jti_store);
        stats
    }

    /// Whether the OIDC key set (if remote) is usable and the JTI store (if any) answers.
    pub async fn health(&self) -> Health {
        let jwks = match self.admin.oidc() {
            Some(validator) => validator.health().await.jwks,
            None => None,
        };
        let store = match &self.impersonation {
            Some(verifier) => verifier.health().await.jti_store,
            None => None,
        };
        Health::of(jwks, store)
    }

    fn answer_hit(&self, credentials: &Credentials) -> Option<(Kind, Result<Principal>)> {
        let token = match credentials.token_under(&self.session_cookie) {
            Ok(token) => token?,
            Err(refused) => return Some((Kind::None, Err(refused))),
        };
        // An oversized token is never peeked at; `authenticate` refuses it.
        size_cap::check(token, self.max_credential_bytes()).ok()?;
        if CredentialShape::of(token) != CredentialShape::Jwt {
            return None;
        }
        if names_impersonation_issuer(token) {
            if let Some(verifier) = &self.impersonation {
                return verifier
                    .verify_hit(token)
                    .map(|v| (Kind::Impersonation, Ok(v.principal())));
            }
        }
        let verified = self.oidc_validator()?.verify_hit(token)?;
        Some((Kind::Oidc, self.oidc_principal(&verified)))
    }

    /// [`authenticate_hit`](Self::authenticate_hit) for `When::Now`; `None` for an explicit
    /// instant, which always takes the full path ([`authenticate_at`](Self::authenticate_at)).
    pub fn authenticate_hit_when(
        &self,
        credentials: &Credentials,
        when: When,
    ) -> Option<Result<Principal>> {
        match when {
            When::Now => self.authenticate_hit(credentials),
            When::At(_) => None,
        }
    }
}

/// What a team token (and a team OIDC user) may do.
const TEAM_GRANTS: [&str; 2] = ["team:read", "team:write"];

fn fixed(role: Role, kind: AuthKind, can_write: bool, grants: &[&'static str]) -> Principal {
    Principal::with_fixed_grants(
        role,
        kind,
        can_write,
        grants.iter().map(|g| Permission::known(g)),
    )
}

/// A team member signed in with OIDC: the token must name its organisation and team (403
/// otherwise, as the config service answers).
fn team_oidc_principal(verified: &VerifiedToken) -> Result<Principal> {
    let identity = verified.identity();
    let (Some(org_id), Some(team_node_id)) = (&identity.org_id, &identity.team_node_id) else {
        return Err(err(
            ErrorCode::PermissionDenied,
            "the token names no org_id and team_node_id, so it is neither an admin nor a team member",
        ));
    };
    let mut principal = fixed(Role::Team, AuthKind::Oidc, true, &TEAM_GRANTS);
    principal.org_id = Some(org_id.clone());
    principal.team_node_id = Some(team_node_id.clone());
    principal.subject = Some(identity.subject.clone());
    principal.email = identity.email.clone();
    principal.groups = identity.groups.clone();
    Ok(principal)
}

/// Whether the unverified `iss` of a JWT is the impersonation issuer: read only to choose the
/// verifier, which then checks everything, header and strict JSON included. Only the payload is
/// decoded and only `iss` kept, because this runs before every JWT authentication, cache hits
/// included, where a full strict parse of the token cost more than the hit itself.
fn names_impersonation_issuer(token: &str) -> bool {
    #[derive(Deserialize)]
    struct Issuer<'a> {
        #[serde(borrow)]
        iss: Option<Cow<'a, str>>,
    }
    let Some(bytes) = token.split('.').nth(1).and_then(b64::decode) else {
        return false;
    };
    serde_json::from_slice::<Issuer<'_>>(&bytes)
        .is_ok_and(|peek| peek.iss.as_deref() == Some(IMPERSONATION_ISSUER))
}

fn off(what: &str, variable: &str, mode: AuthMode) -> crate::error::Error {
    err(
        ErrorCode::InvalidCredentials,
        format!("{what} authentication is off ({variable}={mode})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            b64::encode(br#"{"alg":"HS256"}"#),
            b64::encode(payload.as_bytes())
        )
    }

    #[test]
    fn routes_on_the_payload_iss_only() {
        let yes = |payload: &str| names_impersonation_issuer(&token(payload));
        assert!(yes(r#"{"iss":"incidentfox-config-service","sub":"x"}"#));
        // Escapes decode as the verifier's parser decodes them.
        assert!(yes(
            r#"{"sub":{"a":[1]},"iss":"incidentfox\u002dconfig-service"}"#
        ));
        assert!(!yes(r#"{"iss":"https://idp.example.com"}"#));
        assert!(!yes(r#"{"iss":null}"#));
        assert!(!yes(r#"{"iss":1}"#));
        assert!(!yes(r#"{"sub":"x"}"#));
        assert!(!yes(r#"["iss"]"#));
        assert!(!yes("not json"));
        // Two `iss` members: no route to impersonation (the OIDC verifier refuses the token).
        assert!(!yes(
            r#"{"iss":"incidentfox-config-service","iss":"https://idp.example.com"}"#
        ));
        assert!(!names_impersonation_issuer("no-dots"));
        assert!(!names_impersonation_issuer("a.!!!.c"));
    }
}
