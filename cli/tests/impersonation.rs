//! `mint-impersonation` and `verify-impersonation`: JSON on stdout and the documented exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::Value;
use std::process::Command;
use support::{bin, json_of};

const SECRET: &str = "cli-impersonation-secret-0123456789abcdef";

fn with_secret() -> Command {
    let mut command = bin();
    command.env_clear().env("IMPERSONATION_JWT_SECRET", SECRET);
    command
}

fn mint(args: &[&str]) -> Value {
    let out = with_secret()
        .arg("mint-impersonation")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    json_of(&out)
}

#[test]
fn minted_tokens_verify_and_expire() {
    let minted = mint(&[
        "--org",
        "o1",
        "--team",
        "t1",
        "--subject",
        "alice",
        "--email",
        "a@x.io",
        "--ttl",
        "10",
    ]);
    let token = minted["token"].as_str().unwrap();
    assert_eq!(minted["jti"].as_str().unwrap().len(), 32);
    let out = with_secret()
        .args(["verify-impersonation", token])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let body = json_of(&out);
    assert_eq!(
        body["claims"]["exp"].as_i64().unwrap() - body["claims"]["iat"].as_i64().unwrap(),
        60,
        "ttl raised to 60"
    );
    assert_eq!(body["claims"]["exp"], minted["expires_at"]);
    assert_eq!(body["me"]["auth_kind"], "impersonation");
    assert_eq!(body["me"]["email"], "a@x.io");

    let later = (minted["expires_at"].as_i64().unwrap()).to_string();
    let out = with_secret()
        .args(["verify-impersonation", token, "--now", &later])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["error"]["code"], "token_expired");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(token),
        "token echoed"
    );

    // A clock that is not a finite number never passes a token.
    for now in ["nan", "inf", "-inf"] {
        let out = with_secret()
            .args(["verify-impersonation", token, "--now", now])
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0), "--now {now}");
        assert_eq!(
            json_of(&out)["error"]["code"],
            "invalid_config",
            "--now {now}"
        );
    }
}

#[test]
fn a_ttl_past_the_end_of_time_is_refused() {
    let out = with_secret()
        .args([
            "mint-impersonation",
            "--org",
            "o1",
            "--team",
            "t1",
            "--subject",
            "a",
        ])
        .args(["--ttl", "9223372036854775807"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["error"]["code"], "invalid_config");
}

#[test]
fn visitor_tokens_and_stdin() {
    let minted = mint(&["--org", "o1", "--team", "t1", "--visitor-session", "s-1"]);
    let mut child = with_secret()
        .args(["verify-impersonation", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(
        child.stdin.take().unwrap(),
        "{}",
        minted["token"].as_str().unwrap()
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let me = &json_of(&out)["me"];
    assert_eq!(me["auth_kind"], "visitor");
    assert_eq!(me["visitor_session_id"], "s-1");
    assert_eq!(
        me["permissions"],
        serde_json::json!(["team:read", "agent:invoke"])
    );
}

#[test]
fn wrong_secret_missing_secret_and_bad_usage() {
    let minted = mint(&["--org", "o1", "--team", "t1", "--subject", "alice"]);
    let out = bin()
        .env_clear()
        .env(
            "IMPERSONATION_JWT_SECRET",
            "another-secret-0123456789abcdef-0123",
        )
        .args(["verify-impersonation", minted["token"].as_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["error"]["code"], "invalid_signature");

    let out = bin()
        .env_clear()
        .args([
            "mint-impersonation",
            "--org",
            "o",
            "--team",
            "t",
            "--subject",
            "s",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["error"]["code"], "invalid_config");

    let out = with_secret()
        .args(["mint-impersonation", "--org", "o", "--team", "t"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "--subject or --visitor-session is required"
    );
}
