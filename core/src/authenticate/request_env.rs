//! `Authenticator::from_env()`: every variable of admin, team, impersonation and team-token
//! authentication.

use super::admin::AdminAuthenticator;
use super::mode::AuthMode;
use super::request::Authenticator;
use crate::config::{EnvReader, EnvSource, ProcessEnv};
use crate::error::Result;
use crate::impersonation::{ImpersonationConfig, ImpersonationVerifier};
use crate::jti::JtiStore;
use crate::team_tokens::TokenPepper;
use crate::text::clip;
use std::sync::Arc;

impl Authenticator {
    /// Reads the process environment; `jti_store` backs impersonation verification when
    /// `IMPERSONATION_JTI_DB_REQUIRE=1` (or single use). Add the team-token lookup with
    /// [`Authenticator::with_team_token_lookup`].
    pub fn from_env(jti_store: Option<Arc<dyn JtiStore>>) -> Result<Authenticator> {
        Authenticator::from_env_source(&ProcessEnv, jti_store)
    }

    /// Reads `source`; every problem of every component is named in one `invalid_config`.
    /// `SESSION_COOKIE_CSRF` (with `WEB_UI_PUBLIC_BASE_URL` for `origin`) sets the
    /// [`SessionCookiePolicy`](super::SessionCookiePolicy).
    pub fn from_env_source(
        source: &dyn EnvSource,
        jti_store: Option<Arc<dyn JtiStore>>,
    ) -> Result<Authenticator> {
        let mut env = EnvReader::new(source);
        let admin = AdminAuthenticator::read_service_env(&mut env, source);
        for problem in admin.problems() {
            env.problem(problem);
        }
        let team_mode = read_team_mode(&mut env);
        let session_cookie = super::session_cookie::read_session_cookie_policy(&mut env);
        let impersonation = ImpersonationConfig::read_env(&mut env);
        let pepper = env
            .raw(crate::team_tokens::PEPPER_ENV_VAR)
            .filter(|p| !p.is_empty())
            .and_then(|_| TokenPepper::from_env_source(source).ok());
        env.finish(())?;
        let mut authenticator = Authenticator::new(admin.build()?)
            .with_team_mode(team_mode)
            .with_session_cookie_policy(session_cookie);
        if let Some(config) = impersonation {
            authenticator =
                authenticator.with_impersonation(ImpersonationVerifier::new(config, jti_store)?);
        }
        if let Some(pepper) = pepper {
            authenticator = authenticator.with_pepper(pepper);
        }
        Ok(authenticator)
    }
}

/// `TEAM_AUTH_MODE`: `token` (default), `oidc` or `both`.
pub(crate) fn read_team_mode(env: &mut EnvReader<'_>) -> AuthMode {
    let name = env.text_or("TEAM_AUTH_MODE", "token");
    AuthMode::parse(&name).unwrap_or_else(|| {
        env.problem(format!(
            "TEAM_AUTH_MODE must be token, oidc or both, got `{}`",
            clip(&name)
        ));
        AuthMode::Token
    })
}
