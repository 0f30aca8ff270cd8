//! The outcome of an authorization check, complete enough to log or print, and the source of
//! each grant that a decision names.

use crate::error::{err, ErrorCode, Result};
use crate::permissions::Permission;
use serde::Serialize;
use std::fmt;

/// Why a principal holds a grant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GrantSource {
    /// `ADMIN_PERMISSIONS_DEFAULT`: every admin gets it.
    Default,
    /// A group of the principal, mapped by `ADMIN_GROUP_PERMISSIONS_JSON`.
    Group(String),
    /// Fixed by the kind of credential (the break-glass admin token gets `admin:*`; a team token
    /// gets `team:read` and `team:write`); the value is the `auth_kind`.
    Credential(String),
    /// Listed explicitly by the caller (e.g. `explain --grants`).
    Explicit,
}

impl fmt::Display for GrantSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantSource::Default => f.write_str("default"),
            GrantSource::Group(name) => write!(f, "group:{name}"),
            GrantSource::Credential(kind) => f.write_str(kind),
            GrantSource::Explicit => f.write_str("grants"),
        }
    }
}

/// Why access was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// No grant grants the required permission.
    PermissionDenied,
    /// The principal is not an admin and the route is admin-only.
    NotAdmin,
    /// `ORCHESTRATOR_REQUIRE_ADMIN_STAR` is on and the principal holds neither `admin:*` nor `*`.
    AdminStarRequired,
    /// The principal is an org-admin token and the route acts on another org (or names none).
    OrgScope,
}

impl DenyReason {
    /// The reason's name, e.g. `admin_star_required`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DenyReason::PermissionDenied => "permission_denied",
            DenyReason::NotAdmin => "not_admin",
            DenyReason::AdminStarRequired => "admin_star_required",
            DenyReason::OrgScope => "org_scope",
        }
    }

    /// The error code a service answers with.
    pub const fn code(self) -> ErrorCode {
        match self {
            DenyReason::NotAdmin => ErrorCode::NotAdmin,
            DenyReason::PermissionDenied | DenyReason::AdminStarRequired | DenyReason::OrgScope => {
                ErrorCode::PermissionDenied
            }
        }
    }
}

/// Allowed or denied, with the grant that matched and where it came from, or the reason.
///
/// Serialises as `{"allowed", "matched_grant", "source", "reason"}`; absent values are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Whether access is allowed.
    pub allowed: bool,
    /// The grant that allowed it, if one was needed.
    pub matched_grant: Option<String>,
    /// Where that grant came from: `default`, `group:<name>`, the credential kind, or `grants`.
    pub source: Option<String>,
    /// Why access was denied.
    pub reason: Option<DenyReason>,
    /// The permission that was required, if any (kept for messages and logs).
    #[serde(skip)]
    pub required: Option<String>,
}

impl Decision {
    /// Allowed by `grant` (from `source`).
    pub fn allow(
        required: Option<&Permission>,
        grant: Option<&Permission>,
        source: Option<&GrantSource>,
    ) -> Decision {
        Decision {
            allowed: true,
            matched_grant: grant.map(|g| g.as_str().to_owned()),
            source: source.map(ToString::to_string),
            reason: None,
            required: required.map(|r| r.as_str().to_owned()),
        }
    }

    /// Allowed without any permission being required.
    pub fn allow_unconditionally() -> Decision {
        Decision {
            allowed: true,
            matched_grant: None,
            source: None,
            reason: None,
            required: None,
        }
    }

    /// Denied for `reason`.
    pub fn deny(required: &Permission, reason: DenyReason) -> Decision {
        Decision::denied(Some(required.as_str().to_owned()), reason)
    }

    pub(crate) fn denied(required: Option<String>, reason: DenyReason) -> Decision {
        Decision {
            allowed: false,
            matched_grant: None,
            source: None,
            reason: Some(reason),
            required,
        }
    }

    /// `Ok(self)` when allowed, else the error a service answers with (`permission_denied` or
    /// `not_admin`, 403), naming the permission.
    pub fn into_result(self) -> Result<Decision> {
        let Some(reason) = self.reason.filter(|_| !self.allowed) else {
            return Ok(self);
        };
        let what = self.required.as_deref().unwrap_or("this route");
        let message = match reason {
            DenyReason::PermissionDenied => format!("no grant allows `{what}`"),
            DenyReason::NotAdmin => format!("`{what}` needs an admin"),
            DenyReason::AdminStarRequired => {
                format!("`{what}` needs an admin holding `admin:*`")
            }
            DenyReason::OrgScope => {
                format!("`{what}` is outside the org an org-admin token may act on")
            }
        };
        Err(err(reason.code(), message))
    }

    /// The decision as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "allowed": self.allowed,
            "matched_grant": self.matched_grant,
            "source": self.source,
            "reason": self.reason.map(DenyReason::as_str),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denial_becomes_the_right_error() {
        let required = Permission::parse("admin:provision").unwrap_or_else(|e| unreachable!("{e}"));
        let e = Decision::deny(&required, DenyReason::PermissionDenied)
            .into_result()
            .err();
        assert_eq!(
            e.as_ref().map(|e| e.code()),
            Some(ErrorCode::PermissionDenied)
        );
        assert!(e.is_some_and(|e| e.message().contains("admin:provision")));
        let e = Decision::deny(&required, DenyReason::NotAdmin)
            .into_result()
            .err();
        assert_eq!(e.map(|e| e.http_status()), Some(403));
        let json = Decision::deny(&required, DenyReason::AdminStarRequired).to_json();
        assert_eq!(
            json,
            serde_json::json!({"allowed": false, "matched_grant": null, "source": null, "reason": "admin_star_required"})
        );
        assert!(Decision::allow_unconditionally().into_result().is_ok());
    }
}
