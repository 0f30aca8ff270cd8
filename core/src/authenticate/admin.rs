//! Admin authentication: the break-glass token, OIDC admins, and the internal-service secret.

use super::credential::CredentialShape;
use super::mode::AuthMode;
use crate::error::{err, ErrorCode, Result};
use crate::oidc::{ClaimNames, OidcValidator, VerifiedToken};
use crate::permissions::Permission;
use crate::principal::{AuthKind, Principal, Role};
use crate::rbac::{Grants, RbacPolicy};
use crate::secret::{Secret, ALLOW_SHORT_SECRETS_ENV_VAR, MIN_SECRET_BYTES};
use crate::size_cap;
use crate::text::clip;
use crate::time::When;
use std::sync::Arc;

/// The group that makes an OIDC user an admin when `OIDC_ADMIN_GROUP` is unset.
pub const DEFAULT_ADMIN_GROUP: &str = "incidentfox-config-admin";

/// The header carrying the internal-service secret.
pub const INTERNAL_SERVICE_HEADER: &str = "X-Internal-Service";

/// Shortest internal-service secret accepted, in bytes (rules out the services' fixed `agent`).
pub const MIN_INTERNAL_SERVICE_SECRET_BYTES: usize = MIN_SECRET_BYTES;

/// The internal-service credential: a shared secret and the grants it brings.
#[derive(Debug, Clone)]
pub struct InternalService {
    secret: Secret,
    grants: Vec<Permission>,
}

impl InternalService {
    /// A secret of at least [`MIN_INTERNAL_SERVICE_SECRET_BYTES`] bytes and its grants.
    pub fn new(secret: Secret, grants: Vec<Permission>) -> Result<InternalService> {
        if secret.len() < MIN_INTERNAL_SERVICE_SECRET_BYTES {
            return Err(err(
                ErrorCode::InvalidConfig,
                format!(
                    "the internal-service secret must be at least {MIN_INTERNAL_SERVICE_SECRET_BYTES} bytes"
                ),
            ));
        }
        Ok(InternalService { secret, grants })
    }
}

/// Settings for [`AdminAuthenticator`]; build one with [`AdminAuthenticator::builder`].
#[derive(Debug, Clone, Default)]
pub struct AdminAuthBuilder {
    mode: AuthMode,
    admin_token: Option<Secret>,
    oidc: Option<Arc<OidcValidator>>,
    admin_group: Option<String>,
    rbac: RbacPolicy,
    internal_service: Option<InternalService>,
    allow_short_admin_token: bool,
    optional: bool,
}

impl AdminAuthBuilder {
    /// Accepts an admin token shorter than [`MIN_SECRET_BYTES`] (the legacy opt-out,
    /// `AUTH_ALLOW_SHORT_SECRETS=1`).
    pub fn allow_short_admin_token(mut self, allow: bool) -> Self {
        self.allow_short_admin_token = allow;
        self
    }

    /// Admin authentication may be left unconfigured: in the default `token` mode without an
    /// admin token, every admin credential is refused (`invalid_credentials`) instead of the
    /// settings being `invalid_config`. For services that serve team tokens only; the
    /// [`Authenticator`](crate::Authenticator) read from the environment sets it when
    /// `ADMIN_AUTH_MODE` is unset.
    pub fn optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// Whether these settings accept no admin credential at all: optional, and nothing
    /// configured.
    pub fn is_off(&self) -> bool {
        self.optional && self.mode == AuthMode::Token && self.admin_token.is_none()
    }

    /// Which credentials are accepted (default `token`).
    pub fn mode(mut self, mode: AuthMode) -> Self {
        self.mode = mode;
        self
    }

    /// The break-glass admin token.
    pub fn admin_token(mut self, token: Secret) -> Self {
        self.admin_token = Some(token);
        self
    }

    /// The OIDC validator for admin tokens.
    pub fn oidc(mut self, validator: Arc<OidcValidator>) -> Self {
        self.oidc = Some(validator);
        self
    }

    /// The group that makes an OIDC user an admin (default [`DEFAULT_ADMIN_GROUP`]).
    pub fn admin_group(mut self, group: impl Into<String>) -> Self {
        self.admin_group = Some(group.into());
        self
    }

    /// How OIDC admins' groups become permissions (default: everyone gets `admin:*`).
    pub fn rbac(mut self, policy: RbacPolicy) -> Self {
        self.rbac = policy;
        self
    }

    /// Accepts the internal-service secret in [`INTERNAL_SERVICE_HEADER`].
    pub fn internal_service(mut self, service: InternalService) -> Self {
        self.internal_service = Some(service);
        self
    }

    /// The OIDC validator set so far.
    pub fn oidc_validator(&self) -> Option<&Arc<OidcValidator>> {
        self.oidc.as_ref()
    }

