//! The authenticated caller, shaped exactly like the config service's `GET /api/v1/auth/me` response.

use crate::error::{err, ErrorCode, Result};
use crate::observe::counters::Kind;
use crate::permissions::Permission;
use crate::rbac::{Decision, Grants, RouteTable};
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

impl Role {
    /// The snake_case name, as in the `/auth/me` JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Team => "team",
        }
    }

    /// The role named `name` (`admin` or `team`), if any.
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Admin, Role::Team]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// The break-glass `ADMIN_TOKEN`.
    AdminToken,
    /// An org-admin token (a `team_tokens` row of kind `org_admin`): an admin of one
    /// organisation only. `/auth/me` reports it as `admin_token` with its `org_id`, as the
    /// config service does; every admin check holds it to that org (see
    /// [`Principal::org_scope`]).
    OrgAdminToken,
    /// A team token.
    TeamToken,
    /// An OIDC ID or access token.
    Oidc,
    /// A team impersonation token.
    Impersonation,
    /// A visitor token.
    Visitor,
    /// The internal-service secret (new; the services accept a fixed header value instead).
    InternalService,
}

impl AuthKind {
    /// The label this kind's verifications are counted under.
    pub(crate) const fn counted(self) -> Kind {
        match self {
            AuthKind::AdminToken => Kind::AdminToken,
            AuthKind::OrgAdminToken => Kind::OrgAdminToken,
            AuthKind::TeamToken => Kind::TeamToken,
            AuthKind::Oidc => Kind::Oidc,
            AuthKind::Impersonation => Kind::Impersonation,
            AuthKind::Visitor => Kind::Visitor,
            AuthKind::InternalService => Kind::InternalService,
        }
    }

    /// The snake_case name, as in the `/auth/me` JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthKind::AdminToken => "admin_token",
            AuthKind::OrgAdminToken => "org_admin_token",
            AuthKind::TeamToken => "team_token",
            AuthKind::Oidc => "oidc",
            AuthKind::Impersonation => "impersonation",
            AuthKind::Visitor => "visitor",
            AuthKind::InternalService => "internal_service",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [AuthKind; 7] = [
        AuthKind::AdminToken,
        AuthKind::OrgAdminToken,
        AuthKind::TeamToken,
        AuthKind::Oidc,
        AuthKind::Impersonation,
        AuthKind::Visitor,
        AuthKind::InternalService,
    ];

    /// The kind named `name` (as [`as_str`](Self::as_str) spells it), if any.
    pub fn from_name(name: &str) -> Option<AuthKind> {
        AuthKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The name `/auth/me` reports: an org-admin token is `admin_token` there (with its
    /// `org_id`), as the config service answers; every other kind is its own name.
    pub const fn me_name(self) -> &'static str {
        match self {
            AuthKind::OrgAdminToken => "admin_token",
            other => other.as_str(),
        }
    }
}

fn serialize_me_name<S: serde::Serializer>(kind: &AuthKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.me_name())
}

