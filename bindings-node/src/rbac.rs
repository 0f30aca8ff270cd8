//! Permissions, RBAC, route checks, decisions and the principal.

use crate::convert::env_map;
use crate::errors::{invalid_argument, type_error, IntoJs};
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::rbac::{GroupMap, DEFAULT_ADMIN_PERMISSIONS};
use incidentfox_auth::{AuthKind, ClaimNames, GrantSource, Grants, Permission, Role};
use napi::bindgen_prelude::{Object, Unknown};
use napi::Env;
use napi::{JsValue, ValueType};
use napi_derive::napi;
use std::collections::HashMap;

fn permission(value: &str) -> incidentfox_auth::Result<Permission> {
    Permission::parse(value)
}

fn permissions<S: AsRef<str>>(
    values: impl IntoIterator<Item = S>,
) -> incidentfox_auth::Result<Vec<Permission>> {
    values.into_iter().map(|v| permission(v.as_ref())).collect()
}

/// The permissions of `grants`, as strings.
pub fn names(grants: &Grants) -> Vec<String> {
    grants
        .permissions()
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// An authorization decision: allowed or not, the grant that matched and its source, or the
/// reason.
#[napi]
pub struct Decision {
    inner: incidentfox_auth::Decision,
}

impl From<incidentfox_auth::Decision> for Decision {
    fn from(inner: incidentfox_auth::Decision) -> Self {
        Decision { inner }
    }
}

#[napi]
impl Decision {
    /// Whether the permission is granted.
    #[napi(getter)]
    pub fn allowed(&self) -> bool {
        self.inner.allowed
    }
    /// The grant that matched, when allowed.
    #[napi(getter)]
    pub fn matched_grant(&self) -> Option<String> {
        self.inner.matched_grant.clone()
    }
    /// Where the matching grant came from (`default`, `group:<name>`, the credential kind or
    /// `grants`).
    #[napi(getter)]
    pub fn source(&self) -> Option<String> {
        self.inner.source.clone()
    }
    /// Why it was denied: `permission_denied`, `not_admin` or `admin_star_required`.
    #[napi(
        getter,
        ts_return_type = "'permission_denied' | 'not_admin' | 'admin_star_required' | null"
    )]
    pub fn reason(&self) -> Option<&'static str> {
        self.inner.reason.map(|r| r.as_str())
    }
    /// `{ allowed, matched_grant, source, reason }`, the shape every language prints.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ allowed: boolean; matched_grant: string | null; source: string | null; reason: 'permission_denied' | 'not_admin' | 'admin_star_required' | null }"
    )]
    pub fn to_json(&self) -> serde_json::Value {
        self.inner.to_json()
    }
    /// Throws `ERR_PERMISSION_DENIED` or `ERR_NOT_ADMIN` (403) when denied.
    #[napi]
    pub fn throw_if_denied(&self, env: &Env) -> napi::Result<()> {
        self.inner.clone().into_result().map(|_| ()).js(env)
    }
}

/// Grants compiled for matching (`*` one segment, trailing `*` one or more, bare `*` everything).
#[napi]
pub struct PermissionSet {
    grants: Grants,
}

#[napi]
impl PermissionSet {
    /// Compiles `grants`; a malformed one throws `ERR_INVALID_PERMISSION`.
    #[napi(constructor)]
    pub fn new(env: &Env, grants: Vec<String>) -> napi::Result<Self> {
        Ok(PermissionSet {
            grants: Grants::from_source(permissions(&grants).js(env)?, GrantSource::Explicit),
        })
    }
    /// Whether some grant grants `required`.
    #[napi]
    pub fn grants(&self, env: &Env, required: String) -> napi::Result<bool> {
        Ok(self.grants.grants(&permission(&required).js(env)?))
    }
    /// The first grant that grants `required`, or `null`.
    #[napi]
    pub fn matching_grant(&self, env: &Env, required: String) -> napi::Result<Option<String>> {
        let required = permission(&required).js(env)?;
        Ok(self
            .grants
            .set()
            .matching_grant(&required)
            .map(|p| p.as_str().to_owned()))
    }
    /// The decision for `required` (source `grants`).
    #[napi]
    pub fn explain(&self, env: &Env, required: String) -> napi::Result<Decision> {
        Ok(self.grants.explain(&permission(&required).js(env)?).into())
    }
    /// The grants, in order, without repeats.
    #[napi]
    pub fn to_array(&self) -> Vec<String> {
        names(&self.grants)
    }
    /// As `toArray()`.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> Vec<String> {
        names(&self.grants)
    }
    /// How many grants.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.grants.permissions().len()).unwrap_or(u32::MAX)
    }
}

