//! `testdata/vectors/login.json`: `return_to`, the login's `WEB_UI_*` configuration, the
//! callback's refusals before the code exchange (`iss`, the state cookie's role) and the session
//! cookie's `SESSION_COOKIE_CSRF` policy, as the Python and Node suites run them too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::config::FromEnv;
use incidentfox_auth::login::{sanitize_return_to, LoginConfig, OidcLogin, RETURN_TO_COOKIE};
use incidentfox_auth::{Authenticator, Credentials, Principal, Result};
use serde_json::Value;
use std::collections::HashMap;

#[path = "support/vectors.rs"]
mod vectors;

/// `base` with the case's `env` on top; a null removes the variable.
fn env_of(base: &Value, case: &Value) -> HashMap<String, String> {
    let mut env = HashMap::new();
    for layer in [base, &case["env"]] {
        for (k, v) in layer.as_object().into_iter().flatten() {
            match v.as_str() {
                Some(v) => env.insert(k.clone(), v.to_owned()),
                None => env.remove(k),
            };
        }
    }
    env
}

fn expect_error<T: std::fmt::Debug>(name: &str, outcome: Result<T>, expect: &Value) {
    let e = match outcome {
        Ok(value) => panic!("{name}: expected {expect}, got {value:?}"),
        Err(e) => e,
    };
    assert_eq!(e.code().as_str(), expect["error"], "{name}: {e:?}");
    for needle in expect["message_contains"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap();
        assert!(e.message().contains(needle), "{name}: {needle:?} in {e:?}");
    }
    for needle in expect["message_excludes"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap();
        assert!(!e.message().contains(needle), "{name}: {needle:?} in {e:?}");
    }
}

#[tokio::test]
async fn every_return_to_vector() {
    let doc = vectors::load("login.json");
    let config = LoginConfig::from_env_source(&env_of(&doc["login_env"]["base_env"], &Value::Null))
        .unwrap()
        .unwrap();
    let login = OidcLogin::new(config).await.unwrap();
    let cases = doc["return_to"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let (name, value) = (&case["name"], case["return_to"].as_str().unwrap());
        let expect = case["expect"].as_str().unwrap();
        assert_eq!(sanitize_return_to(Some(value)), expect, "{name}");
        let start = login.begin(Some(value), None).unwrap();
        let cookie = start
            .cookies
            .iter()
            .find(|c| c.name == RETURN_TO_COOKIE)
            .unwrap();
        assert_eq!(
            incidentfox_auth::cookie::unescape_value(&cookie.value).as_deref(),
            Some(expect),
            "{name}"
        );
    }
}

#[tokio::test]
async fn every_login_env_vector() {
    let doc = vectors::load("login.json");
    let section = &doc["login_env"];
    for case in section["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        let read = LoginConfig::from_env_source(&env_of(&section["base_env"], case));
        if expect.get("error").is_some() {
            expect_error(name, read, expect);
            continue;
        }
        let Some(config) = read.unwrap_or_else(|e| panic!("{name}: {e:?}")) else {
            assert_eq!(expect["enabled"], false, "{name}");
            continue;
        };
        let login = OidcLogin::new(config).await.unwrap();
        let start = login.begin(None, None).unwrap();
        let secure = expect["cookie_secure"].as_bool().unwrap();
        assert!(start.cookies.iter().all(|c| c.secure == secure), "{name}");
    }
}

#[tokio::test]
async fn every_callback_vector() {
    let doc = vectors::load("login.json");
    let config = LoginConfig::from_env_source(&env_of(&doc["login_env"]["base_env"], &Value::Null))
        .unwrap()
        .unwrap();
    let login = OidcLogin::new(config).await.unwrap();
    let cases = doc["callback"]["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let query = case["query"].as_str().unwrap();
        let cookie = case["cookie"].as_str().unwrap_or_default();
        expect_error(name, login.complete(query, cookie).await, &case["expect"]);
    }
}

async fn authenticate(base: &Value, case: &Value) -> Result<Principal> {
    let auth = Authenticator::from_env_source(&env_of(base, case), None)?;
    let headers = case["headers"].as_object().unwrap();
    let mut credentials = Credentials::from_headers(
        headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
    );
    if let Some(method) = case["method"].as_str() {
        credentials = credentials.with_method(method);
    }
    auth.authenticate(&credentials).await
}

#[tokio::test]
async fn every_session_cookie_vector() {
    let doc = vectors::load("login.json");
    let section = &doc["session_cookie"];
    for case in section["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        let outcome = authenticate(&section["base_env"], case).await;
        match expect["auth_kind"].as_str() {
            Some(kind) => {
                let principal = outcome.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                assert_eq!(principal.auth_kind.as_str(), kind, "{name}");
            }
            None => expect_error(name, outcome, expect),
        }
    }
}

/// `check-config` reports the same problems, each naming its variable, and the session-cookie
/// policy's too.
#[test]
fn check_env_reports_every_login_env_problem() {
    let doc = vectors::load("login.json");
    for (section, key) in [("login_env", "message_contains"), ("session_cookie", "")] {
        let section = &doc[section];
        for case in section["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let mut env = env_of(&section["base_env"], case);
            // The rest of the services' configuration, valid.
            env.entry("ADMIN_TOKEN".to_owned())
                .or_insert_with(|| "break-glass-token-0123456789abcdef".to_owned());
            let report = incidentfox_auth::check_env(&env);
            let refused = case["expect"]["error"] == "invalid_config";
            assert_eq!(report.is_ok(), !refused, "{name}: {report:?}");
            for needle in case["expect"][key].as_array().into_iter().flatten() {
                let needle = needle.as_str().unwrap();
                assert!(
                    report.problems.iter().any(|p| p.contains(needle)),
                    "{name}: {needle:?} in {report:?}"
                );
            }
        }
    }
}
