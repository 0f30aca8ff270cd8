//! `explain` and `check-config`: decisions as JSON and the documented exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{bin, fixture, json_of, token_with_groups, ISSUER, NOW};

#[test]
fn explain_with_grants_prints_the_decision() {
    let out = bin()
        .env_clear()
        .args([
            "explain",
            "--require",
            "admin:provision",
            "--grants",
            "admin:read, admin:*",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json_of(&out),
        json!({"allowed": true, "matched_grant": "admin:*", "source": "grants", "reason": null})
    );

    // No implied trailing wildcard: the orchestrator relies on it.
    let out = bin()
        .env_clear()
        .args([
            "explain",
            "--require",
            "admin:provision:read",
            "--grants",
            "admin:provision",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_of(&out),
        json!({"allowed": false, "matched_grant": null, "source": null, "reason": "permission_denied"})
    );
}

#[test]
fn explain_rejects_bad_input_with_exit_2() {
    for args in [
        vec!["explain", "--require", "admin::x", "--grants", "admin:*"],
        vec![
            "explain",
            "--require",
            "admin:x",
            "--grants",
            "admin:*, bad perm",
        ],
        vec!["explain", "--require", "admin:x"],
        vec!["explain", "--grants", "admin:*"],
    ] {
        let out = bin().env_clear().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let code = json_of(&out)["error"]["code"].as_str().unwrap().to_owned();
        assert!(
            code == "invalid_permission" || code == "invalid_config",
            "{args:?}: {code}"
        );
    }
}

fn explain_token(groups: &[&str], exp: f64, require: &str) -> std::process::Output {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let f = fixture(&format!("explain-{}", NEXT.fetch_add(1, Ordering::Relaxed)));
    let token = token_with_groups(&f.key, groups, exp);
    bin()
        .env_clear()
        .env("ADMIN_PERMISSIONS_DEFAULT", "admin:read")
        .env(
            "ADMIN_GROUP_PERMISSIONS_JSON",
            r#"{"sre": ["admin:provision", "admin:agent:*"]}"#,
        )
        .args(["explain", "--require", require, "--token", &token])
        .args([
            "--issuer",
            ISSUER,
            "--audience",
            "cli-aud",
            "--alg",
            "ES256",
        ])
        .args(["--now", NOW, "--jwks-file"])
        .arg(&f.jwks_path)
        .output()
        .unwrap()
}

#[test]
fn explain_with_a_token_names_the_group_that_granted() {
    let out = explain_token(
        &["incidentfox-config-admin", "sre"],
        1_700_000_600.0,
        "admin:agent:run",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        json_of(&out),
        json!({"allowed": true, "matched_grant": "admin:agent:*", "source": "group:sre", "reason": null})
    );
    let out = explain_token(&["incidentfox-config-admin"], 1_700_000_600.0, "admin:read");
    assert_eq!(json_of(&out)["source"], "default");
}

#[test]
fn explain_with_a_token_outside_the_admin_group_is_not_admin() {
    let out = explain_token(&["sre"], 1_700_000_600.0, "admin:provision");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["reason"], "not_admin");
}

#[test]
fn explain_with_a_rejected_token_prints_the_error() {
    let out = explain_token(&["incidentfox-config-admin"], 1_699_999_000.0, "admin:read");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["error"]["code"], "token_expired");
}

#[test]
fn check_config_passes_a_valid_configuration() {
    let out = bin()
        .env_clear()
        .env("ADMIN_TOKEN", "break-glass-token-0123456789abcdef")
        .env("ORCHESTRATOR_REQUIRED_PERMISSION_AGENT_RUN", "")
        .arg("check-config")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json_of(&out)["ok"], true);
}

#[test]
fn check_config_lists_every_problem_and_exits_2() {
    let out = bin()
        .env_clear()
        .env("ADMIN_AUTH_MODE", "sometimes")
        .env("ADMIN_TOKEN", "very-secret.value")
        .env("ADMIN_GROUP_PERMISSIONS_JSON", r#"{"sre": "admin::x"}"#)
        .env(
            "ORCHESTRATOR_REQUIRED_PERMISSION_PROVISION_TEAM",
            "admin provision",
        )
        .env("OIDC_ENABLED", "1")
        .env("INTERNAL_SERVICE_SECRET", "agent")
        .arg("check-config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let body = json_of(&out);
    let problems: Vec<String> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    for needle in [
        "ADMIN_AUTH_MODE",
        "ADMIN_TOKEN must not contain a dot",
        "`sre`",
        "ORCHESTRATOR_REQUIRED_PERMISSION_PROVISION_TEAM",
        "OIDC_ISSUER",
        "INTERNAL_SERVICE_SECRET",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "{needle} missing from {problems:?}"
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("very-secret"), "a secret leaked: {text}");
}

#[test]
fn check_config_reports_a_skipped_route_check_and_short_secrets() {
    // An empty value keeps the default (passes above); a blank one skips the check, which
    // check-config reports, as it reports the legacy opt-out for short secrets.
    for skip in ["  ", "\t"] {
        let out = bin()
            .env_clear()
            .env("ADMIN_TOKEN", "break-glass-token-0123456789abcdef")
            .env("ORCHESTRATOR_REQUIRED_PERMISSION_AGENT_RUN", skip)
            .arg("check-config")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{skip:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("ORCHESTRATOR_REQUIRED_PERMISSION_AGENT_RUN")
                && text.contains("agent_run"),
            "{text}"
        );
    }
    let out = bin()
        .env_clear()
        .env("ADMIN_TOKEN", "short-admin")
        .env("IMPERSONATION_JWT_SECRET", "short-secret")
        .env("AUTH_ALLOW_SHORT_SECRETS", "1")
        .env("IMPERSONATION_LEEWAY_SECONDS", "inf")
        .arg("check-config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "ADMIN_TOKEN is shorter",
        "IMPERSONATION_JWT_SECRET is shorter",
        "IMPERSONATION_LEEWAY_SECONDS",
    ] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    assert!(
        !text.contains("short-admin") && !text.contains("short-secret"),
        "{text}"
    );
}
