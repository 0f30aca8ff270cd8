use super::*;

/// Claim types.
pub(super) fn claim_types(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs, .. } = base;
    let typed: [(&str, &str, &str, Value); 9] = [
        (
            "exp_string",
            "exp",
            "exp is the string \"1700000100\" (never treated as absent)",
            json!("1700000100"),
        ),
        ("exp_null", "exp", "exp is null", Value::Null),
        ("exp_bool", "exp", "exp is true", json!(true)),
        ("nbf_string", "nbf", "nbf is a string", json!("1699999000")),
        ("iat_string", "iat", "iat is a string", json!("1699999000")),
        ("iss_number", "iss", "iss is a number", json!(42)),
        ("sub_number", "sub", "sub is a number", json!(123)),
        (
            "aud_array_with_number",
            "aud",
            "aud array holding a number next to the right audience",
            json!([AUDIENCE, 7]),
        ),
        (
            "aud_object",
            "aud",
            "aud is an object",
            json!({"aud": AUDIENCE}),
        ),
    ];
    for (name, claim, description, value) in typed {
        c.push(
            name,
            description,
            signed(rs, &claims_with(|m| _ = m.insert(claim.into(), value))),
            bad("invalid_claim"),
        );
    }
    c.push(
        "groups_with_number",
        "groups array holding a number",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("groups".into(), json!(["sre", 1]))),
        ),
        bad("invalid_claim"),
    );
    c.push(
        "groups_object",
        "groups is an object",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("groups".into(), json!({"admin": true}))),
        ),
        bad("invalid_claim"),
    );
    c.push(
        "email_number",
        "email is a number",
        signed(rs, &claims_with(|m| _ = m.insert("email".into(), json!(5)))),
        bad("invalid_claim"),
    );
}

/// Required claims.
pub(super) fn required_claims(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs, .. } = base;
    for (name, claim) in [
        ("missing_exp", "exp"),
        ("missing_sub", "sub"),
        ("missing_iss", "iss"),
        ("missing_aud", "aud"),
    ] {
        c.push(
            name,
            &format!("no {claim} claim"),
            signed(rs, &claims_with(|m| _ = m.remove(claim))),
            bad("missing_claim"),
        );
    }
}

/// Issuer.
pub(super) fn issuer(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs, .. } = base;
    for (name, iss, description) in [
        (
            "issuer_prefix",
            "https://idp.incidentfox",
            "iss is a prefix of the configured issuer",
        ),
        (
            "issuer_extended_host",
            "https://idp.incidentfox.test.evil.com",
            "iss extends the configured host",
        ),
        (
            "issuer_trailing_slash",
            "https://idp.incidentfox.test/",
            "iss with a trailing slash",
        ),
        (
            "issuer_uppercase_host",
            "https://IDP.incidentfox.test",
            "iss differing only in case (compared exactly)",
        ),
        (
            "issuer_homoglyph",
            "https://idp.incidentfox.t\u{0435}st",
            "iss with a Cyrillic e in place of e",
        ),
        (
            "issuer_http",
            "http://idp.incidentfox.test",
            "iss with http instead of https",
        ),
    ] {
        c.push(
            name,
            description,
            signed(rs, &claims_with(|m| _ = m.insert("iss".into(), json!(iss)))),
            bad("invalid_issuer"),
        );
    }
}

/// Audience.
pub(super) fn audience(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs, .. } = base;
    for (name, aud, description) in [
        (
            "audience_mismatch_string",
            json!("incidentfox-orchestrator"),
            "aud is another service",
        ),
        (
            "audience_mismatch_array",
            json!(["incidentfox-orchestrator", "web-ui"]),
            "aud array without the configured audience",
        ),
        ("audience_empty_array", json!([]), "aud is an empty array"),
        (
            "audience_prefix",
            json!("incidentfox-config"),
            "aud is a prefix of the configured audience",
        ),
    ] {
        c.push(
            name,
            description,
            signed(rs, &claims_with(|m| _ = m.insert("aud".into(), aud))),
            bad("invalid_audience"),
        );
    }
}

/// Times.
pub(super) fn times(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs, valid_rs, .. } = base;
    c.push_with(
        "exp_equals_now_no_leeway",
        "exp == now with leeway 0 is expired (now >= exp + leeway)",
        signed(rs, &claims_with(|m| _ = m.insert("exp".into(), json!(NOW)))),
        bad("token_expired"),
        Some(json!({"leeway": 0})),
        None,
    );
    c.push(
        "exp_past_beyond_leeway",
        "exp 31 s ago with leeway 30",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW - 31))),
        ),
        bad("token_expired"),
    );
    c.push(
        "exp_at_leeway_edge",
        "exp + leeway == now is expired",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW - 30))),
        ),
        bad("token_expired"),
    );
    c.push(
        "fractional_exp_just_past_leeway",
        "exp = now - leeway - 0.5: expired by half a second (no truncation)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW as f64 - 30.5))),
        ),
        bad("token_expired"),
    );
    c.push_with(
        "replayed_after_expiry",
        "the valid RS256 token verified at exp + leeway (now overridden)",
        valid_rs.clone(),
        bad("token_expired"),
        None,
        Some(NOW + 3630),
    );
    c.push(
        "nbf_in_future",
        "nbf 31 s in the future with leeway 30",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("nbf".into(), json!(NOW + 31))),
        ),
        bad("token_not_yet_valid"),
    );
    c.push(
        "iat_in_future",
        "iat 31 s in the future with leeway 30",
        signed(
            rs,
            &claims_with(|m| {
                m.insert("iat".into(), json!(NOW + 31));
                m.remove("nbf");
            }),
        ),
        bad("token_issued_in_future"),
    );
    c.push_with(
        "max_age_exceeded",
        "max_age 300 with leeway 30: iat 331 s ago is too old",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("iat".into(), json!(NOW - 331))),
        ),
        bad("token_expired"),
        Some(json!({"max_age": 300})),
        None,
    );
    c.push_with(
        "max_age_without_iat",
        "max_age configured and the token has no iat",
        signed(rs, &claims_with(|m| _ = m.remove("iat"))),
        bad("missing_claim"),
        Some(json!({"max_age": 300})),
        None,
    );
}
