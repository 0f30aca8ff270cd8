//! `testdata/vectors/me.json`: credential + configuration → the `/auth/me` JSON, through the
//! request authenticator (every dispatch path).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::jti::MemoryJtiStore;
use incidentfox_auth::team_tokens::MemoryTeamTokens;
use incidentfox_auth::team_tokens::{StoredTeamToken, StoredTokenKind};
use incidentfox_auth::{Authenticator, Credentials, Principal, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

#[path = "support/vectors.rs"]
mod vectors;

fn env_of(base: &Value, case: &Value) -> HashMap<String, String> {
    let mut env = HashMap::new();
    for layer in [base, &case["env"]] {
        for (k, v) in layer.as_object().unwrap() {
            env.insert(k.clone(), v.as_str().unwrap().to_owned());
        }
    }
    env
}

fn rows(doc: &Value) -> MemoryTeamTokens {
    MemoryTeamTokens::new(
        doc["team_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| StoredTeamToken {
                org_id: r["org_id"].as_str().unwrap().into(),
                team_node_id: r["team_node_id"].as_str().map(Into::into),
                token_id: r["token_id"].as_str().unwrap().into(),
                token_hash: r["token_hash"].as_str().unwrap().into(),
                revoked_at: r["revoked_at"].as_f64(),
                expires_at: r["expires_at"].as_f64(),
                kind: match r["kind"].as_str().unwrap() {
                    "org_admin" => StoredTokenKind::OrgAdmin,
                    _ => StoredTokenKind::Team,
                },
            }),
    )
}

fn credentials(case: &Value) -> Credentials {
    if let Some(headers) = case["headers"].as_object() {
        return Credentials::from_headers(
            headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
        );
    }
    if let Some(value) = case["internal_service"].as_str() {
        return Credentials::from_headers([("X-Internal-Service", value)]);
    }
    match case["credential"].as_str().unwrap() {
        "" => Credentials::default(),
        credential => Credentials::bearer(credential),
    }
}

async fn outcome(doc: &Value, case: &Value) -> Result<Principal> {
    let store = Arc::new(MemoryJtiStore::default());
    let auth = Authenticator::from_env_source(&env_of(&doc["base_env"], case), Some(store))?
        .with_team_token_lookup(Arc::new(rows(doc)));
    auth.authenticate_at(&credentials(case), doc["now"].as_f64().unwrap())
        .await
}

#[tokio::test]
async fn every_me_vector() {
    let doc = vectors::load("me.json");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 55, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let got = match outcome(&doc, case).await {
            Ok(principal) => serde_json::json!({ "me": principal.to_json() }),
            Err(e) => serde_json::json!({ "error": e.code().as_str() }),
        };
        // Compared as text, so the member order of `/auth/me` is part of the contract.
        let (got_text, want_text) = (got.to_string(), case["expect"].to_string());
        if got_text != want_text {
            failures.push(format!("{name}: expected {want_text}, got {got_text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn an_authenticator_never_prints_its_secrets() {
    let doc = vectors::load("me.json");
    let mut env = env_of(&doc["base_env"], &doc["cases"][0]);
    env.insert(
        "INTERNAL_SERVICE_SECRET".into(),
        "internal-service-secret-0123456789abcdef".into(),
    );
    let auth = Authenticator::from_env_source(&env, None).unwrap();
    let debug = format!("{auth:?}");
    for secret in [
        "ADMIN_TOKEN",
        "TOKEN_PEPPER",
        "IMPERSONATION_JWT_SECRET",
        "INTERNAL_SERVICE_SECRET",
    ] {
        assert!(
            !debug.contains(env[secret].as_str()),
            "{secret} leaked: {debug}"
        );
    }
    // Errors name what failed, never the presented value.
    let e = auth
        .authenticate_at(&Credentials::bearer("a-wrong-token-value"), 1.7e9)
        .await
        .unwrap_err();
    assert!(!e.message().contains("a-wrong-token-value"));
}
