//! Permissions, RBAC, route checks, decisions and the principal.

use crate::convert::{claims_from_python, env_map, from_python};
use crate::errors::{invalid_argument, IntoPy};
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::rbac::{GroupMap, DEFAULT_ADMIN_PERMISSIONS};
use incidentfox_auth::{AuthKind, GrantSource, Grants, Permission, Role};
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn permission(value: &str) -> PyResult<Permission> {
    Permission::parse(value).py_err()
}

fn permissions<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> PyResult<Vec<Permission>> {
    values.into_iter().map(|v| permission(v.as_ref())).collect()
}

/// An authorization decision.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct Decision {
    pub(crate) inner: incidentfox_auth::Decision,
}

impl From<incidentfox_auth::Decision> for Decision {
    fn from(inner: incidentfox_auth::Decision) -> Self {
        Decision { inner }
    }
}

#[pymethods]
impl Decision {
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.allowed
    }
    #[getter]
    fn matched_grant(&self) -> Option<&str> {
        self.inner.matched_grant.as_deref()
    }
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source.as_deref()
    }
    #[getter]
    fn reason(&self) -> Option<&'static str> {
        self.inner.reason.map(|r| r.as_str())
    }
    /// `{"allowed", "matched_grant", "source", "reason"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::convert::dict(py, &self.inner.to_json())
    }
    /// Raises `permission_denied` or `not_admin` when denied.
    fn raise_for_denial(&self) -> PyResult<()> {
        self.inner.clone().into_result().map(|_| ()).py_err()
    }
    fn __bool__(&self) -> bool {
        self.inner.allowed
    }
    fn __repr__(&self) -> String {
        format!("Decision({})", self.inner.to_json())
    }
}

/// Compiled grants.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct PermissionSet {
    grants: Grants,
}

#[pymethods]
impl PermissionSet {
    #[new]
    fn new(grants: Vec<String>) -> PyResult<PermissionSet> {
        Ok(PermissionSet {
            grants: Grants::from_source(permissions(&grants)?, GrantSource::Explicit),
        })
    }
    fn grants(&self, required: &str) -> PyResult<bool> {
        Ok(self.grants.grants(&permission(required)?))
    }
    fn matching_grant(&self, required: &str) -> PyResult<Option<String>> {
        Ok(self
            .grants
            .set()
            .matching_grant(&permission(required)?)
            .map(|p| p.as_str().to_owned()))
    }
    fn explain(&self, required: &str) -> PyResult<Decision> {
        Ok(self.grants.explain(&permission(required)?).into())
    }
    fn to_list(&self) -> Vec<String> {
        self.grants
            .permissions()
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect()
    }
    fn __len__(&self) -> usize {
        self.grants.permissions().len()
    }
}

/// The decision for `required` against explicit grants.
#[pyfunction]
pub fn explain(grants: Vec<String>, required: &str) -> PyResult<Decision> {
    let grants = Grants::from_source(permissions(&grants)?, GrantSource::Explicit);
    Ok(grants.explain(&permission(required)?).into())
}

/// An authenticated caller.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct Principal {
    pub(crate) inner: incidentfox_auth::Principal,
}

impl From<incidentfox_auth::Principal> for Principal {
    fn from(inner: incidentfox_auth::Principal) -> Self {
        Principal { inner }
    }
}

