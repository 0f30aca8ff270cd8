//! Authority matches the credential: an org-admin token is an admin of its own org only, in
//! every admin check, while `/auth/me` reports it as the config service does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::config::FromEnv;
use incidentfox_auth::rbac::DenyReason;
use incidentfox_auth::team_tokens::MemoryTeamTokens;
use incidentfox_auth::team_tokens::{generate, StoredTeamToken, StoredTokenKind, TokenPepper};
use incidentfox_auth::{AuthKind, Authenticator, Credentials, ErrorCode, Permission, RouteTable};
use std::collections::HashMap;
use std::sync::Arc;

const PEPPER: &str = "pepper-for-the-authority-tests";
const ADMIN: &str = "break-glass-admin-token-0123456789abcdef";
const NOW: f64 = 1_700_000_000.0;

async fn org_admin_of(org: &str) -> (Authenticator, String) {
    let made = generate().unwrap();
    let pepper = TokenPepper::new(PEPPER).unwrap();
    let row = StoredTeamToken {
        org_id: org.to_owned(),
        team_node_id: None,
        token_id: made.token_id().to_owned(),
        token_hash: made.stored_hash(&pepper),
        revoked_at: None,
        expires_at: None,
        kind: StoredTokenKind::OrgAdmin,
    };
    let env: HashMap<&str, &str> =
        HashMap::from([("ADMIN_TOKEN", ADMIN), ("TOKEN_PEPPER", PEPPER)]);
    let auth = Authenticator::from_env_source(&env, None)
        .unwrap()
        .with_team_token_lookup(Arc::new(MemoryTeamTokens::new([row])));
    (auth, made.token().to_owned())
}

fn bearer(token: &str) -> Credentials {
    Credentials::from_headers([("authorization", format!("Bearer {token}").as_str())])
}

#[tokio::test]
async fn an_org_admin_token_is_its_own_kind_and_me_is_unchanged() {
    let (auth, token) = org_admin_of("org-a").await;
    let principal = auth.authenticate_at(&bearer(&token), NOW).await.unwrap();
    assert_eq!(principal.auth_kind, AuthKind::OrgAdminToken);
    assert_eq!(principal.org_scope(), Some("org-a"));
    assert_eq!(
        principal.to_json().to_string(),
        r#"{"role":"admin","auth_kind":"admin_token","org_id":"org-a","can_write":true,"permissions":["admin:*"]}"#
    );
    let admin = auth.authenticate_at(&bearer(ADMIN), NOW).await.unwrap();
    assert_eq!(admin.auth_kind, AuthKind::AdminToken);
    assert_eq!(admin.org_scope(), None);
}

#[tokio::test]
async fn an_org_admin_passes_admin_checks_of_its_own_org_only() {
    let (auth, token) = org_admin_of("org-a").await;
    let principal = auth.authenticate_at(&bearer(&token), NOW).await.unwrap();
    let routes = RouteTable::from_env_source(&HashMap::<&str, &str>::new()).unwrap();
    let provision = Permission::parse("admin:provision").unwrap();

    let own = routes
        .authorize_for_org(&principal, "provision_team", Some("org-a"))
        .unwrap();
    assert!(own.allowed, "{own:?}");
    for other in [Some("org-b"), None] {
        let denied = routes
            .authorize_for_org(&principal, "provision_team", other)
            .unwrap();
        assert!(!denied.allowed);
        assert_eq!(denied.reason, Some(DenyReason::OrgScope));
        assert_eq!(
            denied.into_result().unwrap_err().code(),
            ErrorCode::PermissionDenied
        );
    }
    // The check that names no org is the unscoped one.
    assert!(
        !routes
            .authorize(&principal, "provision_team")
            .unwrap()
            .allowed
    );

    assert!(principal
        .require_admin_for_org(Some("org-a"), Some(&provision))
        .is_ok());
    let e = principal
        .require_admin_for_org(Some("org-b"), Some(&provision))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PermissionDenied);
    assert!(
        e.message().contains("org-a") && e.message().contains("org-b"),
        "{e}"
    );
    assert!(principal.require_admin(None).is_err());

    // The break-glass token is not limited by org.
    let admin = auth.authenticate_at(&bearer(ADMIN), NOW).await.unwrap();
    for org in [Some("org-a"), Some("org-b"), None] {
        assert!(
            routes
                .authorize_for_org(&admin, "provision_team", org)
                .unwrap()
                .allowed
        );
        assert!(admin.require_admin_for_org(org, Some(&provision)).is_ok());
    }
}
