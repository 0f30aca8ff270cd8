//! One report over every variable the library reads (`incidentfox-auth check-config`).

use crate::authenticate::AdminAuthenticator;
use crate::config::{EnvReader, EnvSource};
use crate::rbac::RouteTable;
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
    let admin = AdminAuthenticator::read_env(&mut env);
    for problem in admin.problems() {
        env.problem(problem);
    }
    let _ = RouteTable::read_env(&mut env);
    let mut notes = Vec::new();
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