/// An authenticated caller. `serde_json::to_value(&principal)` is the `/auth/me` body: optional
/// members are omitted when unknown, `permissions` is the list of grants in order.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    /// Admin or team.
    pub role: Role,
    /// How the caller authenticated.
    #[serde(serialize_with = "serialize_me_name")]
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

    /// The one organisation this principal may administer, when its authority is limited to
    /// one: an org-admin token's `org_id`. `None` for every other kind (the break-glass token,
    /// OIDC admins and the internal service act on every org; team principals are not admins).
    pub fn org_scope(&self) -> Option<&str> {
        match self.auth_kind {
            // An org-admin token always carries its org; `Some("")` keeps one without it
            // scoped to nothing rather than to everything.
            AuthKind::OrgAdminToken => Some(self.org_id.as_deref().unwrap_or_default()),
            _ => None,
        }
    }

    /// Whether this principal may act on organisation `org_id` (`None`: a check that names no
    /// org, which only an unscoped admin passes).
    pub fn may_act_on_org(&self, org_id: Option<&str>) -> bool {
        match (self.org_scope(), org_id) {
            (None, _) => true,
            (Some(scope), Some(org)) => !scope.is_empty() && scope == org,
            (Some(_), None) => false,
        }
    }

    /// The "admins only" check of every service: an admin (`not_admin`, 403, otherwise) that,
    /// when `permission` is given, holds a grant for it (`permission_denied`, 403). The Python
    /// and Node route helpers call this, so the rule is written once.
    ///
    /// The check names no organisation, so an org-admin token fails it (`permission_denied`):
    /// use [`require_admin_for_org`](Self::require_admin_for_org) on routes that act on one org.
    pub fn require_admin(&self, permission: Option<&Permission>) -> Result<()> {
        self.require_admin_for_org(None, permission)
    }

    /// [`require_admin`](Self::require_admin) for a route acting on organisation `org_id`: an
    /// org-admin token passes only for its own org (`permission_denied` otherwise); other admins
    /// are not limited by org.
    pub fn require_admin_for_org(
        &self,
        org_id: Option<&str>,
        permission: Option<&Permission>,
    ) -> Result<()> {
        if !self.is_admin() {
            return Err(err(
                ErrorCode::NotAdmin,
                format!("a {} principal is not an admin", self.role.as_str()),
            ));
        }
        if !self.may_act_on_org(org_id) {
            return Err(org_scope_error(self.org_scope(), org_id));
        }
        match permission {
            Some(required) => self.explain(required).into_result().map(|_| ()),
            None => Ok(()),
        }
    }

    /// The "one team" check: the principal names an `org_id` and a `team_node_id`
    /// (`permission_denied`, 403, otherwise). Admins with neither, such as the admin token, fail
    /// it too: a team route needs to know which team.
    ///
    /// That is all it checks: read-only impersonation tokens and anonymous visitor tokens name a
    /// team too and pass, whatever team or org the request is about. Routes that change
    /// something, need a permission, act on a team named in the request, or are not for
    /// visitors use [`require_team_member`](Self::require_team_member).
    pub fn require_team(&self) -> Result<()> {
        if self.org_id.is_none() || self.team_node_id.is_none() {
            return Err(err(
                ErrorCode::PermissionDenied,
                "the principal names no org_id and team_node_id",
            ));
        }
        Ok(())
    }

    /// The check of a team route that says what it needs ([`TeamRequirement`]), each refusal
    /// `permission_denied` (403): the principal names an org and a team (as
    /// [`require_team`](Self::require_team)); is not an anonymous visitor unless the route
    /// allows visitors; belongs to the org and team the request acts on, when the route names
    /// them; may write, when the route writes (impersonation and visitor tokens are read-only);
    /// and holds a grant for the route's permission, when it names one.
    pub fn require_team_member(&self, need: &TeamRequirement) -> Result<()> {
        let (Some(org), Some(team)) = (self.org_id.as_deref(), self.team_node_id.as_deref()) else {
            return self.require_team();
        };
        if self.auth_kind == AuthKind::Visitor && !need.allow_visitors {
            return Err(err(
                ErrorCode::PermissionDenied,
                "an anonymous visitor may not use this route",
            ));
        }
        bound("org", org, need.org_id.as_deref())?;
        bound("team", team, need.team_node_id.as_deref())?;
        if need.write && !self.can_write {
            return Err(err(
                ErrorCode::PermissionDenied,
                format!(
                    "a read-only `{}` principal may not write",
                    self.auth_kind.as_str()
                ),
            ));
        }
        match &need.permission {
            Some(required) => self.explain(required).into_result().map(|_| ()),
            None => Ok(()),
        }
    }

    /// The `/auth/me` JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

// The route check is written on the table but lives here: the table is part of rbac, which sits
// below the principal, so only this side may know both.
impl RouteTable {
    /// Decides whether `principal` may use `route`: it must be an admin; with
    /// `require_admin_star` it must hold `admin:*` or `*` literally; and a grant must grant the
    /// route's permission, unless that check is skipped.
    ///
    /// `Err` only for an unknown route; a denial is a [`Decision`] (see
    /// [`Decision::into_result`]).
    pub fn authorize(&self, principal: &Principal, route: &str) -> Result<Decision> {
        self.authorize_for_org(principal, route, None)
    }

