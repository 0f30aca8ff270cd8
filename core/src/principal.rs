//! The authenticated caller, shaped exactly like today's `GET /api/v1/auth/me` response.

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
}
