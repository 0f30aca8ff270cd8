//! The authenticated caller, shaped exactly like today's `GET /api/v1/auth/me` response.

use crate::error::{err, ErrorCode, Result};
use crate::permissions::Permission;
use crate::rbac::{Decision, Grants};
use serde::Serialize;

/// What the caller may act as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An administrator (break-glass token, org-admin token, OIDC admin, internal service).
    Admin,
    /// A team member (team token, impersonation, visitor, team OIDC).
    Team,
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// `ADMIN_TOKEN` or an org-admin token.
    AdminToken,
    /// A team token.
    TeamToken,
    /// An OIDC ID or access token.
    Oidc,
    /// A team impersonation token.
    Impersonation,
    /// A visitor token.
    Visitor,
    /// The internal-service secret (new; today's services accept a fixed header value instead).
    InternalService,
}

impl AuthKind {
    /// The snake_case name, as in the `/auth/me` JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthKind::AdminToken => "admin_token",
            AuthKind::TeamToken => "team_token",
            AuthKind::Oidc => "oidc",
            AuthKind::Impersonation => "impersonation",
            AuthKind::Visitor => "visitor",
            AuthKind::InternalService => "internal_service",
        }
    }
}

/// An authenticated caller. `serde_json::to_value(&principal)` is the `/auth/me` body: optional
/// members are omitted when unknown, `permissions` is the list of grants in order.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    /// Admin or team.
    pub role: Role,
    /// How the caller authenticated.
    pub auth_kind: AuthKind,
    /// The organisation, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The team node, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_node_id: Option<String>,
    /// The subject, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The email, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the caller may change configuration.
    pub can_write: bool,
    /// The grants, each remembering its source (serialised as a list of strings).
    pub permissions: Grants,
    /// The visitor session, for visitor tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor_session_id: Option<String>,
    /// The groups the permissions were resolved from (not part of `/auth/me`).
    #[serde(skip)]
    pub groups: Vec<String>,
}

impl Principal {
    /// A principal with no optional member set.
    pub fn new(role: Role, auth_kind: AuthKind, can_write: bool, permissions: Grants) -> Principal {
        Principal {
            role,
            auth_kind,
            org_id: None,
            team_node_id: None,
            subject: None,
            email: None,
            can_write,
            permissions,
            visitor_session_id: None,
            groups: Vec::new(),
        }
    }

    /// A principal whose grants are fixed by the kind of credential (source: the `auth_kind`).
    pub(crate) fn with_fixed_grants(
        role: Role,
        kind: AuthKind,
        can_write: bool,
        grants: impl IntoIterator<Item = Permission>,
    ) -> Principal {
        let source = crate::rbac::GrantSource::Credential(kind.as_str().to_owned());
        Principal::new(role, kind, can_write, Grants::from_source(grants, source))
    }

    /// Whether the principal is an admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether `required` is granted.
    pub fn grants(&self, required: &Permission) -> bool {
        self.permissions.grants(required)
    }

    /// The whole decision for `required` (see [`Grants::explain`]).
    pub fn explain(&self, required: &Permission) -> Decision {
        self.permissions.explain(required)
    }

    /// The "admins only" check of every service: an admin (`not_admin`, 403, otherwise) that,
    /// when `permission` is given, holds a grant for it (`permission_denied`, 403). The Python
    /// and Node route helpers call this, so the rule is written once.
    pub fn require_admin(&self, permission: Option<&Permission>) -> Result<()> {
        if !self.is_admin() {
            let role = match self.role {
                Role::Admin => "admin",
                Role::Team => "team",
            };
            return Err(err(
                ErrorCode::NotAdmin,
                format!("a {role} principal is not an admin"),
            ));
        }
        match permission {
            Some(required) => self.explain(required).into_result().map(|_| ()),
            None => Ok(()),
        }
    }

    /// The "one team" check: the principal names an `org_id` and a `team_node_id`
    /// (`permission_denied`, 403, otherwise). Admins with neither, such as the admin token, fail
    /// it too: a team route needs to know which team.
    pub fn require_team(&self) -> Result<()> {
        if self.org_id.is_none() || self.team_node_id.is_none() {
            return Err(err(
                ErrorCode::PermissionDenied,
                "the principal names no org_id and team_node_id",
            ));
        }
        Ok(())
    }

    /// The `/auth/me` JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::GrantSource;

    #[test]
    fn serialises_to_the_auth_me_shape() {
        let grants = Grants::from_source(
            [Permission::known("admin:*")],
            GrantSource::Credential("admin_token".into()),
        );
        let principal = Principal::new(Role::Admin, AuthKind::AdminToken, true, grants);
        assert_eq!(
            principal.to_json().to_string(),
            r#"{"role":"admin","auth_kind":"admin_token","can_write":true,"permissions":["admin:*"]}"#
        );
        let mut visitor = Principal::new(Role::Team, AuthKind::Visitor, false, Grants::default());
        visitor.org_id = Some("org".into());
        visitor.visitor_session_id = Some("s1".into());
        assert_eq!(
            visitor.to_json().to_string(),
            r#"{"role":"team","auth_kind":"visitor","org_id":"org","can_write":false,"permissions":[],"visitor_session_id":"s1"}"#
        );
    }

    fn code(outcome: Result<()>) -> Option<ErrorCode> {
        outcome.err().map(|e| e.code())
    }

    #[test]
    fn require_admin_wants_an_admin_then_the_permission() {
        let config_admin = Principal::with_fixed_grants(
            Role::Admin,
            AuthKind::Oidc,
            true,
            [Permission::known("admin:provision")],
        );
        let provision = Permission::known("admin:provision");
        let agents = Permission::known("admin:agents");
        assert_eq!(code(config_admin.require_admin(None)), None);
        assert_eq!(code(config_admin.require_admin(Some(&provision))), None);
        assert_eq!(
            code(config_admin.require_admin(Some(&agents))),
            Some(ErrorCode::PermissionDenied)
        );
        let member = Principal::with_fixed_grants(
            Role::Team,
            AuthKind::TeamToken,
            true,
            [Permission::known("admin:*")],
        );
        // Grants never make a team principal an admin.
        let refused = member.require_admin(Some(&provision));
        assert_eq!(code(refused.clone()), Some(ErrorCode::NotAdmin));
        assert!(refused
            .err()
            .is_some_and(|e| e.to_string().contains("team principal")));
    }

    #[test]
    fn require_team_wants_both_org_and_team() {
        let mut p = Principal::new(Role::Team, AuthKind::Oidc, false, Grants::default());
        assert_eq!(code(p.require_team()), Some(ErrorCode::PermissionDenied));
        p.org_id = Some("org".into());
        assert_eq!(code(p.require_team()), Some(ErrorCode::PermissionDenied));
        p.team_node_id = Some("team".into());
        assert_eq!(code(p.require_team()), None);
        let admin = Principal::new(Role::Admin, AuthKind::AdminToken, true, Grants::default());
        assert_eq!(
            code(admin.require_team()),
            Some(ErrorCode::PermissionDenied)
        );
    }
}