/// The decision for `required` against explicit `grants` (source `grants`).
#[napi]
pub fn explain(env: &Env, grants: Vec<String>, required: String) -> napi::Result<Decision> {
    let grants = Grants::from_source(permissions(&grants).js(env)?, GrantSource::Explicit);
    Ok(grants.explain(&permission(&required).js(env)?).into())
}

/// Options of `Principal.withGrants`.
#[napi(object)]
pub struct WithGrantsOptions {
    /// How the principal authenticated (default `admin_token`).
    #[napi(
        ts_type = "'admin_token' | 'team_token' | 'oidc' | 'impersonation' | 'visitor' | 'internal_service'"
    )]
    pub auth_kind: Option<String>,
    /// Whether it may change configuration (default true).
    pub can_write: Option<bool>,
}

/// What a team route needs of its caller (`principal.requireTeamMember(need)`).
#[napi(object)]
#[derive(Default)]
pub struct TeamNeed {
    /// The route changes something: read-only principals (impersonation, visitors) are refused.
    pub write: Option<bool>,
    /// The permission the route needs, e.g. `team:write`.
    pub permission: Option<String>,
    /// The org the request acts on; the principal must belong to it (`''` admits nobody).
    pub org_id: Option<String>,
    /// The team the request acts on; the principal must belong to it (`''` admits nobody).
    pub team_node_id: Option<String>,
    /// Whether anonymous visitor tokens are admitted (default false).
    pub allow_visitors: Option<bool>,
}

/// The members a [`TeamNeed`] may have. napi reads the members it knows and ignores the rest,
/// so a misspelt requirement (`writes`) would loosen the check without a word: any other
/// member is a `TypeError` naming these.
const TEAM_NEED_MEMBERS: [&str; 5] = [
    "write",
    "permission",
    "orgId",
    "teamNodeId",
    "allowVisitors",
];

/// `need` as a [`TeamNeed`]: an object whose members are among [`TEAM_NEED_MEMBERS`].
fn team_need(env: &Env, need: &Unknown<'_>) -> napi::Result<TeamNeed> {
    if need.get_type()? != ValueType::Object {
        return Err(type_error(
            env,
            "requireTeamMember: the requirement must be an object".to_owned(),
        ));
    }
    let object = need.coerce_to_object()?;
    let object = &object;
    let unknown = Object::keys(object)?
        .into_iter()
        .find(|name| !TEAM_NEED_MEMBERS.contains(&name.as_str()));
    if let Some(name) = unknown {
        return Err(type_error(
            env,
            format!(
                "requireTeamMember: unknown option `{name}`; the accepted options are {}",
                TEAM_NEED_MEMBERS.join(", ")
            ),
        ));
    }
    // `null` reads as absent, as napi reads an optional member.
    Ok(TeamNeed {
        write: object.get::<Option<bool>>("write")?.flatten(),
        permission: object.get::<Option<String>>("permission")?.flatten(),
        org_id: object.get::<Option<String>>("orgId")?.flatten(),
        team_node_id: object.get::<Option<String>>("teamNodeId")?.flatten(),
        allow_visitors: object.get::<Option<bool>>("allowVisitors")?.flatten(),
    })
}

/// An authenticated caller; `toJSON()` is the `GET /api/v1/auth/me` body.
#[napi]
pub struct Principal {
    pub(crate) inner: incidentfox_auth::Principal,
}

impl From<incidentfox_auth::Principal> for Principal {
    fn from(inner: incidentfox_auth::Principal) -> Self {
        Principal { inner }
    }
}

fn auth_kind(name: &str) -> incidentfox_auth::Result<AuthKind> {
    AuthKind::from_name(name).ok_or_else(|| invalid_argument(format!("unknown authKind `{name}`")))
}

