//! The CLI as operators use it: JSON on stdout and the documented exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::json;
use std::io::Write;
use std::process::Stdio;

mod support;

use support::{bin, fixture, json_of, token, Fixture, ISSUER, NOW};

fn verify_args(f: &Fixture) -> Vec<String> {
    [
        "verify",
        "--issuer",
        ISSUER,
        "--audience",
        "other",
        "--audience",
        "cli-aud",
        "--alg",
        "ES256",
        "--now",
        NOW,
        "--jwks-file",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([f.jwks_path.display().to_string()])
    .collect()
}

#[test]
fn verify_prints_claims_and_identity() {
    let f = fixture("ok");
    let mut args = verify_args(&f);
    args.push(token(&f.key, 1_700_000_600.0));
    let out = bin().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let body = json_of(&out);
    assert_eq!(body["identity"]["subject"], "alice");
    assert_eq!(body["identity"]["groups"], json!(["g1"]));
    assert_eq!(body["claims"]["iss"], ISSUER);
}

#[test]
fn verify_refuses_a_clock_that_is_not_finite() {
    let f = fixture("nan-clock");
    // Expired decades before the clock, then the same token with clocks that are not numbers.
    let expired = token(&f.key, 1_000.0);
    for now in ["nan", "inf", "NaN", "-inf"] {
        let mut args = verify_args(&f);
        let at = args.iter().position(|a| a == "--now").unwrap() + 1;
        args[at] = now.to_owned();
        args.push(expired.clone());
        let out = bin().args(&args).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "--now {now}");
        assert_eq!(
            json_of(&out)["error"]["code"],
            "invalid_config",
            "--now {now}"
        );
    }
}

#[test]
fn verify_reads_the_token_from_stdin() {
    let f = fixture("stdin");
    let mut args = verify_args(&f);
    args.push("-".into());
    let mut child = bin()
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(
        child.stdin.take().unwrap(),
        "{}",
        token(&f.key, 1_700_000_600.0)
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_rejected_token_exits_1_with_the_error_shape() {
    let f = fixture("expired");
    let mut args = verify_args(&f);
    let expired = token(&f.key, 1_699_999_000.0);
    args.push(expired.clone());
    let out = bin().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let body = json_of(&out);
    assert_eq!(body["error"]["code"], "token_expired");
    assert_eq!(body["error"]["status"], 401);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(&expired),
        "token leaked"
    );
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let out = bin()
        .args(["verify", "--audience", "a", "x.y.z"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["error"]["code"], "invalid_config");

    let out = bin().args(["verify", "--bogus-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["error"]["code"], "invalid_config");

    let f = fixture("hs");
    let mut args = verify_args(&f);
    args.extend(["--alg".into(), "HS256".into(), "x.y.z".into()]);
    let out = bin().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn from_env_reads_the_oidc_variables() {
    let f = fixture("env");
    let jwks = std::fs::read_to_string(&f.jwks_path).unwrap();
    let out = bin()
        .args([
            "verify",
            "--from-env",
            "--now",
            NOW,
            &token(&f.key, 1_700_000_600.0),
        ])
        .env("OIDC_ENABLED", "1")
        .env("OIDC_ISSUER", ISSUER)
        .env("OIDC_AUDIENCE", "cli-aud")
        .env("OIDC_ALG", "ES256")
        .env("OIDC_JWKS_JSON", jwks)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let out = bin()
        .args(["verify", "--from-env", "x.y.z"])
        .env("OIDC_ENABLED", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_demo_runs_offline_and_every_decision_is_as_expected() {
    let out = bin().arg("demo").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("every decision was as expected"));
    assert!(text.contains("algorithm_not_allowed"));
    assert!(text.contains("\"source\":\"group:sre-oncall\""), "{text}");
    assert!(text.contains("not_admin"), "{text}");
}