    /// Every problem with these settings, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.mode == AuthMode::Token && self.admin_token.is_none() && !self.optional {
            problems.push("ADMIN_TOKEN is required when ADMIN_AUTH_MODE=token".to_owned());
        }
        if self.mode.allows_oidc() && self.oidc.is_none() {
            problems.push(format!(
                "ADMIN_AUTH_MODE={} needs OIDC (OIDC_ENABLED=1, OIDC_ISSUER, OIDC_AUDIENCE)",
                self.mode
            ));
        }
        if let Some(token) = &self.admin_token {
            if token.is_empty() {
                problems.push("ADMIN_TOKEN is empty".to_owned());
            } else if token.len() < MIN_SECRET_BYTES && !self.allow_short_admin_token {
                problems.push(format!(
                    "ADMIN_TOKEN must be at least {MIN_SECRET_BYTES} bytes \
                     ({ALLOW_SHORT_SECRETS_ENV_VAR}=1 accepts a shorter one, for legacy deployments)"
                ));
            }
            if token.expose().contains(&b'.') {
                problems.push(
                    "ADMIN_TOKEN must not contain a dot (credentials with dots are team tokens or jwts)"
                        .to_owned(),
                );
            }
        }
        if self
            .admin_group
            .as_deref()
            .is_some_and(|g| g.trim().is_empty())
        {
            problems.push("OIDC_ADMIN_GROUP is empty".to_owned());
        }
        problems
    }

    /// Checks the settings; every problem is named in one `invalid_config`.
    pub fn build(self) -> Result<AdminAuthenticator> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(err(
                ErrorCode::InvalidConfig,
                format!("invalid admin authentication: {}", problems.join("; ")),
            ));
        }
        Ok(AdminAuthenticator {
            mode: self.mode,
            admin_token: self.admin_token,
            oidc: self.oidc,
            admin_group: self
                .admin_group
                .unwrap_or_else(|| DEFAULT_ADMIN_GROUP.to_owned()),
            rbac: self.rbac,
            internal_service: self.internal_service,
        })
    }
}

/// Authenticates admins and returns their [`Principal`].
///
/// - No dot: the break-glass `ADMIN_TOKEN` (modes `token`, `both`), compared in constant time;
///   grants `admin:*`.
/// - Two dots: an OIDC token (modes `oidc`, `both`) verified by the validator; the subject must be
///   in the admin group (`not_admin`, 403); grants come from the [`RbacPolicy`] over the groups
///   claim the validator is configured with.
/// - The internal-service secret, when configured, through
///   [`AdminAuthenticator::authenticate_internal_service`].
#[derive(Debug, Clone)]
pub struct AdminAuthenticator {
    mode: AuthMode,
    admin_token: Option<Secret>,
    oidc: Option<Arc<OidcValidator>>,
    admin_group: String,
    rbac: RbacPolicy,
    internal_service: Option<InternalService>,
}

impl AdminAuthenticator {
    /// Starts building an authenticator.
    pub fn builder() -> AdminAuthBuilder {
        AdminAuthBuilder::default()
    }

    /// The accepted credentials.
    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// The OIDC validator, when OIDC is on.
    pub fn oidc(&self) -> Option<&Arc<OidcValidator>> {
        self.oidc.as_ref()
    }

    /// The RBAC policy.
    pub fn rbac(&self) -> &RbacPolicy {
        &self.rbac
    }

    /// The admin group.
    pub fn admin_group(&self) -> &str {
        &self.admin_group
    }

    /// Authenticates `credential` (a bearer value, without the `Bearer ` prefix) now; a token
    /// verified before is answered from the validator's verified-token cache.
    pub async fn authenticate(&self, credential: &str) -> Result<Principal> {
        self.authenticate_when(credential, When::Now).await
    }

    /// Authenticates `credential` as of `now`, fetching keys when needed; always in full.
    pub async fn authenticate_at(&self, credential: &str, now: f64) -> Result<Principal> {
        let now = crate::time::checked_instant(now)?;
        self.authenticate_when(credential, When::At(now)).await
    }

    async fn authenticate_when(&self, credential: &str, when: When) -> Result<Principal> {
        size_cap::check(credential, self.max_credential_bytes())?;
        match CredentialShape::of(credential) {
            CredentialShape::Jwt => {
                let verified = self.oidc_validator()?.verify_when(credential, when).await?;
                self.oidc_principal(&verified)
            }
            _ => self.opaque_principal(credential),
        }
    }

    /// Authenticates `credential` as of `now` with keys already loaded; never touches the
    /// network.
    pub fn authenticate_cached_at(&self, credential: &str, now: f64) -> Result<Principal> {
        size_cap::check(credential, self.max_credential_bytes())?;
        let now = crate::time::checked_instant(now)?;
        match CredentialShape::of(credential) {
            CredentialShape::Jwt => {
                let verified = self.oidc_validator()?.verify_cached_at(credential, now)?;
                self.oidc_principal(&verified)
            }
            _ => self.opaque_principal(credential),
        }
    }

