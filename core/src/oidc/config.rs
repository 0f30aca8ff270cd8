//! What an OIDC validator checks, with the services' current defaults.

use crate::error::{err, ErrorCode, Result};
use crate::jose::Algorithm;
use crate::keys::JwksSettings;
use crate::verified_cache::VerifiedCacheSettings;
use std::time::Duration;

/// Largest token accepted by default, in bytes, checked before any decoding.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = crate::size_cap::MAX_TOKEN_BYTES;
/// The largest size cap accepted: a cap is a cap only while it bounds the work a token can
/// cause, and no OpenID Provider issues tokens near a mebibyte.
pub const MAX_MAX_TOKEN_BYTES: usize = 1024 * 1024;

/// Default clock leeway, in seconds (`OIDC_LEEWAY_SECONDS`).
pub const DEFAULT_LEEWAY_SECONDS: f64 = 30.0;

/// Where the validator gets its keys.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// An inline JWKS document (`OIDC_JWKS_JSON`; development and tests).
    Inline(String),
    /// A JWKS URL (`OIDC_JWKS_URL`).
    Url(String),
    /// OIDC discovery from the issuer.
    Discovery,
}

impl KeySource {
    /// The key source a caller's options name, given apart as a binding's constructor takes
    /// them (an inline JWKS, a JWKS URL, discovery): `None` unless exactly one is given.
    pub fn exactly_one(
        inline: Option<String>,
        url: Option<String>,
        discovery: bool,
    ) -> Option<KeySource> {
        match (inline, url, discovery) {
            (Some(json), None, false) => Some(KeySource::Inline(json)),
            (None, Some(url), false) => Some(KeySource::Url(url)),
            (None, None, true) => Some(KeySource::Discovery),
            _ => None,
        }
    }
}

/// Names of the claims the identity is read from (defaults as in the services).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    /// Subject claim (`OIDC_SUBJECT_CLAIM`, default `sub`).
    pub subject: String,
    /// Email claim (`OIDC_EMAIL_CLAIM`, default `email`).
    pub email: String,
    /// Groups claim: a name (`groups`, `cognito:groups`) or a JSON pointer (`/realm_access/roles`)
    /// (`OIDC_GROUPS_CLAIM`, default `groups`).
    pub groups: String,
    /// Organisation claim (`OIDC_ORG_ID_CLAIM`, default `org_id`).
    pub org_id: String,
    /// Team claim (`OIDC_TEAM_NODE_ID_CLAIM`, default `team_node_id`).
    pub team_node_id: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        ClaimNames {
            subject: "sub".into(),
            email: "email".into(),
            groups: "groups".into(),
            org_id: "org_id".into(),
            team_node_id: "team_node_id".into(),
        }
    }
}

/// Everything an [`crate::oidc::OidcValidator`] checks.
///
/// Build with [`OidcConfig::new`] and the `with_*` methods; defaults are the secure ones:
/// RS256 only, `kid` required, leeway 30 s, `exp` and the subject required, 16 KiB cap.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Exact expected `iss`.
    pub issuer: String,
    /// Accepted audiences; a token passes when its `aud` overlaps this list.
    pub audiences: Vec<String>,
    /// Allowed algorithms; never `none` or HMAC.
    pub algorithms: Vec<Algorithm>,
    /// Clock leeway in seconds for `exp`, `nbf` and `iat`.
    pub leeway: f64,
    /// Claim names for the identity.
    pub claims: ClaimNames,
    /// Claims that must be present besides `exp` and the subject claim, which always are (see
    /// [`required`](Self::required)); none by default.
    pub required_claims: Vec<String>,
    /// Accept tokens without `exp` (tokens that never expire): the named opt-out from the one
    /// default requirement that [`with_required_claims`](Self::with_required_claims) cannot
    /// drop. Off by default.
    pub exp_optional: bool,
    /// When set, the header `typ` must be one of these (case-insensitive, per RFC 7515 §4.1.9).
    pub allowed_typ: Option<Vec<String>>,
    /// When set, tokens whose `iat` is older than this are rejected (`iat` then required).
    pub max_age: Option<Duration>,
    /// Whether the header must carry a `kid` (default true, as in the services).
    pub require_kid: bool,
    /// Size cap, checked before decoding.
    pub max_token_bytes: usize,
    /// Where keys come from.
    pub keys: KeySource,
    /// Remote key-set caching.
    pub jwks: JwksSettings,
    /// The verified-token cache (on by default; a zero ttl or size turns it off).
    pub verified_cache: VerifiedCacheSettings,
}