#[napi]
impl Principal {
    /// A principal holding explicit grants (source `grants`), for tests and tools.
    #[napi]
    pub fn with_grants(
        env: &Env,
        #[napi(ts_arg_type = "'admin' | 'team'")] role: String,
        grants: Vec<String>,
        options: Option<WithGrantsOptions>,
    ) -> napi::Result<Principal> {
        let role = Role::from_name(&role)
            .ok_or_else(|| invalid_argument(format!("role must be admin or team, got `{role}`")))
            .js(env)?;
        let (kind, can_write) = options.map_or((None, None), |o| (o.auth_kind, o.can_write));
        let kind = auth_kind(kind.as_deref().unwrap_or("admin_token")).js(env)?;
        let grants = Grants::from_source(permissions(&grants).js(env)?, GrantSource::Explicit);
        Ok(incidentfox_auth::Principal::new(role, kind, can_write.unwrap_or(true), grants).into())
    }
    /// `admin` or `team`.
    #[napi(getter, ts_return_type = "'admin' | 'team'")]
    pub fn role(&self) -> &'static str {
        self.inner.role.as_str()
    }
    /// How the caller authenticated.
    #[napi(
        getter,
        ts_return_type = "'admin_token' | 'team_token' | 'oidc' | 'impersonation' | 'visitor' | 'internal_service'"
    )]
    pub fn auth_kind(&self) -> &'static str {
        self.inner.auth_kind.as_str()
    }
    /// The organisation, when known.
    #[napi(getter)]
    pub fn org_id(&self) -> Option<String> {
        self.inner.org_id.clone()
    }
    /// The team node, when known.
    #[napi(getter)]
    pub fn team_node_id(&self) -> Option<String> {
        self.inner.team_node_id.clone()
    }
    /// The subject, when known.
    #[napi(getter)]
    pub fn subject(&self) -> Option<String> {
        self.inner.subject.clone()
    }
    /// The email, when known.
    #[napi(getter)]
    pub fn email(&self) -> Option<String> {
        self.inner.email.clone()
    }
    /// Whether the caller may change configuration.
    #[napi(getter)]
    pub fn can_write(&self) -> bool {
        self.inner.can_write
    }
    /// The grants, in order.
    #[napi(getter)]
    pub fn permissions(&self) -> Vec<String> {
        names(&self.inner.permissions)
    }
    /// The visitor session, for visitor tokens.
    #[napi(getter)]
    pub fn visitor_session_id(&self) -> Option<String> {
        self.inner.visitor_session_id.clone()
    }
    /// The groups the grants were resolved from (OIDC).
    #[napi(getter)]
    pub fn groups(&self) -> Vec<String> {
        self.inner.groups.clone()
    }
    /// Whether the principal is an admin.
    #[napi(getter)]
    pub fn is_admin(&self) -> bool {
        self.inner.is_admin()
    }
    /// Whether some grant grants `required`.
    #[napi]
    pub fn grants(&self, env: &Env, required: String) -> napi::Result<bool> {
        Ok(self.inner.grants(&permission(&required).js(env)?))
    }
    /// The decision for `required`, naming the grant and its source.
    #[napi]
    pub fn explain(&self, env: &Env, required: String) -> napi::Result<Decision> {
        Ok(self.inner.explain(&permission(&required).js(env)?).into())
    }
    /// Throws unless an admin (`ERR_NOT_ADMIN`) that, when `permission` is given, holds a grant
    /// for it (`ERR_PERMISSION_DENIED`); an org-admin token passes only when `orgId` is its own
    /// org (`ERR_PERMISSION_DENIED` otherwise).
    #[napi]
    pub fn require_admin(
        &self,
        env: &Env,
        permission: Option<String>,
        org_id: Option<String>,
    ) -> napi::Result<()> {
        let required = permission
            .map(|p| self::permission(&p))
            .transpose()
            .js(env)?;
        self.inner
            .require_admin_for_org(org_id.as_deref(), required.as_ref())
            .js(env)
    }
    /// Throws `ERR_PERMISSION_DENIED` unless the principal names an `orgId` and a `teamNodeId`.
    #[napi]
    pub fn require_team(&self, env: &Env) -> napi::Result<()> {
        self.inner.require_team().js(env)
    }
    /// Throws `ERR_PERMISSION_DENIED` unless the principal is a member of a team that meets
    /// `need` (the core's `Principal::require_team_member`): no anonymous visitor unless
    /// `allowVisitors`, the org and team the request acts on, write access, the permission.
    #[napi]
    pub fn require_team_member(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "TeamNeed | undefined | null")] need: Option<Unknown<'_>>,
    ) -> napi::Result<()> {
        let need = need.map(|n| team_need(env, &n)).transpose()?;
        let TeamNeed {
            write,
            permission: required,
            org_id,
            team_node_id,
            allow_visitors,
        } = need.unwrap_or_default();
        let required = required.as_deref().map(permission).transpose().js(env)?;
        let requirement = incidentfox_auth::TeamRequirement::new()
            .write(write.unwrap_or_default())
            .permission(required)
            .org_id(org_id)
            .team_node_id(team_node_id)
            .allow_visitors(allow_visitors.unwrap_or_default());
        self.inner.require_team_member(&requirement).js(env)
    }
    /// The `/auth/me` body: snake_case members in the config service's order, optional ones omitted.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ role: 'admin' | 'team'; auth_kind: 'admin_token' | 'team_token' | 'oidc' | 'impersonation' | 'visitor' | 'internal_service'; org_id?: string; team_node_id?: string; subject?: string; email?: string; can_write: boolean; permissions: string[]; visitor_session_id?: string }"
    )]
    pub fn to_json(&self) -> serde_json::Value {
        self.inner.to_json()
    }
}