    /// The largest credential any accepted path reads: 16 KiB, or the OIDC validator's
    /// `max_token_bytes` when OIDC is on and allows more. Each path applies its own cap again.
    pub(crate) fn max_credential_bytes(&self) -> usize {
        let oidc = self
            .oidc
            .as_ref()
            .filter(|_| self.mode.allows_oidc())
            .map_or(0, |v| v.config().max_token_bytes);
        size_cap::MAX_TOKEN_BYTES.max(oidc)
    }

    fn oidc_validator(&self) -> Result<&OidcValidator> {
        match (&self.oidc, self.mode.allows_oidc()) {
            (Some(validator), true) => Ok(validator),
            _ => Err(err(
                ErrorCode::InvalidCredentials,
                format!(
                    "oidc admin authentication is off (ADMIN_AUTH_MODE={})",
                    self.mode
                ),
            )),
        }
    }

    fn opaque_principal(&self, credential: &str) -> Result<Principal> {
        match CredentialShape::of(credential) {
            CredentialShape::Empty => Err(err(
                ErrorCode::MissingCredentials,
                "no admin credential was presented",
            )),
            CredentialShape::Opaque => {
                let token = match (&self.admin_token, self.mode.allows_token()) {
                    (Some(token), true) => token,
                    (None, true) => {
                        return Err(err(
                            ErrorCode::InvalidCredentials,
                            "admin authentication is not configured (no ADMIN_TOKEN)",
                        ))
                    }
                    _ => {
                        return Err(err(
                            ErrorCode::InvalidCredentials,
                            format!(
                                "admin token authentication is off (ADMIN_AUTH_MODE={})",
                                self.mode
                            ),
                        ))
                    }
                };
                if !token.matches(credential.as_bytes()) {
                    return Err(err(ErrorCode::InvalidCredentials, "invalid admin token"));
                }
                Ok(admin_token_principal())
            }
            _ => Err(err(
                ErrorCode::InvalidCredentials,
                "not an admin credential (expected the admin token or a jwt)",
            )),
        }
    }

    /// The principal of a verified OIDC token: `not_admin` unless the admin group is among its
    /// groups; permissions resolved from the groups by the RBAC policy.
    pub fn oidc_principal(&self, verified: &VerifiedToken) -> Result<Principal> {
        let identity = verified.identity();
        if !identity.groups.contains(&self.admin_group) {
            return Err(err(
                ErrorCode::NotAdmin,
                format!(
                    "subject `{}` is not in the admin group `{}`",
                    clip(&identity.subject),
                    clip(&self.admin_group)
                ),
            ));
        }
        let mut principal = Principal::new(
            Role::Admin,
            AuthKind::Oidc,
            true,
            self.rbac.resolve(&identity.groups),
        );
        principal.subject = Some(identity.subject.clone());
        principal.email = identity.email.clone();
        principal.org_id = identity.org_id.clone();
        principal.team_node_id = identity.team_node_id.clone();
        principal.groups = identity.groups.clone();
        Ok(principal)
    }

    /// The grants of an admin whose claims are `claims` (verified elsewhere), with the groups
    /// read from the claim the OIDC validator is configured with (`OIDC_GROUPS_CLAIM`), or
    /// `groups` without OIDC. The admin-group check is not applied: this answers "what may these
    /// groups do", as the services' `resolve_admin_permissions` does.
    pub fn grants_from_claims(
        &self,
        claims: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Grants> {
        let groups_claim = self
            .oidc
            .as_ref()
            .map(|v| v.config().claims.groups.clone())
            .unwrap_or_else(|| ClaimNames::default().groups);
        self.rbac.resolve_claims(claims, &groups_claim)
    }

    /// Authenticates the value of the [`INTERNAL_SERVICE_HEADER`] header against the configured
    /// secret, in constant time. Without a configured secret every value is refused: the
    /// services' fixed `X-Internal-Service: agent` is not a credential.
    pub fn authenticate_internal_service(&self, value: &str) -> Result<Principal> {
        let Some(service) = &self.internal_service else {
            return Err(err(
                ErrorCode::InvalidCredentials,
                "internal-service authentication is not configured (INTERNAL_SERVICE_SECRET)",
            ));
        };
        if !service.secret.matches(value.trim().as_bytes()) {
            return Err(err(
                ErrorCode::InvalidCredentials,
                "invalid internal-service secret",
            ));
        }
        let mut principal = Principal::with_fixed_grants(
            Role::Admin,
            AuthKind::InternalService,
            true,
            service.grants.iter().cloned(),
        );
        principal.subject = Some("internal-service".to_owned());
        Ok(principal)
    }
}

/// The grants of the break-glass admin token, without authenticating one.
pub fn admin_token_grants() -> Grants {
    admin_token_principal().permissions
}

/// The break-glass admin: `admin:*`, may write.
pub fn admin_token_principal() -> Principal {
    Principal::with_fixed_grants(
        Role::Admin,
        AuthKind::AdminToken,
        true,
        [Permission::known("admin:*")],
    )
}
