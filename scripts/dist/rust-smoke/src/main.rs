//! Judges two vectors of testdata/vectors/attacks.json (the first valid token and the first
//! rejected one) with the packaged crate, so a package that builds but misbehaves fails here.
//! Usage: incidentfox-auth-smoke ATTACKS_JSON

use incidentfox_auth::{Algorithm, ErrorCode, KeySource, OidcConfig, OidcValidator};
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: incidentfox-auth-smoke ATTACKS_JSON")?;
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let v = &doc["validator"];
    let s = |value: &Value| value.as_str().unwrap_or_default().to_string();
    let algorithms = v["algorithms"].as_array().ok_or("algorithms")?;
    let algorithms = algorithms.iter().filter_map(|a| Algorithm::from_name(a.as_str()?)).collect();
    let config = OidcConfig::new(s(&v["issuer"]), s(&v["audiences"][0]), KeySource::Inline(doc["jwks"].to_string()))
        .with_algorithms(algorithms)
        .with_leeway(v["leeway"].as_f64().ok_or("leeway")?)
        .with_groups_claim(s(&v["groups_claim"]))
        .with_require_kid(v["require_kid"].as_bool().ok_or("require_kid")?);
    let validator = OidcValidator::new(config)?;
    let now = doc["now"].as_f64().ok_or("now")?;
    let cases = doc["cases"].as_array().ok_or("cases")?;
    let plain = || cases.iter().filter(|c| c.get("validator_overrides").is_none() && c.get("now").is_none());
    let good = plain().find(|c| c["expect"]["valid"] == true).ok_or("no valid case")?;
    let bad = plain().find(|c| c["expect"]["valid"] == false).ok_or("no rejected case")?;

    let verified = validator.verify_cached_at(good["token"].as_str().ok_or("token")?, now)?;
    if verified.identity().subject != s(&good["expect"]["subject"]) {
        return Err(format!("{}: subject {}", good["name"], verified.identity().subject).into());
    }
    let want = ErrorCode::from_name(bad["expect"]["code"].as_str().ok_or("code")?).ok_or("unknown code")?;
    match validator.verify_cached_at(bad["token"].as_str().ok_or("token")?, now) {
        Err(e) if e.code() == want => {}
        other => return Err(format!("{}: {:?}", bad["name"], other.map(|_| "accepted")).into()),
    }
    println!("crate ok: {} valid, {} -> {}", good["name"], bad["name"], want.as_str());
    Ok(())
}