/// Options of `new RbacPolicy(...)`.
#[napi(object)]
pub struct RbacPolicyOptions {
    /// Grants every admin gets (default `["admin:*"]`).
    pub defaults: Option<Vec<String>>,
    /// Grants per group, as `ADMIN_GROUP_PERMISSIONS_JSON` holds them.
    #[napi(ts_type = "Record<string, string[] | string>")]
    pub group_permissions: Option<serde_json::Value>,
}

/// A grant and where it came from.
#[napi(object)]
pub struct SourcedGrant {
    /// The permission granted.
    pub permission: String,
    /// `default` or `group:<name>`.
    pub source: String,
}

/// Admin grants: defaults plus the grants mapped to each group.
#[napi]
pub struct RbacPolicy {
    inner: incidentfox_auth::RbacPolicy,
}

#[napi]
impl RbacPolicy {
    /// A policy from explicit settings.
    #[napi(constructor)]
    pub fn new(env: &Env, options: Option<RbacPolicyOptions>) -> napi::Result<Self> {
        let (defaults, groups) =
            options.map_or((None, None), |o| (o.defaults, o.group_permissions));
        let defaults = defaults.unwrap_or_else(|| vec![DEFAULT_ADMIN_PERMISSIONS.to_owned()]);
        let groups = match groups {
            None => GroupMap::default(),
            // The same parser as ADMIN_GROUP_PERMISSIONS_JSON, so both report problems alike.
            Some(map) => GroupMap::parse(&map.to_string())
                .map_err(|problems| invalid_argument(problems.join("; ")))
                .js(env)?,
        };
        Ok(RbacPolicy {
            inner: incidentfox_auth::RbacPolicy::new(permissions(&defaults).js(env)?, groups),
        })
    }
    /// Reads `ADMIN_PERMISSIONS_DEFAULT` and `ADMIN_GROUP_PERMISSIONS_JSON`.
    #[napi]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, Option<String>>>,
    ) -> napi::Result<RbacPolicy> {
        Ok(RbacPolicy {
            inner: incidentfox_auth::RbacPolicy::from_env_source(&env_map(vars)).js(env)?,
        })
    }
    /// The grants of an admin in `groups`, in order.
    #[napi]
    pub fn resolve(&self, groups: Vec<String>) -> Vec<String> {
        names(&self.inner.resolve(&groups))
    }
    /// The grants of an admin with these claims (verified elsewhere), the groups read from
    /// `groupsClaim` (default `groups`; a JSON pointer when it starts with `/`).
    #[napi]
    pub fn resolve_claims(
        &self,
        env: &Env,
        claims: serde_json::Map<String, serde_json::Value>,
        groups_claim: Option<String>,
    ) -> napi::Result<Vec<String>> {
        let claim = groups_claim.unwrap_or_else(|| ClaimNames::default().groups);
        let grants = self.inner.resolve_claims(&claims, &claim).js(env)?;
        Ok(names(&grants))
    }
    /// The grants with the source of each.
    #[napi]
    pub fn resolve_with_sources(&self, groups: Vec<String>) -> Vec<SourcedGrant> {
        self.inner
            .resolve(&groups)
            .iter()
            .map(|(p, s)| SourcedGrant {
                permission: p.as_str().to_owned(),
                source: s.to_string(),
            })
            .collect()
    }
    /// The decision for `required` for an admin in `groups`.
    #[napi]
    pub fn explain(
        &self,
        env: &Env,
        groups: Vec<String>,
        required: String,
    ) -> napi::Result<Decision> {
        let required = permission(&required).js(env)?;
        Ok(self.inner.resolve(&groups).explain(&required).into())
    }
}

