#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Runs the shared impersonation vectors (`testdata/vectors/impersonation.json`) through
//! `ImpersonationVerifier::dangerous_verify_without_jti_store_at`.
//!
//! The same file is read by the Python and Node suites. Regenerate it with
//! `cargo run -p incidentfox-auth-vectors -- impersonation` followed by
//! `scripts/pyjwt_vectors.py` (which adds the PyJWT-minted cases).

use incidentfox_auth::impersonation::{ImpersonationConfig, ImpersonationVerifier};
use serde_json::{Map, Value};

#[path = "support/vectors.rs"]
mod vectors;

/// The file's `config` with the case's `config` overrides applied.
fn config(doc: &Value, case: &Value) -> ImpersonationConfig {
    let mut settings: Map<String, Value> = doc["config"].as_object().cloned().expect("config");
    if let Some(overrides) = case.get("config") {
        for (name, value) in overrides.as_object().expect("config overrides") {
            settings.insert(name.clone(), value.clone());
        }
    }
    let mut config = ImpersonationConfig::new(doc["secret"].as_str().expect("secret"));
    for (name, value) in &settings {
        match name.as_str() {
            "audience" => config.audience = value.as_str().expect("audience").to_owned(),
            "accept_legacy_audience" => {
                config.accept_legacy_audience = value.as_bool().expect("accept_legacy_audience");
            }
            "leeway_seconds" => {
                config.leeway_seconds = value.as_f64().expect("leeway_seconds");
            }
            other => panic!("unknown config setting {other}"),
        }
    }
    config
}

/// `None` when the case holds; otherwise what went wrong.
fn run(doc: &Value, case: &Value) -> Option<String> {
    let verifier = ImpersonationVerifier::new(config(doc, case), None).expect("verifier");
    let now = case
        .get("now")
        .unwrap_or(&doc["now"])
        .as_f64()
        .expect("now");
    let token = case["token"].as_str().expect("token");
    let expect = &case["expect"];
    let result = verifier.dangerous_verify_without_jti_store_at(token, now);
    if expect["valid"] != Value::Bool(true) {
        let want = expect["code"].as_str().expect("code");
        return match result {
            Ok(v) => Some(format!("expected {want}, got a valid {:?} token", v.kind)),
            Err(e) if e.code().as_str() == want => None,
            Err(e) => Some(format!(
                "expected {want}, got {} ({})",
                e.code(),
                e.message()
            )),
        };
    }
    let verified = match result {
        Ok(v) => v,
        Err(e) => {
            return Some(format!(
                "expected valid, got {} ({})",
                e.code(),
                e.message()
            ))
        }
    };
    let mut problems = Vec::new();
    let kind = serde_json::to_value(verified.kind).unwrap();
    if kind != expect["kind"] {
        problems.push(format!("kind {kind}, expected {}", expect["kind"]));
    }
    // Compared as text, so the member order counts too.
    let me = verified.principal().to_json().to_string();
    let want_me = expect["me"].to_string();
    if me != want_me {
        problems.push(format!("me {me}, expected {want_me}"));
    }
    if let Some(claims) = expect.get("claims") {
        for (name, want) in claims.as_object().expect("claims") {
            let got = verified.claims().get(name).unwrap_or(&Value::Null);
            if !verified.claims().contains_key(name) || got != want {
                problems.push(format!("claim {name} is {got}, expected {want}"));
            }
        }
    }
    if let Some(names) = expect.get("claim_names") {
        let got: Vec<&str> = verified.claims().keys().map(String::as_str).collect();
        let want: Vec<&str> = names
            .as_array()
            .expect("claim_names")
            .iter()
            .map(|n| n.as_str().expect("claim name"))
            .collect();
        if got != want {
            problems.push(format!("claim names {got:?}, expected {want:?}"));
        }
    }
    if let Some(ttl) = expect.get("exp_minus_iat") {
        let exp = verified.claims()["exp"].as_i64();
        let iat = verified.claims()["iat"].as_i64();
        let got = exp.zip(iat).map(|(e, i)| e - i);
        if got != ttl.as_i64() {
            problems.push(format!("exp - iat is {got:?}, expected {ttl}"));
        }
    }
    if let Some(chars) = expect.get("jti_hex_chars") {
        let jti = &verified.jti;
        let hex = jti
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex || Some(jti.len() as u64) != chars.as_u64() {
            problems.push(format!("jti {jti} is not {chars} lowercase hex digits"));
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

#[test]
fn every_impersonation_vector_holds() {
    let doc = vectors::load("impersonation.json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let pyjwt = cases.iter().filter(|c| c["source"] == "pyjwt").count();
    assert!(
        pyjwt >= 8,
        "only {pyjwt} PyJWT-minted cases: run scripts/pyjwt_vectors.py after the generator"
    );
    let mut names = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        assert!(names.insert(name), "duplicate case name {name}");
        if let Some(problem) = run(&doc, case) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn both_sources_and_both_verdicts_are_covered() {
    let doc = vectors::load("impersonation.json");
    let cases = doc["cases"].as_array().expect("cases");
    for source in ["incidentfox-auth", "pyjwt"] {
        for valid in [true, false] {
            assert!(
                cases
                    .iter()
                    .any(|c| c["source"] == source && c["expect"]["valid"] == valid),
                "no {source} case with valid = {valid}"
            );
        }
    }
}