    /// [`authorize`](Self::authorize) for a request acting on organisation `org_id`: an
    /// org-admin token is allowed only for its own org (`org_scope` otherwise), and a check that
    /// names no org refuses it. Other admins are not limited by org.
    pub fn authorize_for_org(
        &self,
        principal: &Principal,
        route: &str,
        org_id: Option<&str>,
    ) -> Result<Decision> {
        self.decide(
            route,
            principal.is_admin(),
            principal.may_act_on_org(org_id),
            &principal.permissions,
        )
    }
}

/// What a team route needs of its caller, for [`Principal::require_team_member`]. The default
/// admits a member of any team, read-only ones included, and no anonymous visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamRequirement {
    write: bool,
    permission: Option<Permission>,
    org_id: Option<String>,
    team_node_id: Option<String>,
    allow_visitors: bool,
}

impl TeamRequirement {
    /// A member of any team, read-only ones included, no anonymous visitor.
    pub fn new() -> TeamRequirement {
        TeamRequirement::default()
    }

    /// Whether the route changes something: read-only principals (impersonation, visitors) are
    /// refused.
    pub fn write(mut self, write: bool) -> TeamRequirement {
        self.write = write;
        self
    }

    /// The permission the route needs, e.g. `team:write`.
    pub fn permission(mut self, permission: Option<Permission>) -> TeamRequirement {
        self.permission = permission;
        self
    }

    /// The org the request acts on: the principal must belong to it. `Some("")` (the route
    /// names an org parameter the request lacks) admits nobody.
    pub fn org_id(mut self, org_id: Option<String>) -> TeamRequirement {
        self.org_id = org_id;
        self
    }

    /// The team the request acts on: the principal must belong to it. `Some("")` admits nobody.
    pub fn team_node_id(mut self, team_node_id: Option<String>) -> TeamRequirement {
        self.team_node_id = team_node_id;
        self
    }

    /// Whether anonymous visitor tokens are admitted (a public playground's routes).
    pub fn allow_visitors(mut self, allow: bool) -> TeamRequirement {
        self.allow_visitors = allow;
        self
    }
}

/// Refuses a principal of `own` `what` (org or team) when the request acts on another one.
fn bound(what: &str, own: &str, wanted: Option<&str>) -> Result<()> {
    match wanted {
        Some(wanted) if wanted.is_empty() || wanted != own => Err(err(
            ErrorCode::PermissionDenied,
            format!(
                "a principal of {what} `{}` may not act on {what} `{}`",
                crate::text::clip(own),
                crate::text::clip(wanted)
            ),
        )),
        _ => Ok(()),
    }
}

