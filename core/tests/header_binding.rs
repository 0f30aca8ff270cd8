//! Which header may carry which credential: the headers only say where to find the credential
//! (`Authorization: Bearer`, then `X-Admin-Token`, then `X-IncidentFox-Team-Token`); its kind
//! comes from its shape and, for a JWT, its issuer, and it is then verified on its own terms. A
//! header grants nothing: a credential is worth the same in any of the three, and a valid one
//! that names another kind than its header's name is not refused (as in the services).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::team_tokens::MemoryTeamTokens;
use incidentfox_auth::team_tokens::{generate, StoredTeamToken, StoredTokenKind};
use incidentfox_auth::{
    AdminAuthenticator, AuthKind, AuthMode, Authenticator, Credentials, ErrorCode, Secret,
    TokenPepper,
};
use std::sync::Arc;

const ADMIN_TOKEN: &str = "break-glass-admin-token-0123456789abcdef";

fn setup() -> (Authenticator, String) {
    let pepper = TokenPepper::new("header-binding-pepper").unwrap();
    let team = generate().unwrap();
    let row = StoredTeamToken {
        org_id: "org".into(),
        team_node_id: Some("team".into()),
        token_id: team.token_id().to_owned(),
        token_hash: team.stored_hash(&pepper),
        revoked_at: None,
        expires_at: None,
        kind: StoredTokenKind::Team,
    };
    let admin = AdminAuthenticator::builder()
        .mode(AuthMode::Token)
        .admin_token(Secret::new(ADMIN_TOKEN))
        .build()
        .unwrap();
    let auth = Authenticator::new(admin)
        .with_team_token_lookup(Arc::new(MemoryTeamTokens::new([row])))
        .with_pepper(pepper);
    (auth, team.token().to_owned())
}

#[tokio::test]
async fn the_kind_comes_from_the_credential_not_the_header_name() {
    let (auth, team) = setup();
    for header in ["Authorization", "X-Admin-Token", "X-IncidentFox-Team-Token"] {
        let value = |token: &str| {
            if header == "Authorization" {
                format!("Bearer {token}")
            } else {
                token.to_owned()
            }
        };
        let as_team = Credentials::from_headers([(header, value(&team).as_str())]);
        assert_eq!(
            auth.authenticate(&as_team).await.unwrap().auth_kind,
            AuthKind::TeamToken,
            "{header}"
        );
        let as_admin = Credentials::from_headers([(header, value(ADMIN_TOKEN).as_str())]);
        assert_eq!(
            auth.authenticate(&as_admin).await.unwrap().auth_kind,
            AuthKind::AdminToken,
            "{header}"
        );
    }
}

#[tokio::test]
async fn the_first_header_present_is_the_only_one_read() {
    let (auth, team) = setup();
    // A wrong value in a header of higher precedence is not rescued by a right one below it.
    let shadowed = Credentials::from_headers([
        ("X-Admin-Token", "not-the-admin-token"),
        ("X-IncidentFox-Team-Token", team.as_str()),
    ]);
    assert_eq!(
        auth.authenticate(&shadowed).await.unwrap_err().code(),
        ErrorCode::InvalidCredentials
    );
    // An `Authorization` header of another scheme yields no token; the next header is read.
    let basic = Credentials::from_headers([
        ("Authorization", "Basic dXNlcjpwYXNz"),
        ("X-Admin-Token", ADMIN_TOKEN),
    ]);
    assert_eq!(
        auth.authenticate(&basic).await.unwrap().auth_kind,
        AuthKind::AdminToken
    );
    // `X-Internal-Service` is read only when no header carries a token.
    let both = Credentials::from_headers([
        ("X-Internal-Service", "anything"),
        ("X-Admin-Token", ADMIN_TOKEN),
    ]);
    assert_eq!(
        auth.authenticate(&both).await.unwrap().auth_kind,
        AuthKind::AdminToken
    );
}
