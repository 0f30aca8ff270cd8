//! `AdminAuthenticator::from_env()`: the services' admin variables plus the internal-service secret.

use super::admin::{AdminAuthBuilder, AdminAuthenticator, InternalService};
use super::mode::AuthMode;
use crate::config::{EnvReader, EnvSource, FromEnv, ProcessEnv};
use crate::error::Result;
use crate::oidc::{OidcConfig, OidcValidator};
use crate::permissions::Permission;
use crate::rbac::RbacPolicy;
use crate::secret::{Secret, ALLOW_SHORT_SECRETS_ENV_VAR};
use crate::text::clip;
use std::sync::Arc;

impl AdminAuthenticator {
    /// Reads the process environment.
    pub fn from_env() -> Result<AdminAuthenticator> {
        AdminAuthenticator::from_env_source(&ProcessEnv)
    }

    /// Reads `ADMIN_AUTH_MODE`, `ADMIN_TOKEN`, `OIDC_ADMIN_GROUP`, the `OIDC_*` variables, the
    /// RBAC variables, `INTERNAL_SERVICE_SECRET` and `INTERNAL_SERVICE_PERMISSIONS` from `source`;
    /// every problem is named in one `invalid_config`.
    pub fn from_env_source(source: &dyn EnvSource) -> Result<AdminAuthenticator> {
        let mut env = EnvReader::new(source);
        let builder = AdminAuthenticator::read_env(&mut env);
        let problems = builder.problems();
        for problem in problems {
            env.problem(problem);
        }
        env.finish(())?;
        builder.build()
    }

    /// Reads through `env`, recording problems there; the builder's own checks are left to the
    /// caller.
    /// [`read_env`](Self::read_env) for a whole service (`Authenticator::from_env`,
    /// `check-config`): a service that names no `ADMIN_AUTH_MODE` may serve team tokens alone
    /// (`TOKEN_PEPPER` only), its admin credentials then refused rather than its whole
    /// configuration.
    pub(crate) fn read_service_env(
        env: &mut EnvReader<'_>,
        source: &dyn EnvSource,
    ) -> AdminAuthBuilder {
        let mode_named = source
            .var("ADMIN_AUTH_MODE")
            .is_some_and(|v| !v.trim().is_empty());
        AdminAuthenticator::read_env(env).optional(!mode_named)
    }

    pub(crate) fn read_env(env: &mut EnvReader<'_>) -> AdminAuthBuilder {
        let mut builder = AdminAuthenticator::builder();
        let mode_name = env.text_or("ADMIN_AUTH_MODE", "token");
        match AuthMode::parse(&mode_name) {
            Some(mode) => builder = builder.mode(mode),
            None => env.problem(format!(
                "ADMIN_AUTH_MODE must be token, oidc or both, got `{}`",
                clip(&mode_name)
            )),
        }
        builder = builder.allow_short_admin_token(env.opt_in(ALLOW_SHORT_SECRETS_ENV_VAR));
        if let Some(token) = env.text("ADMIN_TOKEN") {
            builder = builder.admin_token(Secret::new(token));
        }
        if let Some(group) = env.raw("OIDC_ADMIN_GROUP") {
            builder = builder.admin_group(group);
        }
        builder = builder.rbac(RbacPolicy::read_env(env));
        if let Some(config) = OidcConfig::read_env(env) {
            match OidcValidator::new(config) {
                Ok(validator) => builder = builder.oidc(Arc::new(validator)),
                Err(e) => env.problem(format!("oidc: {}", e.message())),
            }
        }
        if let Some(secret) = env.text("INTERNAL_SERVICE_SECRET") {
            let grants =
                env.parsed_list("INTERNAL_SERVICE_PERMISSIONS", "admin:*", Permission::parse);
            match InternalService::new(Secret::new(secret), grants) {
                Ok(service) => builder = builder.internal_service(service),
                Err(_) => env.problem(format!(
                    "INTERNAL_SERVICE_SECRET must be at least {} bytes",
                    super::admin::MIN_INTERNAL_SERVICE_SECRET_BYTES
                )),
            }
        }
        builder
    }
}
