//! Helpers shared by the CLI tests: the binary, a key with its JWKS file, tokens.
#![allow(dead_code)]

use incidentfox_auth::{Algorithm, SigningKey};
use serde_json::{json, Value};
use std::process::{Command, Output};

pub const ISSUER: &str = "https://idp.cli.test";
pub const NOW: &str = "1700000000";

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_incidentfox-auth"))
}

pub fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "stdout is not json: {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

pub struct Fixture {
    pub dir: std::path::PathBuf,
    pub jwks_path: std::path::PathBuf,
    pub key: SigningKey,
}

pub fn fixture(name: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!("ifx-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k1");
    let jwks_path = dir.join("jwks.json");
    std::fs::write(
        &jwks_path,
        json!({ "keys": [key.public_jwk()] }).to_string(),
    )
    .unwrap();
    Fixture {
        dir,
        jwks_path,
        key,
    }
}

pub fn token(key: &SigningKey, exp: f64) -> String {
    key.sign_claims(&json!({
        "iss": ISSUER, "aud": "cli-aud", "sub": "alice", "groups": ["g1"],
        "iat": 1_699_999_990, "exp": exp,
    }))
    .unwrap()
}

/// A token for `sub` with `groups`, expiring at `exp`.
pub fn token_with_groups(key: &SigningKey, groups: &[&str], exp: f64) -> String {
    key.sign_claims(&json!({
        "iss": ISSUER, "aud": "cli-aud", "sub": "alice", "groups": groups,
        "iat": 1_699_999_990, "exp": exp,
    }))
    .unwrap()
}