/// The permissions of `grants`, as strings.
pub fn grant_names(grants: &Grants) -> Vec<String> {
    grants
        .permissions()
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// The grants of the break-glass admin token (`["admin:*"]`), without authenticating one.
#[pyfunction]
pub fn admin_token_grants() -> Vec<String> {
    grant_names(&incidentfox_auth::authenticate::admin_token_grants())
}

fn auth_kind(name: &str) -> PyResult<AuthKind> {
    AuthKind::from_name(name).ok_or_else(|| invalid_argument(format!("unknown auth_kind `{name}`")))
}

#[pymethods]
impl Principal {
    /// A principal holding explicit grants (source `grants`), for tests and tools.
    #[staticmethod]
    #[pyo3(signature = (role, grants, *, auth_kind="admin_token", can_write=true))]
    fn with_grants(
        role: &str,
        grants: Vec<String>,
        auth_kind: &str,
        can_write: bool,
    ) -> PyResult<Principal> {
        let role = Role::from_name(role)
            .ok_or_else(|| invalid_argument(format!("role must be admin or team, got `{role}`")))?;
        let grants = Grants::from_source(permissions(&grants)?, GrantSource::Explicit);
        Ok(
            incidentfox_auth::Principal::new(role, self::auth_kind(auth_kind)?, can_write, grants)
                .into(),
        )
    }
    #[getter]
    fn role(&self) -> &'static str {
        self.inner.role.as_str()
    }
    #[getter]
    fn auth_kind(&self) -> &'static str {
        self.inner.auth_kind.as_str()
    }
    #[getter]
    fn org_id(&self) -> Option<&str> {
        self.inner.org_id.as_deref()
    }
    #[getter]
    fn team_node_id(&self) -> Option<&str> {
        self.inner.team_node_id.as_deref()
    }
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.inner.subject.as_deref()
    }
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.email.as_deref()
    }
    #[getter]
    fn can_write(&self) -> bool {
        self.inner.can_write
    }
    #[getter]
    fn permissions(&self) -> Vec<String> {
        self.inner
            .permissions
            .permissions()
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect()
    }
    #[getter]
    fn visitor_session_id(&self) -> Option<&str> {
        self.inner.visitor_session_id.as_deref()
    }
    #[getter]
    fn groups(&self) -> Vec<String> {
        self.inner.groups.clone()
    }
    #[getter]
    fn is_admin(&self) -> bool {
        self.inner.is_admin()
    }
    fn grants(&self, required: &str) -> PyResult<bool> {
        Ok(self.inner.grants(&permission(required)?))
    }
    fn explain(&self, required: &str) -> PyResult<Decision> {
        Ok(self.inner.explain(&permission(required)?).into())
    }
    /// Raises unless an admin that, when `permission` is given, holds a grant for it; an
    /// org-admin token passes only when `org_id` is its own org.
    #[pyo3(signature = (permission=None, *, org_id=None))]
    fn require_admin(&self, permission: Option<&str>, org_id: Option<&str>) -> PyResult<()> {
        let required = permission.map(self::permission).transpose()?;
        self.inner
            .require_admin_for_org(org_id, required.as_ref())
            .py_err()
    }
    /// Raises unless the principal names an `org_id` and a `team_node_id`.
    fn require_team(&self) -> PyResult<()> {
        self.inner.require_team().py_err()
    }
    /// Raises unless a member of a team that meets what the route needs (the core's
    /// `Principal::require_team_member`).
    #[pyo3(signature = (*, write=false, permission=None, org_id=None, team_node_id=None, allow_visitors=false))]
    fn require_team_member(
        &self,
        write: bool,
        permission: Option<&str>,
        org_id: Option<String>,
        team_node_id: Option<String>,
        allow_visitors: bool,
    ) -> PyResult<()> {
        let need = incidentfox_auth::TeamRequirement::new()
            .write(write)
            .permission(permission.map(self::permission).transpose()?)
            .org_id(org_id)
            .team_node_id(team_node_id)
            .allow_visitors(allow_visitors);
        self.inner.require_team_member(&need).py_err()
    }
    /// The `/auth/me` body.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::convert::dict(py, &self.inner.to_json())
    }
    fn __repr__(&self) -> String {
        format!("Principal({})", self.inner.to_json())
    }
}

/// Admin grants from defaults and groups.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct RbacPolicy {
    inner: incidentfox_auth::RbacPolicy,
}

