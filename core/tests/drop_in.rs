//! What the services need to switch to the library by changing imports: a team-only
//! configuration starts, grants resolve from claims verified elsewhere, and the break-glass
//! grants are known without a token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::authenticate::admin_token_grants;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::rbac::RbacPolicy;
use incidentfox_auth::team_tokens::MemoryTeamTokens;
use incidentfox_auth::team_tokens::{hash_secret, StoredTeamToken, StoredTokenKind, TokenPepper};
use incidentfox_auth::{AuthKind, Authenticator, Credentials, ErrorCode};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

const PEPPER: &str = "pepper-for-the-drop-in-tests";
const NOW: f64 = 1_700_000_000.0;

fn bearer(token: &str) -> Credentials {
    Credentials::from_headers([("authorization", format!("Bearer {token}").as_str())])
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(members) => members,
        _ => panic!("not an object"),
    }
}

#[tokio::test]
async fn a_team_only_configuration_starts_and_refuses_admin_credentials() {
    let pepper = TokenPepper::new(PEPPER).unwrap();
    let row = StoredTeamToken {
        org_id: "org-1".into(),
        team_node_id: Some("team-1".into()),
        token_id: "tokid".into(),
        token_hash: hash_secret("toksecret", &pepper),
        revoked_at: None,
        expires_at: None,
        kind: StoredTokenKind::Team,
    };
    let env: HashMap<&str, &str> = HashMap::from([("TOKEN_PEPPER", PEPPER)]);
    let auth = Authenticator::from_env_source(&env, None)
        .unwrap()
        .with_team_token_lookup(Arc::new(MemoryTeamTokens::new([row])));
    let team = auth
        .authenticate_at(&bearer("tokid.toksecret"), NOW)
        .await
        .unwrap();
    assert_eq!(team.auth_kind, AuthKind::TeamToken);
    assert_eq!(team.team_node_id.as_deref(), Some("team-1"));
    for admin in ["some-admin-token-0123456789abcdef0123", "anything"] {
        let refused = auth.authenticate_at(&bearer(admin), NOW).await.unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidCredentials, "{admin}");
        assert!(refused.message().contains("not configured"), "{refused}");
    }
    let report = incidentfox_auth::check_env(&env);
    assert!(report.is_ok(), "{:?}", report.problems);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("admin authentication is off")),
        "{:?}",
        report.notes
    );
}

#[test]
fn naming_the_token_mode_still_needs_the_token() {
    let env: HashMap<&str, &str> =
        HashMap::from([("TOKEN_PEPPER", PEPPER), ("ADMIN_AUTH_MODE", "token")]);
    let refused = Authenticator::from_env_source(&env, None).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidConfig);
    assert!(
        refused.message().contains("ADMIN_TOKEN is required"),
        "{refused}"
    );
}

#[test]
fn grants_resolve_from_claims_through_the_configured_groups_claim() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("ADMIN_TOKEN", "break-glass-admin-token-0123456789abcdef"),
        ("OIDC_ENABLED", "1"),
        ("OIDC_ISSUER", "https://idp.example"),
        ("OIDC_AUDIENCE", "svc"),
        ("OIDC_JWKS_URL", "https://idp.example/jwks"),
        ("OIDC_GROUPS_CLAIM", "/realm_access/roles"),
        ("ADMIN_PERMISSIONS_DEFAULT", ""),
        (
            "ADMIN_GROUP_PERMISSIONS_JSON",
            r#"{"sre":["admin:provision"]}"#,
        ),
    ]);
    let auth = Authenticator::from_env_source(&env, None).unwrap();
    let claims = object(json!({"groups": ["ignored"], "realm_access": {"roles": ["sre"]}}));
    let grants = auth.admin().grants_from_claims(&claims).unwrap();
    let names: Vec<String> = grants.permissions().iter().map(|p| p.to_string()).collect();
    assert_eq!(names, ["admin:provision"]);

    // An explicit claim name, and a groups claim of the wrong type refused, not read as none.
    let policy = RbacPolicy::from_env_source(&env).unwrap();
    let by_name = policy
        .resolve_claims(&object(json!({"cognito:groups": "sre"})), "cognito:groups")
        .unwrap();
    assert_eq!(by_name.permissions().len(), 1);
    let wrong = policy
        .resolve_claims(&object(json!({"groups": {"sre": true}})), "groups")
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::InvalidClaim);
}

#[test]
fn the_break_glass_grants_are_admin_star() {
    let names: Vec<String> = admin_token_grants()
        .permissions()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(names, ["admin:*"]);
}
