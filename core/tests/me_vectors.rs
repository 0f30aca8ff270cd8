//! `testdata/vectors/me.json`: admin credential + configuration → the `/auth/me` JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::{AdminAuthenticator, Principal, Result};
use serde_json::Value;
use std::collections::HashMap;

fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/me.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn env_of(base: &Value, case: &Value) -> HashMap<String, String> {
    let mut env = HashMap::new();
    for layer in [base, &case["env"]] {
        for (k, v) in layer.as_object().unwrap() {
            env.insert(k.clone(), v.as_str().unwrap().to_owned());
        }
    }
    env
}

fn outcome(doc: &Value, case: &Value) -> Result<Principal> {
    let auth = AdminAuthenticator::from_env_source(&env_of(&doc["base_env"], case))?;
    let now = doc["now"].as_f64().unwrap();
    match case["internal_service"].as_str() {
        Some(header) => auth.authenticate_internal_service(header),
        None => auth.authenticate_cached_at(case["credential"].as_str().unwrap(), now),
    }
}

#[test]
fn every_me_vector() {
    let doc = load();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let got = match outcome(&doc, case) {
            Ok(principal) => serde_json::json!({ "me": principal.to_json() }),
            Err(e) => serde_json::json!({ "error": e.code().as_str() }),
        };
        // Compare as text as well, so the member order of `/auth/me` is part of the contract.
        let (got_text, want_text) = (got.to_string(), case["expect"].to_string());
        if got_text != want_text {
            failures.push(format!("{name}: expected {}, got {got}", case["expect"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_authenticator_never_prints_its_secrets() {
    let doc = load();
    let case = &doc["cases"][0];
    let mut env = env_of(&doc["base_env"], case);
    env.insert(
        "INTERNAL_SERVICE_SECRET".into(),
        "internal-service-secret-0123456789abcdef".into(),
    );
    let auth = AdminAuthenticator::from_env_source(&env).unwrap();
    let debug = format!("{auth:?}");
    assert!(!debug.contains(env["ADMIN_TOKEN"].as_str()), "{debug}");
    assert!(!debug.contains("internal-service-secret"), "{debug}");
    // Errors name what failed, never the presented value.
    let e = auth
        .authenticate_cached_at("a-wrong-token-value", 1.7e9)
        .unwrap_err();
    assert!(!e.message().contains("a-wrong-token-value"));
}