/// The refusal of an org-scoped admin outside its org.
pub(crate) fn org_scope_error(scope: Option<&str>, org_id: Option<&str>) -> crate::error::Error {
    let scope = crate::text::clip(scope.unwrap_or_default());
    err(
        ErrorCode::PermissionDenied,
        match org_id {
            Some(org) => format!(
                "an org-admin token of org `{scope}` may not act on org `{}`",
                crate::text::clip(org)
            ),
            None => format!(
                "an org-admin token of org `{scope}` may act only where the check names its org"
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::GrantSource;

    #[test]
    fn every_kind_is_counted_under_its_own_name() {
        for kind in AuthKind::ALL {
            let label = crate::observe::KINDS.get(kind.counted() as usize).copied();
            assert_eq!(label, Some(kind.as_str()));
        }
    }

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
    fn an_org_admin_is_an_admin_of_its_own_org_only() {
        let mut org_admin = Principal::with_fixed_grants(
            Role::Admin,
            AuthKind::OrgAdminToken,
            true,
            [Permission::known("admin:*")],
        );
        org_admin.org_id = Some("org-a".into());
        // /auth/me is unchanged: admin_token with the org.
        assert_eq!(
            org_admin.to_json().to_string(),
            r#"{"role":"admin","auth_kind":"admin_token","org_id":"org-a","can_write":true,"permissions":["admin:*"]}"#
        );
        assert_eq!(org_admin.auth_kind.as_str(), "org_admin_token");
        assert_eq!(org_admin.org_scope(), Some("org-a"));
        let provision = Permission::known("admin:provision");
        assert_eq!(
            code(org_admin.require_admin_for_org(Some("org-a"), Some(&provision))),
            None
        );
        for other in [Some("org-b"), Some(""), None] {
            assert_eq!(
                code(org_admin.require_admin_for_org(other, Some(&provision))),
                Some(ErrorCode::PermissionDenied),
                "{other:?}"
            );
        }
        assert_eq!(
            code(org_admin.require_admin(None)),
            Some(ErrorCode::PermissionDenied)
        );
        // An org-admin token without its org is scoped to nothing.
        org_admin.org_id = None;
        assert_eq!(
            code(org_admin.require_admin_for_org(Some(""), None)),
            Some(ErrorCode::PermissionDenied)
        );
        // The break-glass token is not limited by org.
        let admin = Principal::new(Role::Admin, AuthKind::AdminToken, true, Grants::default());
        assert_eq!(code(admin.require_admin_for_org(Some("org-b"), None)), None);
        assert_eq!(code(admin.require_admin(None)), None);
        for kind in AuthKind::ALL {
            assert_eq!(AuthKind::from_name(kind.as_str()), Some(kind));
        }
    }

    fn team_principal(kind: AuthKind, can_write: bool, grants: &[&'static str]) -> Principal {
        let mut p = Principal::with_fixed_grants(
            Role::Team,
            kind,
            can_write,
            grants.iter().map(|g| Permission::known(g)),
        );
        p.org_id = Some("org-a".into());
        p.team_node_id = Some("team-1".into());
        p
    }

    #[test]
    fn require_team_member_says_what_a_route_needs() {
        let member = team_principal(AuthKind::TeamToken, true, &["team:read", "team:write"]);
        let impersonation = team_principal(AuthKind::Impersonation, false, &["team:read"]);
        let visitor = team_principal(AuthKind::Visitor, false, &["team:read", "agent:invoke"]);
        // require_team admits all three.
        for p in [&member, &impersonation, &visitor] {
            assert_eq!(code(p.require_team()), None);
        }
        let any = TeamRequirement::new();
        assert_eq!(code(member.require_team_member(&any)), None);
        assert_eq!(code(impersonation.require_team_member(&any)), None);
        assert_eq!(
            code(visitor.require_team_member(&any)),
            Some(ErrorCode::PermissionDenied)
        );
        let playground = TeamRequirement::new().allow_visitors(true);
        assert_eq!(code(visitor.require_team_member(&playground)), None);

        let write = TeamRequirement::new().write(true).allow_visitors(true);
        assert_eq!(code(member.require_team_member(&write)), None);
        for read_only in [&impersonation, &visitor] {
            let refused = read_only.require_team_member(&write);
            assert!(refused
                .as_ref()
                .err()
                .is_some_and(|e| e.message().contains("may not write")));
            assert_eq!(code(refused), Some(ErrorCode::PermissionDenied));
        }

        let team_write = TeamRequirement::new()
            .permission(Some(Permission::known("team:write")))
            .allow_visitors(true);
        assert_eq!(code(member.require_team_member(&team_write)), None);
        assert_eq!(
            code(impersonation.require_team_member(&team_write)),
            Some(ErrorCode::PermissionDenied)
        );

        let here = TeamRequirement::new()
            .org_id(Some("org-a".into()))
            .team_node_id(Some("team-1".into()));
        assert_eq!(code(member.require_team_member(&here)), None);
        for elsewhere in [
            TeamRequirement::new().org_id(Some("org-b".into())),
            TeamRequirement::new().team_node_id(Some("team-2".into())),
            TeamRequirement::new().org_id(Some(String::new())),
            TeamRequirement::new().team_node_id(Some(String::new())),
        ] {
            assert_eq!(
                code(member.require_team_member(&elsewhere)),
                Some(ErrorCode::PermissionDenied),
                "{elsewhere:?}"
            );
        }

        let admin = Principal::new(Role::Admin, AuthKind::AdminToken, true, Grants::default());
        assert_eq!(
            code(admin.require_team_member(&any)),
            Some(ErrorCode::PermissionDenied)
        );
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
