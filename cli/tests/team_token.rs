#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `hash-team-token` and `generate-team-token` as operators run them.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const TOKEN: &str = "3f2a9c1e4b7d4e2f8a1c0d9e8f7a6b5c.kJ3v_Xq-8Zt0LmN4aB7cD1eF2gH5iK6jL9oP0qR3sTw";
const SECRET: &str = "kJ3v_Xq-8Zt0LmN4aB7cD1eF2gH5iK6jL9oP0qR3sTw";
const PEPPER: &str = "s3cr3t-pepper";
// python3 -c 'import hashlib; print(hashlib.sha256(
//     b"kJ3v_Xq-8Zt0LmN4aB7cD1eF2gH5iK6jL9oP0qR3sTws3cr3t-pepper").hexdigest())'
const KNOWN_HASH: &str = "5e853d2fef1e92394e2cee927a4c12290fe4e2b54ba1034718c5ebaa40173997";

fn run(args: &[&str], pepper: Option<&str>, stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_incidentfox-auth"));
    command
        .args(args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(pepper) = pepper {
        command.env("TOKEN_PEPPER", pepper);
    }
    let mut child = command.spawn().unwrap();
    // The command may exit before reading (missing pepper), so a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn hash_matches_the_known_answer() {
    let out = run(&["hash-team-token"], Some(PEPPER), &format!("  {TOKEN}\n"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let body = json_of(&out);
    assert_eq!(body["token_id"], "3f2a9c1e4b7d4e2f8a1c0d9e8f7a6b5c");
    assert_eq!(body["token_hash"], KNOWN_HASH);
}

#[test]
fn malformed_token_exits_1_without_echoing_it() {
    let bad = format!("{}=", TOKEN);
    let out = run(&["hash-team-token"], Some(PEPPER), &bad);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let body = json_of(&out);
    assert_eq!(body["error"]["code"], "token_malformed");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!printed.contains(SECRET), "{printed}");
    assert!(!printed.contains(&SECRET[..20]), "{printed}");

    let out = run(&["hash-team-token"], Some(PEPPER), "");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(json_of(&out)["error"]["code"], "token_malformed");
}

#[test]
fn oversized_stdin_is_malformed() {
    let huge = "a".repeat(200 * 1024);
    let out = run(&["hash-team-token"], Some(PEPPER), &huge);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(json_of(&out)["error"]["code"], "token_malformed");
}

#[test]
fn missing_pepper_exits_2() {
    for (args, pepper) in [
        (&["hash-team-token"][..], None),
        (&["hash-team-token"][..], Some("")),
        (&["generate-team-token"][..], None),
    ] {
        let out = run(args, pepper, TOKEN);
        assert_eq!(out.status.code(), Some(2), "{args:?} {out:?}");
        let body = json_of(&out);
        assert_eq!(body["error"]["code"], "invalid_config");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("TOKEN_PEPPER"), "{message}");
    }
}

#[test]
fn generate_then_hash_agree() {
    let out = run(&["generate-team-token"], Some(PEPPER), "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let generated = json_of(&out);
    let token = generated["token"].as_str().unwrap();
    let token_id = generated["token_id"].as_str().unwrap();
    assert_eq!(token.len(), 76);
    assert!(token.starts_with(&format!("{token_id}.")));

    let out = run(&["hash-team-token"], Some(PEPPER), token);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let hashed = json_of(&out);
    assert_eq!(hashed["token_id"], generated["token_id"]);
    assert_eq!(hashed["token_hash"], generated["token_hash"]);

    let out = run(&["hash-team-token"], Some("another-pepper"), token);
    assert_ne!(json_of(&out)["token_hash"], generated["token_hash"]);
}
