//! `check-config` over the web UI login's `WEB_UI_*` variables and `SESSION_COOKIE_CSRF`: each
//! bad setting is a problem naming its variable, exit 2; what does not stop the login is a note.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::Value;
use std::process::Output;
use support::{bin, json_of};

/// A valid login with explicit endpoints (check-config fetches nothing), and `changes` on top
/// (`None` unsets).
fn check(changes: &[(&str, Option<&str>)]) -> Output {
    let mut vars: Vec<(&str, Option<&str>)> = vec![
        ("ADMIN_TOKEN", Some("break-glass-token-0123456789abcdef")),
        ("ORCHESTRATOR_REQUIRED_PERMISSION_AGENT_RUN", Some("")),
        ("WEB_UI_OIDC_ENABLED", Some("1")),
        ("WEB_UI_OIDC_ISSUER", Some("https://idp.example.test")),
        ("WEB_UI_OIDC_CLIENT_ID", Some("incidentfox-web-ui")),
        ("WEB_UI_OIDC_CLIENT_SECRET", Some("web-ui-client-secret")),
        ("WEB_UI_PUBLIC_BASE_URL", Some("https://ui.example.test")),
        (
            "WEB_UI_OIDC_AUTHORIZATION_ENDPOINT",
            Some("https://idp.example.test/auth"),
        ),
        (
            "WEB_UI_OIDC_TOKEN_ENDPOINT",
            Some("https://idp.example.test/token"),
        ),
        (
            "WEB_UI_OIDC_JWKS_URL",
            Some("https://idp.example.test/jwks"),
        ),
    ];
    vars.extend_from_slice(changes);
    let mut command = bin();
    command.env_clear();
    for (name, value) in vars {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.arg("check-config").output().unwrap()
}

fn lines(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_valid_login_passes() {
    let out = check(&[("SESSION_COOKIE_CSRF", Some("origin"))]);
    let body = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{body}");
    assert_eq!(body["ok"], true);
    assert_eq!(lines(&body, "notes"), Vec::<String>::new());
}

#[test]
fn every_bad_login_setting_is_a_problem_naming_its_variable() {
    let out = check(&[
        ("WEB_UI_OIDC_CLIENT_ID", None),
        (
            "WEB_UI_PUBLIC_BASE_URL",
            Some("https://ui.example.test/?x=1"),
        ),
        ("WEB_UI_COOKIE_SECURE", Some("0")),
        (
            "WEB_UI_OIDC_AUTHORIZATION_ENDPOINT",
            Some("http://idp.example.test/auth"),
        ),
        ("WEB_UI_OIDC_TOKEN_ENDPOINT", Some("not a url")),
        ("WEB_UI_OIDC_JWKS_URL", None),
        ("OIDC_JWKS_URL", Some("http://idp.example.test/jwks")),
        ("WEB_UI_OIDC_SCOPES", Some("email profile")),
        ("OIDC_ALG", Some("RS256,HS256")),
        ("SESSION_COOKIE_CSRF", Some("strict")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let body = json_of(&out);
    assert_eq!(body["ok"], false);
    let problems = lines(&body, "problems");
    for needle in [
        "WEB_UI_OIDC_CLIENT_ID is required when WEB_UI_OIDC_ENABLED=1",
        "WEB_UI_PUBLIC_BASE_URL: `https://ui.example.test/?x=1` must not have a query",
        "WEB_UI_COOKIE_SECURE=0 turns `Secure` off, but WEB_UI_PUBLIC_BASE_URL is https",
        "WEB_UI_OIDC_AUTHORIZATION_ENDPOINT: url `http://idp.example.test/auth` must use https",
        "WEB_UI_OIDC_TOKEN_ENDPOINT: url `not a url` is not an absolute url",
        "OIDC_JWKS_URL: url `http://idp.example.test/jwks` must use https",
        "WEB_UI_OIDC_SCOPES must include `openid`",
        "OIDC_ALG names `HS256`, which is not allowed for id tokens",
        "SESSION_COOKIE_CSRF must be off, safe_methods or origin, got `strict`",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "{needle} missing from {problems:#?}"
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("web-ui-client-secret"), "{text}");
}

#[test]
fn flags_and_missing_variables_are_named_too() {
    let out = check(&[
        ("WEB_UI_OIDC_ISSUER", None),
        ("WEB_UI_COOKIE_SECURE", Some("sometimes")),
        (
            "WEB_UI_PUBLIC_BASE_URL",
            Some("https://user:hunter2@ui.example.test"),
        ),
        ("SESSION_COOKIE_CSRF", Some("origin")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let problems = lines(&json_of(&out), "problems");
    for needle in [
        "WEB_UI_OIDC_ISSUER (or OIDC_ISSUER) is required when WEB_UI_OIDC_ENABLED=1",
        "WEB_UI_COOKIE_SECURE must be 1 or 0, got `sometimes`",
        "WEB_UI_PUBLIC_BASE_URL: the url must not carry credentials",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "{needle} missing from {problems:#?}"
        );
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));

    let out = check(&[
        ("WEB_UI_OIDC_ENABLED", Some("maybe")),
        ("SESSION_COOKIE_CSRF", Some("origin")),
        ("WEB_UI_PUBLIC_BASE_URL", None),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let problems = lines(&json_of(&out), "problems");
    for needle in [
        "WEB_UI_OIDC_ENABLED must be 1 or 0 (only `1` turns it on), got `maybe`",
        "SESSION_COOKIE_CSRF=origin needs WEB_UI_PUBLIC_BASE_URL",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "{needle} missing from {problems:#?}"
        );
    }
}

#[test]
fn what_does_not_stop_the_login_is_a_note() {
    let out = check(&[
        ("WEB_UI_PUBLIC_BASE_URL", Some("http://ui.example.test")),
        ("WEB_UI_COOKIE_SECURE", Some("1")),
    ]);
    let body = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{body}");
    let notes = lines(&body, "notes").join("\n");
    assert!(
        notes.contains("WEB_UI_PUBLIC_BASE_URL `http://ui.example.test` is http"),
        "{notes}"
    );
    assert!(
        notes.contains("WEB_UI_COOKIE_SECURE=1 with an http WEB_UI_PUBLIC_BASE_URL"),
        "{notes}"
    );
}
