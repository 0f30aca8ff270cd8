//! Orchestrator route checks: a named route → required permission table, and the decision on
//! one route.

use super::decision::{Decision, DenyReason};
use super::grants::Grants;
use crate::config::{EnvReader, FromEnv};
use crate::error::{err, ErrorCode, Result};
use crate::permissions::Permission;
use crate::text::clip;

/// Routes whose permission comes from an `ORCHESTRATOR_REQUIRED_PERMISSION_*` variable: (route
/// name, variable, the orchestrator's default).
pub const CONFIGURABLE_ROUTES: [(&str, &str, &str); 3] = [
    (
        "provision_team",
        "ORCHESTRATOR_REQUIRED_PERMISSION_PROVISION_TEAM",
        "admin:provision",
    ),
    (
        "provision_read",
        "ORCHESTRATOR_REQUIRED_PERMISSION_PROVISION_READ",
        "admin:provision:read",
    ),
    (
        "agent_run",
        "ORCHESTRATOR_REQUIRED_PERMISSION_AGENT_RUN",
        "admin:agent:run",
    ),
];

/// Routes with a fixed permission, as in the orchestrator.
pub const FIXED_ROUTES: [(&str, &str); 5] = [
    ("pipeline_trigger", "admin:pipeline:trigger"),
    ("cronjobs_sync", "admin:cronjobs:sync"),
    ("deployment_read", "admin:deployment:read"),
    ("pipeline_read", "admin:pipeline:read"),
    ("deprovision", "admin:deprovision"),
];

/// One named route and the permission it requires (`None`: admin is enough).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The route's name, e.g. `provision_team`.
    pub name: String,
    /// The permission required, or `None` when the check is skipped.
    pub required: Option<Permission>,
}

/// The route table plus the `ORCHESTRATOR_REQUIRE_ADMIN_STAR` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    routes: Vec<Route>,
    require_admin_star: bool,
}

impl Default for RouteTable {
    /// The orchestrator's routes and defaults, with `require_admin_star` on.
    fn default() -> Self {
        let configurable = CONFIGURABLE_ROUTES
            .iter()
            .map(|(name, _, default)| (*name, *default));
        let routes = configurable
            .chain(FIXED_ROUTES.iter().copied())
            .map(|(name, permission)| Route {
                name: name.to_owned(),
                required: Some(Permission::known(permission)),
            })
            .collect();
        RouteTable {
            routes,
            require_admin_star: true,
        }
    }
}

impl RouteTable {
    /// The configurable routes whose check is skipped, with the variable that skips it (for
    /// `check-config`).
    pub fn skipped_checks(&self) -> Vec<(&'static str, &'static str)> {
        CONFIGURABLE_ROUTES
            .iter()
            .filter(|(name, _, _)| matches!(self.required(name), Ok(None)))
            .map(|(name, variable, _)| (*name, *variable))
            .collect()
    }

    /// Adds or replaces a route.
    pub fn with_route(mut self, name: &str, required: Option<Permission>) -> RouteTable {
        match self.routes.iter_mut().find(|r| r.name == name) {
            Some(route) => route.required = required,
            None => self.routes.push(Route {
                name: name.to_owned(),
                required,
            }),
        }
        self
    }

    /// Sets whether every admin must hold `admin:*` (or `*`) literally.
    pub fn with_require_admin_star(mut self, require: bool) -> RouteTable {
        self.require_admin_star = require;
        self
    }

    /// Whether every admin must hold `admin:*` (or `*`).
    pub fn require_admin_star(&self) -> bool {
        self.require_admin_star
    }

    /// The routes, in order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The permission `route` requires; an unknown route is `invalid_config` (a typo in a
    /// service must not open a route).
    pub fn required(&self, route: &str) -> Result<Option<&Permission>> {
        self.routes
            .iter()
            .find(|r| r.name == route)
            .map(|r| r.required.as_ref())
            .ok_or_else(|| {
                err(
                    ErrorCode::InvalidConfig,
                    format!("unknown route `{}`", clip(route)),
                )
            })
    }

    /// The route check on the facts of a principal, which `authorize` and `authorize_for_org`
    /// (written beside [`Principal`](crate::Principal)) hand over: the table sits below the
    /// principal, so it takes the facts rather than the principal. `Err` only for an unknown
    /// route.
    pub(crate) fn decide(
        &self,
        route: &str,
        is_admin: bool,
        may_act_on_org: bool,
        grants: &Grants,
    ) -> Result<Decision> {
        let required = self.required(route)?;
        let named = || required.map(|p| p.as_str().to_owned());
        if !is_admin {
            return Ok(Decision::denied(named(), DenyReason::NotAdmin));
        }
        if !may_act_on_org {
            return Ok(Decision::denied(named(), DenyReason::OrgScope));
        }
        let star = grants
            .iter()
            .position(|(p, _)| matches!(p.as_str(), "admin:*" | "*"));
        if self.require_admin_star && star.is_none() {
            return Ok(Decision::denied(named(), DenyReason::AdminStarRequired));
        }
        match required {
            Some(permission) => Ok(grants.explain(permission)),
            None => Ok(match star.filter(|_| self.require_admin_star) {
                Some(index) => grants.allow_by(index, None),
                None => Decision::allow_unconditionally(),
            }),
        }
    }
}

/// `ORCHESTRATOR_REQUIRE_ADMIN_STAR` and `ORCHESTRATOR_REQUIRED_PERMISSION_*`, read as the
/// orchestrator reads them (`(os.getenv(X) or default).strip()`): unset or empty keeps the
/// default; a value of only whitespace skips that route's check (admin is then enough, and
/// `check-config` reports it); a malformed permission is a problem naming the variable and value.
impl FromEnv for RouteTable {
    type Output = RouteTable;

    fn read_env(env: &mut EnvReader<'_>) -> RouteTable {
        let mut table = RouteTable::default()
            .with_require_admin_star(env.flag("ORCHESTRATOR_REQUIRE_ADMIN_STAR", true));
        for (name, variable, _) in CONFIGURABLE_ROUTES {
            let Some(value) = env.untrimmed(variable).filter(|v| !v.is_empty()) else {
                continue;
            };
            let value = value.trim();
            let required = if value.is_empty() {
                None
            } else {
                match Permission::parse(value) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        env.problem(format!(
                            "{variable} value `{}`: {}",
                            clip(value),
                            e.message()
                        ));
                        continue;
                    }
                }
            };
            table = table.with_route(name, required);
        }
        table
    }
}
