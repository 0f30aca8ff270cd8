//! `incidentfox-auth demo`: the main job on embedded defaults, with no network and no setup.
//!
//! A local ES256 key stands in for the IdP; its public half is the static JWKS the validator
//! trusts. The demo mints tokens, verifies them, shows what is rejected and why, then resolves an
//! admin's groups into grants, explains route decisions, and takes an impersonation token through
//! the in-memory JTI store.

use incidentfox_auth::{Algorithm, Error, KeySource, OidcConfig, OidcValidator, SigningKey};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::sync::Arc;

const ISSUER: &str = "https://idp.demo.incidentfox.local";
const AUDIENCE: &str = "incidentfox-config-service";
const KID: &str = "demo-key-1";
const NOW: f64 = 1_800_000_000.0;

/// Runs the demo; exit 0 when every decision came out as expected.
pub fn run() -> ExitCode {
    match demo() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            println!("\nsome decisions were not as expected");
            ExitCode::FAILURE
        }
        Err(e) => crate::output::fail(&e),
    }
}

fn demo() -> Result<bool, Error> {
    let key = SigningKey::generate(Algorithm::ES256)?.with_kid(KID);
    let jwks = json!({ "keys": [key.public_jwk()] }).to_string();
    let config = OidcConfig::new(ISSUER, AUDIENCE, KeySource::Inline(jwks))
        .with_algorithms(vec![Algorithm::ES256]);
    let validator = Arc::new(OidcValidator::new(config)?);

    println!("incidentfox-auth demo: a local ES256 key, a static JWKS, no network\n");
    println!("  issuer    {ISSUER}");
    println!("  audience  {AUDIENCE}");
    println!("  key       ES256, kid `{KID}` (generated just now)");
    println!("  clock     fixed at {NOW} (Unix seconds)\n");

    let claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "email": "alice@example.com",
        "groups": ["incidentfox-config-admin", "sre-oncall"],
        "iat": NOW - 10.0, "exp": NOW + 600.0,
    });
    let good = key.sign_claims(&claims)?;
    println!("1. an admin's token, minted by the local key");
    let mut all_as_expected = true;
    match validator.verify_cached_at(&good, NOW) {
        Ok(verified) => {
            let id = verified.identity();
            println!(
                "   accepted  subject={} email={} groups={:?}",
                id.subject,
                id.email.as_deref().unwrap_or("-"),
                id.groups
            );
        }
        Err(e) => {
            all_as_expected = false;
            println!("   UNEXPECTED rejection: {e}");
        }
    }

    println!("\n2. tokens that must be rejected");
    let attacker = SigningKey::generate(Algorithm::ES256)?.with_kid(KID);
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired an hour ago",
            key.sign_claims(&with(&claims, "exp", json!(NOW - 3600.0)))?,
            "token_expired",
        ),
        (
            "audience of another service",
            key.sign_claims(&with(&claims, "aud", json!("someone-else")))?,
            "invalid_audience",
        ),
        (
            "issuer that only starts like ours",
            key.sign_claims(&with(
                &claims,
                "iss",
                json!(format!("{ISSUER}.evil.example")),
            ))?,
            "invalid_issuer",
        ),
        (
            "`exp` sent as a string",
            key.sign_claims(&with(&claims, "exp", json!("1800000600")))?,
            "invalid_claim",
        ),
        (
            "signed by an attacker's key with our kid",
            attacker.sign_claims(&claims)?,
            "invalid_signature",
        ),
        (
            "payload swapped after signing",
            swap_payload(&good, &with(&claims, "sub", json!("mallory"))),
            "invalid_signature",
        ),
        ("`alg: none`", unsigned(&claims), "algorithm_not_allowed"),
        (
            "`jku` pointing at the attacker's keys",
            key.sign_parts(
                json!({"alg": "ES256", "kid": KID, "jku": "https://evil.example/jwks"})
                    .to_string()
                    .as_bytes(),
                claims.to_string().as_bytes(),
            )?,
            "forbidden_header",
        ),
        (
            "a kid nobody published",
            SigningKey::generate(Algorithm::ES256)?
                .with_kid("rotated-away")
                .sign_claims(&claims)?,
            "unknown_key_id",
        ),
    ];
    for (what, token, expected) in cases {
        match validator.verify_cached_at(&token, NOW) {
            Ok(_) => {
                all_as_expected = false;
                println!("   UNEXPECTED acceptance: {what}");
            }
            Err(e) => {
                let mark = if e.code().as_str() == expected {
                    "rejected"
                } else {
                    "WRONG CODE"
                };
                all_as_expected &= e.code().as_str() == expected;
                println!(
                    "   {mark}  {:<24} {:<42} {}",
                    e.code().as_str(),
                    what,
                    e.message()
                );
            }
        }
    }
    all_as_expected &=
        crate::demo_rbac::resolve_and_explain(validator.clone(), &key, &claims, NOW)?;
    all_as_expected &= crate::demo_impersonation::mint_verify_revoke()?;
    println!(
        "\n{}",
        if all_as_expected {
            "every decision was as expected"
        } else {
            ""
        }
    );
    Ok(all_as_expected)
}

fn with(claims: &Value, name: &str, value: Value) -> Value {
    let mut changed = claims.clone();
    if let Some(members) = changed.as_object_mut() {
        members.insert(name.into(), value);
    }
    changed
}

fn swap_payload(token: &str, claims: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let payload = incidentfox_auth::jose::b64::encode(claims.to_string());
    format!(
        "{}.{}.{}",
        parts.first().unwrap_or(&""),
        payload,
        parts.get(2).unwrap_or(&"")
    )
}

fn unsigned(claims: &Value) -> String {
    use incidentfox_auth::jose::b64::encode;
    format!(
        "{}.{}.",
        encode(br#"{"alg":"none"}"#),
        encode(claims.to_string())
    )
}