impl OidcConfig {
    /// A configuration with the secure defaults.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, keys: KeySource) -> Self {
        let claims = ClaimNames::default();
        OidcConfig {
            issuer: issuer.into(),
            audiences: vec![audience.into()],
            algorithms: vec![Algorithm::RS256],
            leeway: DEFAULT_LEEWAY_SECONDS,
            required_claims: Vec::new(),
            exp_optional: false,
            claims,
            allowed_typ: None,
            max_age: None,
            require_kid: true,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            keys,
            jwks: JwksSettings::default(),
            verified_cache: VerifiedCacheSettings::default(),
        }
    }

    /// Sets the verified-token cache (`VerifiedCacheSettings { ttl: Duration::ZERO, .. }` turns it
    /// off).
    pub fn with_verified_cache(mut self, settings: VerifiedCacheSettings) -> Self {
        self.verified_cache = settings;
        self
    }

    /// Replaces the accepted audiences.
    pub fn with_audiences(mut self, audiences: Vec<String>) -> Self {
        self.audiences = audiences;
        self
    }

    /// Replaces the algorithm allowlist.
    pub fn with_algorithms(mut self, algorithms: Vec<Algorithm>) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// Sets the leeway in seconds.
    pub fn with_leeway(mut self, seconds: f64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Replaces the claim names; the subject requirement follows the subject claim.
    pub fn with_claim_names(mut self, claims: ClaimNames) -> Self {
        self.claims = claims;
        self
    }

    /// Sets the groups claim (a name or a JSON pointer).
    pub fn with_groups_claim(mut self, claim: impl Into<String>) -> Self {
        self.claims.groups = claim.into();
        self
    }

    /// Requires `claims` too. They add to `exp` and the subject claim, which stay required: a
    /// list that happened to leave `exp` out must not make tokens that never expire acceptable.
    pub fn with_required_claims(mut self, claims: Vec<String>) -> Self {
        self.required_claims = claims;
        self
    }

    /// Accepts tokens without `exp`: the explicit opt-out from requiring it (a token without
    /// `exp` is valid until its key leaves the set).
    pub fn with_exp_optional(mut self, optional: bool) -> Self {
        self.exp_optional = optional;
        self
    }

    /// Every claim a token must carry, in the order they are checked: `exp` (unless
    /// [`exp_optional`](Self::exp_optional)), the subject claim, then
    /// [`required_claims`](Self::required_claims).
    pub fn required(&self) -> impl Iterator<Item = &str> {
        let exp = (!self.exp_optional).then_some("exp");
        exp.into_iter()
            .chain([self.claims.subject.as_str()])
            .chain(self.required_claims.iter().map(String::as_str))
    }

    /// Requires the header `typ` to be one of these.
    pub fn with_allowed_typ(mut self, typ: Vec<String>) -> Self {
        self.allowed_typ = Some(typ);
        self
    }

    /// Rejects tokens issued longer ago than `max_age`.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Whether `kid` is required.
    pub fn with_require_kid(mut self, require: bool) -> Self {
        self.require_kid = require;
        self
    }

    /// Sets the size cap.
    pub fn with_max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = bytes;
        self
    }

    /// Sets the key-set cache settings.
    pub fn with_jwks_settings(mut self, settings: JwksSettings) -> Self {
        self.jwks = settings;
        self
    }

    /// Every problem with this configuration, one line each; empty when it is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.issuer.trim().is_empty() {
            problems.push("issuer is empty".to_string());
        }
        if self.audiences.is_empty() || self.audiences.iter().any(|a| a.trim().is_empty()) {
            problems.push("audience is empty".to_string());
        }
        if self.algorithms.is_empty() {
            problems.push("no algorithm is allowed".to_string());
        }
        for alg in &self.algorithms {
            if alg.is_hmac() {
                problems.push(format!(
                    "algorithm `{alg}` is not allowed for oidc (hmac keys are shared secrets)"
                ));
            }
        }
        problems.extend(crate::time::leeway_problem(
            "OIDC_LEEWAY_SECONDS",
            self.leeway,
        ));
        problems.extend(self.jwks.problems());
        if !(1..=MAX_MAX_TOKEN_BYTES).contains(&self.max_token_bytes) {
            problems.push(format!(
                "OIDC_MAX_TOKEN_BYTES must be from 1 to {MAX_MAX_TOKEN_BYTES}, got `{}`",
                self.max_token_bytes
            ));
        }
        for (what, name) in [
            ("subject", &self.claims.subject),
            ("email", &self.claims.email),
            ("groups", &self.claims.groups),
            ("org_id", &self.claims.org_id),
            ("team_node_id", &self.claims.team_node_id),
        ] {
            if name.trim().is_empty() {
                problems.push(format!("{what} claim name is empty"));
            }
        }
        problems
    }

    /// `Ok` when [`OidcConfig::problems`] is empty, else one `invalid_config` naming them all.
    pub fn validate(&self) -> Result<()> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(err(
                ErrorCode::InvalidConfig,
                format!("invalid oidc configuration: {}", problems.join("; ")),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeySource;

    #[test]
    fn a_key_source_is_named_exactly_once() {
        let json = || Some("{\"keys\": []}".to_owned());
        let url = || Some("https://idp.example/jwks".to_owned());
        assert!(matches!(
            KeySource::exactly_one(json(), None, false),
            Some(KeySource::Inline(_))
        ));
        assert!(matches!(
            KeySource::exactly_one(None, url(), false),
            Some(KeySource::Url(_))
        ));
        assert!(matches!(
            KeySource::exactly_one(None, None, true),
            Some(KeySource::Discovery)
        ));
        for (inline, url, discovery) in [
            (None, None, false),
            (json(), url(), false),
            (json(), None, true),
            (None, url(), true),
            (json(), url(), true),
        ] {
            assert!(KeySource::exactly_one(inline, url, discovery).is_none());
        }
    }
}