#[pymethods]
impl RbacPolicy {
    #[new]
    #[pyo3(signature = (defaults=vec![DEFAULT_ADMIN_PERMISSIONS.to_owned()], group_permissions=None))]
    fn new(
        defaults: Vec<String>,
        group_permissions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<RbacPolicy> {
        let groups = match group_permissions {
            None => GroupMap::default(),
            // The same parser as ADMIN_GROUP_PERMISSIONS_JSON, so both report problems alike.
            Some(mapping) => GroupMap::parse(&from_python(mapping)?.to_string())
                .map_err(|problems| invalid_argument(problems.join("; ")))?,
        };
        Ok(RbacPolicy {
            inner: incidentfox_auth::RbacPolicy::new(permissions(&defaults)?, groups),
        })
    }
    #[staticmethod]
    #[pyo3(signature = (env=None))]
    fn from_env(py: Python<'_>, env: Option<&Bound<'_, PyAny>>) -> PyResult<RbacPolicy> {
        let env = env_map(py, env)?;
        Ok(RbacPolicy {
            inner: incidentfox_auth::RbacPolicy::from_env_source(&env).py_err()?,
        })
    }
    fn resolve(&self, groups: Vec<String>) -> Vec<String> {
        grant_names(&self.inner.resolve(&groups))
    }
    /// The grants of an admin with these claims (verified elsewhere), the groups read from
    /// `groups_claim` (a name, or a JSON pointer starting with `/`).
    #[pyo3(signature = (claims, groups_claim=None))]
    fn resolve_claims(
        &self,
        claims: &Bound<'_, PyAny>,
        groups_claim: Option<String>,
    ) -> PyResult<Vec<String>> {
        let groups_claim = groups_claim.unwrap_or(incidentfox_auth::ClaimNames::default().groups);
        let grants = self
            .inner
            .resolve_claims(&claims_from_python(claims)?, &groups_claim)
            .py_err()?;
        Ok(grant_names(&grants))
    }
    /// The resolved grants with their sources: `[(permission, source), ...]`.
    fn resolve_with_sources(&self, groups: Vec<String>) -> Vec<(String, String)> {
        self.inner
            .resolve(&groups)
            .iter()
            .map(|(p, s)| (p.as_str().to_owned(), s.to_string()))
            .collect()
    }
    fn explain(&self, groups: Vec<String>, required: &str) -> PyResult<Decision> {
        Ok(self
            .inner
            .resolve(&groups)
            .explain(&permission(required)?)
            .into())
    }
}

/// Orchestrator routes.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct RouteTable {
    pub(crate) inner: incidentfox_auth::RouteTable,
}

#[pymethods]
impl RouteTable {
    #[new]
    #[pyo3(signature = (*, require_admin_star=None, routes=None))]
    fn new(
        require_admin_star: Option<bool>,
        routes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<RouteTable> {
        let mut table = incidentfox_auth::RouteTable::default();
        if let Some(required) = require_admin_star {
            table = table.with_require_admin_star(required);
        }
        for (name, required) in routes.map(|r| r.iter()).into_iter().flatten() {
            let name: String = name.extract()?;
            let required: Option<String> = required.extract()?;
            let required = required.map(|p| permission(&p)).transpose()?;
            table = table.with_route(&name, required);
        }
        Ok(RouteTable { inner: table })
    }
    #[staticmethod]
    #[pyo3(signature = (env=None))]
    fn from_env(py: Python<'_>, env: Option<&Bound<'_, PyAny>>) -> PyResult<RouteTable> {
        let env = env_map(py, env)?;
        Ok(RouteTable {
            inner: incidentfox_auth::RouteTable::from_env_source(&env).py_err()?,
        })
    }
    fn required(&self, route: &str) -> PyResult<Option<String>> {
        Ok(self
            .inner
            .required(route)
            .py_err()?
            .map(|p| p.as_str().to_owned()))
    }
    fn routes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for r in self.inner.routes() {
            out.set_item(&r.name, r.required.as_ref().map(|p| p.as_str()))?;
        }
        Ok(out)
    }
    #[getter]
    fn require_admin_star(&self) -> bool {
        self.inner.require_admin_star()
    }
    #[pyo3(signature = (principal, route, *, org_id=None))]
    fn authorize(
        &self,
        principal: &Principal,
        route: &str,
        org_id: Option<&str>,
    ) -> PyResult<Decision> {
        Ok(self
            .inner
            .authorize_for_org(&principal.inner, route, org_id)
            .py_err()?
            .into())
    }
}