/// Options of `new RouteTable(...)`.
#[napi(object)]
pub struct RouteTableOptions {
    /// Admins must hold `admin:*` (or `*`) for any route (default true).
    pub require_admin_star: Option<bool>,
    /// Routes to add or change: name → required permission (`null` skips the check).
    #[napi(ts_type = "Record<string, string | null>")]
    pub routes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A route and its required permission.
#[napi(object)]
pub struct RouteInfo {
    /// The route's name, e.g. `provision_team`.
    pub name: String,
    /// The permission required, or `null` when the check is skipped.
    pub required: Option<String>,
}

/// Orchestrator routes and their required permissions.
#[napi]
pub struct RouteTable {
    pub(crate) inner: incidentfox_auth::RouteTable,
}

#[napi]
impl RouteTable {
    /// The orchestrator's routes, changed by `options`.
    #[napi(constructor)]
    pub fn new(env: &Env, options: Option<RouteTableOptions>) -> napi::Result<Self> {
        let (star, routes) = options.map_or((None, None), |o| (o.require_admin_star, o.routes));
        let mut table = incidentfox_auth::RouteTable::default();
        if let Some(star) = star {
            table = table.with_require_admin_star(star);
        }
        for (name, required) in routes.into_iter().flatten() {
            let required = match required {
                serde_json::Value::Null => None,
                serde_json::Value::String(p) => Some(permission(&p).js(env)?),
                _ => {
                    return Err(invalid_argument(format!(
                        "route `{name}` needs a permission string or null"
                    )))
                    .js(env)
                }
            };
            table = table.with_route(&name, required);
        }
        Ok(RouteTable { inner: table })
    }
    /// Reads `ORCHESTRATOR_REQUIRE_ADMIN_STAR` and `ORCHESTRATOR_REQUIRED_PERMISSION_*`.
    #[napi]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, Option<String>>>,
    ) -> napi::Result<RouteTable> {
        Ok(RouteTable {
            inner: incidentfox_auth::RouteTable::from_env_source(&env_map(vars)).js(env)?,
        })
    }
    /// The permission `route` requires (`null` when skipped); an unknown route throws
    /// `ERR_INVALID_CONFIG`.
    #[napi]
    pub fn required(&self, env: &Env, route: String) -> napi::Result<Option<String>> {
        Ok(self
            .inner
            .required(&route)
            .js(env)?
            .map(|p| p.as_str().to_owned()))
    }
    /// Every route, in order.
    #[napi]
    pub fn routes(&self) -> Vec<RouteInfo> {
        self.inner
            .routes()
            .iter()
            .map(|r| RouteInfo {
                name: r.name.clone(),
                required: r.required.as_ref().map(|p| p.as_str().to_owned()),
            })
            .collect()
    }
    /// Whether admins must hold `admin:*` (or `*`).
    #[napi(getter)]
    pub fn require_admin_star(&self) -> bool {
        self.inner.require_admin_star()
    }
    /// The decision for `principal` on `route`: admin, admin star when required, then the
    /// route's permission. With `orgId`, the request acts on that org: an org-admin token is
    /// allowed only for its own (reason `org_scope` otherwise, and always without `orgId`).
    #[napi]
    pub fn authorize(
        &self,
        env: &Env,
        principal: &Principal,
        route: String,
        org_id: Option<String>,
    ) -> napi::Result<Decision> {
        Ok(self
            .inner
            .authorize_for_org(&principal.inner, &route, org_id.as_deref())
            .js(env)?
            .into())
    }
}

/// The grants of the break-glass admin token (`['admin:*']`), without authenticating one.
#[napi]
pub fn admin_token_grants() -> Vec<String> {
    names(&incidentfox_auth::authenticate::admin_token_grants())
}
