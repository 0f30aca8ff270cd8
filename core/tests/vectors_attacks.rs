#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Runs the shared attack vectors (`testdata/vectors/attacks.json`) against the OIDC validator.
//!
//! The same file is read by the Python and Node suites; every case must give exactly the expected
//! outcome. Regenerate it with `cargo run -p incidentfox-auth-vectors -- attacks`.

use incidentfox_auth::keys::KeyPolicy;
use incidentfox_auth::{Algorithm, ErrorCode, KeySet, KeySource, OidcConfig, OidcValidator};
use serde_json::{Map, Value};
use std::time::Duration;

#[path = "support/vectors.rs"]
mod vectors;

fn algorithms(value: &Value) -> Vec<Algorithm> {
    value
        .as_array()
        .expect("algorithms is an array")
        .iter()
        .map(|a| {
            let name = a.as_str().expect("algorithm name");
            Algorithm::from_name(name).unwrap_or_else(|| panic!("unknown algorithm {name}"))
        })
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("array of strings")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

/// Builds the validator a case describes: the file's `validator` block with the case's
/// `validator_overrides` applied.
fn build(settings: &Map<String, Value>, jwks: &str) -> incidentfox_auth::Result<OidcValidator> {
    let issuer = settings["issuer"].as_str().expect("issuer");
    let audiences = strings(&settings["audiences"]);
    let mut config = OidcConfig::new(
        issuer,
        audiences.first().cloned().unwrap_or_default(),
        KeySource::Inline(jwks.to_owned()),
    )
    .with_audiences(audiences);
    for (name, value) in settings {
        config = match name.as_str() {
            "issuer" | "audiences" => config,
            "algorithms" => config.with_algorithms(algorithms(value)),
            "leeway" => config.with_leeway(value.as_f64().expect("leeway")),
            "groups_claim" => config.with_groups_claim(value.as_str().expect("groups_claim")),
            "require_kid" => config.with_require_kid(value.as_bool().expect("require_kid")),
            "max_token_bytes" => {
                config.with_max_token_bytes(value.as_u64().expect("max_token_bytes") as usize)
            }
            "allowed_typ" => config.with_allowed_typ(strings(value)),
            "max_age" => {
                config.with_max_age(Duration::from_secs_f64(value.as_f64().expect("max_age")))
            }
            "required_claims" => config.with_required_claims(strings(value)),
            other => panic!("unknown validator setting `{other}`"),
        };
    }
    OidcValidator::new(config)
}

/// Checks one case; `Err` describes the mismatch.
fn run_case(doc: &Value, jwks: &str, case: &Value) -> Result<(), String> {
    let mut settings = doc["validator"].as_object().expect("validator").clone();
    if let Some(overrides) = case.get("validator_overrides") {
        for (name, value) in overrides.as_object().expect("validator_overrides") {
            settings.insert(name.clone(), value.clone());
        }
    }
    let now = case
        .get("now")
        .unwrap_or(&doc["now"])
        .as_f64()
        .expect("now");
    let token = case["token"].as_str().expect("token");
    let expect = &case["expect"];
    let outcome = build(&settings, jwks).and_then(|v| v.verify_cached_at(token, now));
    match (expect["valid"].as_bool().expect("expect.valid"), outcome) {
        (true, Ok(verified)) => {
            let subject = expect["subject"].as_str().expect("expect.subject");
            let groups = strings(&expect["groups"]);
            if verified.identity().subject != subject || verified.identity().groups != groups {
                return Err(format!(
                    "expected subject {subject:?} groups {groups:?}, got subject {:?} groups {:?}",
                    verified.identity().subject,
                    verified.identity().groups
                ));
            }
            Ok(())
        }
        (true, Err(e)) => Err(format!("expected valid, got {e}")),
        (false, Ok(_)) => Err(format!(
            "expected {}, got a valid token",
            expect["code"].as_str().unwrap_or("?")
        )),
        (false, Err(e)) => {
            let code = expect["code"].as_str().expect("expect.code");
            if e.code().as_str() == code {
                Ok(())
            } else {
                Err(format!("expected {code}, got {e}"))
            }
        }
    }
}

#[test]
fn every_attack_vector_gives_the_expected_outcome() {
    let doc = vectors::load("attacks.json");
    let jwks = serde_json::to_string(&doc["jwks"]).expect("jwks");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(
        cases.len() >= 40,
        "only {} cases in attacks.json",
        cases.len()
    );
    let mut names = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("case name");
        assert!(names.insert(name), "duplicate case name {name}");
        let expect = &case["expect"];
        if let Some(code) = expect.get("code") {
            let code = code.as_str().expect("code is a string");
            assert!(
                ErrorCode::from_name(code).is_some(),
                "case {name}: `{code}` is not an error code"
            );
        }
        if let Err(why) = run_case(&doc, &jwks, case) {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} attack vectors failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

#[test]
fn the_vectors_cover_valid_and_rejected_tokens() {
    let doc = vectors::load("attacks.json");
    let cases = doc["cases"].as_array().expect("cases");
    let valid = cases
        .iter()
        .filter(|c| c["expect"]["valid"] == Value::Bool(true))
        .count();
    assert!(valid >= 3, "only {valid} valid cases");
    let codes: std::collections::HashSet<&str> = cases
        .iter()
        .filter_map(|c| c["expect"]["code"].as_str())
        .collect();
    for code in [
        "token_malformed",
        "forbidden_header",
        "token_too_large",
        "token_expired",
        "token_not_yet_valid",
        "token_issued_in_future",
        "invalid_signature",
        "algorithm_not_allowed",
        "unknown_key_id",
        "invalid_issuer",
        "invalid_audience",
        "missing_claim",
        "invalid_claim",
        "unsupported_critical_header",
    ] {
        assert!(codes.contains(code), "no case expects {code}");
    }
}

fn dropped_reasons(set: &KeySet) -> Vec<(String, String)> {
    set.dropped()
        .iter()
        .map(|d| (d.kid.clone().unwrap_or_default(), d.reason.clone()))
        .collect()
}

fn assert_dropped(set: &KeySet) {
    let dropped = dropped_reasons(set);
    let reason = |kid: &str| -> Vec<&str> {
        dropped
            .iter()
            .filter(|(k, _)| k == kid)
            .map(|(_, r)| r.as_str())
            .collect()
    };
    let expected: [(&str, usize, &str); 11] = [
        ("weak-rsa", 1, "1024-bit rsa key, under 2048 bits"),
        ("hmac-key", 1, "symmetric key (its `k` is a shared secret)"),
        ("enc-key", 1, "`use` enc"),
        ("ops-encrypt", 1, "`key_ops` without verify"),
        ("dup-key", 2, "shares its kid"),
        (
            "private-rsa",
            1,
            "private key material (`d`, `p`, `q`, `dp`, `dq`, `qi`)",
        ),
        ("private-ec", 1, "private key material (`d`)"),
        ("private-okp", 1, "private key material (`d`)"),
        ("rsa-e-1", 1, "rsa exponent `e` = 1, under 3"),
        ("rsa-e-even", 1, "even rsa exponent `e` = 65536"),
        ("rsa-e-huge", 1, "65-bit rsa exponent `e`, over 33 bits"),
    ];
    for (kid, count, fragment) in expected {
        let reasons = reason(kid);
        assert_eq!(
            reasons.len(),
            count,
            "{kid} dropped {} times, expected {count}: {dropped:?}",
            reasons.len()
        );
        assert!(
            reasons.iter().all(|r| r.contains(fragment)),
            "{kid}: reasons {reasons:?} do not mention `{fragment}`"
        );
    }
    assert_eq!(dropped.len(), 12, "unexpected dropped keys: {dropped:?}");
    let mut usable: Vec<&str> = set.keys().iter().filter_map(|k| k.kid()).collect();
    usable.sort_unstable();
    assert_eq!(
        usable,
        ["eddsa-1", "es256-1", "rs256-1", "rs384-pinned"],
        "usable keys"
    );
    let pinned = set
        .keys()
        .iter()
        .find(|k| k.kid() == Some("rs384-pinned"))
        .expect("rs384-pinned is kept");
    assert_eq!(
        pinned.algorithms().count(),
        0,
        "the RS384-pinned key must not verify RS256, ES256 or EdDSA"
    );
}

#[test]
fn bad_keys_in_the_set_are_dropped_with_reasons() {
    let doc = vectors::load("attacks.json");
    let jwks = serde_json::to_string(&doc["jwks"]).expect("jwks");
    let policy = KeyPolicy {
        algorithms: algorithms(&doc["validator"]["algorithms"]),
        allow_symmetric: false,
    };
    let set = KeySet::from_jwks_json(jwks.as_bytes(), &policy).expect("key set loads");
    assert_dropped(&set);

    // The validator built from the same document reports the same keys.
    let settings = doc["validator"].as_object().expect("validator").clone();
    let validator = build(&settings, &jwks).expect("validator builds");
    assert_dropped(&validator.cached_key_set().expect("inline set"));
}

#[test]
fn check_config_notes_every_dropped_key_with_its_reason() {
    let doc = vectors::load("attacks.json");
    let jwks = serde_json::to_string(&doc["jwks"]).expect("jwks");
    let env: std::collections::HashMap<&str, &str> = [
        ("ADMIN_AUTH_MODE", "oidc"),
        ("OIDC_ENABLED", "1"),
        ("OIDC_ISSUER", "https://idp.incidentfox.test"),
        ("OIDC_AUDIENCE", "incidentfox-config-service"),
        ("OIDC_ALG", "RS256,ES256,EdDSA"),
        ("OIDC_JWKS_JSON", jwks.as_str()),
    ]
    .into_iter()
    .collect();
    let report = incidentfox_auth::check_env(&env);
    assert!(report.is_ok(), "{:?}", report.problems);
    for (kid, fragment) in [
        (
            "private-rsa",
            "private key material (`d`, `p`, `q`, `dp`, `dq`, `qi`)",
        ),
        ("private-ec", "private key material (`d`)"),
        ("private-okp", "private key material (`d`)"),
        ("rsa-e-1", "`e` = 1, under 3"),
        ("rsa-e-even", "even rsa exponent"),
        ("rsa-e-huge", "over 33 bits"),
        ("weak-rsa", "under 2048 bits"),
    ] {
        let needle = format!("OIDC_JWKS_JSON: key `{kid}` dropped: ");
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with(&needle) && n.contains(fragment)),
            "{kid}: {:?}",
            report.notes
        );
    }
    // A note names the leak, never the leaked value.
    let leaked = doc["jwks"]["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == "private-ec")
        .expect("private-ec")["d"]
        .as_str()
        .expect("d")
        .to_owned();
    assert!(report.notes.iter().all(|n| !n.contains(&leaked)));
}
