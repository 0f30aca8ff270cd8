//! One report over every variable the library reads (`incidentfox-auth check-config`).

use crate::authenticate::AdminAuthenticator;
use crate::config::{EnvReader, EnvSource, FromEnv};
use crate::impersonation::ImpersonationConfig;
use crate::rbac::RouteTable;
use crate::secret::{ALLOW_SHORT_SECRETS_ENV_VAR, MIN_SECRET_BYTES};
use crate::team_tokens::PEPPER_ENV_VAR;
use serde::Serialize;

/// Everything found while reading the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfigReport {
    /// Problems that make a component refuse to start.
    pub problems: Vec<String>,
    /// Things worth knowing that do not stop anything (keys dropped from an inline set).
    pub notes: Vec<String>,
}

impl ConfigReport {
    /// Whether no problem was found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads every component's variables from `source` and reports all problems at once.
///
/// Remote key sets are not fetched (the URL is checked, not called); an inline set is parsed
/// and its dropped keys are listed as notes.
pub fn check_env(source: &dyn EnvSource) -> ConfigReport {
    let mut env = EnvReader::new(source);
    let admin = AdminAuthenticator::read_service_env(&mut env, source);
    for problem in admin.problems() {
        env.problem(problem);
    }
    let mut notes = Vec::new();
    if admin.is_off() {
        notes.push(
            "admin authentication is off (ADMIN_AUTH_MODE unset, no ADMIN_TOKEN): \
             every admin credential is refused"
                .to_owned(),
        );
    }
    let routes = RouteTable::read_env(&mut env);
    for (route, variable) in routes.skipped_checks() {
        env.problem(format!(
            "{variable} is blank: route `{route}` admits any admin (its permission check is skipped)"
        ));
    }
    let _ = crate::authenticate::read_team_mode(&mut env);
    let _ = crate::authenticate::read_session_cookie_policy(&mut env);
    let _ = crate::hooks::HookSettings::read_env(&mut env);
    // The legacy opt-out lets a short secret start, but it is reported at problem level: it is
    // a weakness an operator must see, not a note.
    if env.opt_in(ALLOW_SHORT_SECRETS_ENV_VAR) {
        for name in ["IMPERSONATION_JWT_SECRET", "ADMIN_TOKEN"] {
            if env.text(name).is_some_and(|v| v.len() < MIN_SECRET_BYTES) {
                env.problem(format!(
                    "{name} is shorter than {MIN_SECRET_BYTES} bytes, accepted only because \
                     {ALLOW_SHORT_SECRETS_ENV_VAR}=1 (legacy opt-out): rotate it"
                ));
            }
        }
    }
    if let Some(login) = crate::login::LoginConfig::read_env(&mut env) {
        notes.extend(login.env_notes());
    }
    if let Some(config) = ImpersonationConfig::read_env(&mut env) {
        if config.records_at_mint() || config.needs_store_at_verify() {
            if let Err(e) = crate::jti::store_from_env_source(source) {
                env.problem(e.message().to_owned());
            }
        }
    }
    if env.raw(PEPPER_ENV_VAR).is_some_and(|p| p.is_empty()) {
        env.problem(format!("{PEPPER_ENV_VAR} is set but empty"));
    }
    if let Some(validator) = admin.oidc_validator() {
        if validator.jwks_cache().is_none() {
            if let Ok(set) = validator.cached_key_set() {
                for dropped in set.dropped() {
                    notes.push(format!(
                        "OIDC_JWKS_JSON: key `{}` dropped: {}",
                        dropped.kid.as_deref().unwrap_or("(no kid)"),
                        dropped.reason
                    ));
                }
            }
        }
    }
    ConfigReport {
        problems: env.problems().list().to_vec(),
        notes,
    }
}
