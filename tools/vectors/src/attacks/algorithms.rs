use super::*;

/// Valid tokens.
pub(super) fn valid_tokens(c: &mut Cases, k: &Keys, base: &Base<'_>) {
    let Base {
        rs,
        rs_kid,
        valid_rs,
        ..
    } = base;
    c.push(
        "valid_rs256",
        "a well-formed RS256 token from the configured issuer",
        valid_rs.clone(),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_es256",
        "a well-formed ES256 token",
        signed(
            &k.es,
            &claims_with(|m| {
                m.insert("sub".into(), json!("user-es256"));
                m.insert("groups".into(), json!(["sre"]));
            }),
        ),
        ok("user-es256", &["sre"]),
    );
    c.push(
        "valid_eddsa_group_string",
        "a well-formed EdDSA token whose groups claim is a single string (one group)",
        signed(
            &k.ed,
            &claims_with(|m| {
                m.insert("sub".into(), json!("user-eddsa"));
                m.insert("groups".into(), json!("oncall"));
            }),
        ),
        ok("user-eddsa", &["oncall"]),
    );
    c.push(
        "valid_no_groups_email_null",
        "groups absent is an empty list; email null counts as absent",
        signed(
            rs,
            &claims_with(|m| {
                m.remove("groups");
                m.insert("email".into(), Value::Null);
            }),
        ),
        ok("user-123", &[]),
    );
    c.push_with(
        "valid_groups_json_pointer",
        "groups read through a JSON pointer (Keycloak realm roles)",
        signed(
            rs,
            &claims_with(|m| {
                m.remove("groups");
                m.insert("realm_access".into(), json!({"roles": ["admin", "viewer"]}));
            }),
        ),
        ok("user-123", &["admin", "viewer"]),
        Some(json!({"groups_claim": "/realm_access/roles"})),
        None,
    );
    c.push_with(
        "valid_missing_kid_when_not_required",
        "with require_kid false, a token without kid uses the single key that fits its alg",
        sign(&rs.signer, br#"{"alg":"RS256","typ":"JWT"}"#, &claims()),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"require_kid": false})),
        None,
    );
    c.push(
        "valid_aud_array_with_one_match",
        "aud array with one configured audience among others",
        signed(
            rs,
            &claims_with(|m| {
                m.insert(
                    "aud".into(),
                    json!(["other-service", AUDIENCE, "third-service"]),
                );
            }),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_exp_within_leeway",
        "exp 29 s in the past is inside the 30 s leeway",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW - 29))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_fractional_exp_just_inside_leeway",
        "exp = now - leeway + 0.5: fractional NumericDates are not truncated",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW as f64 - 29.5))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_nbf_at_leeway_edge",
        "nbf = now + leeway is accepted (rejected only when nbf > now + leeway)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("nbf".into(), json!(NOW + 30))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_iat_at_leeway_edge",
        "iat = now + leeway is accepted (rejected only when iat > now + leeway)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("iat".into(), json!(NOW + 30))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push_with(
        "valid_typ_case_insensitive",
        "typ AT+JWT matches the allowlist entry at+jwt case-insensitively",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"RS256","typ":"AT+JWT","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"allowed_typ": ["at+jwt"]})),
        None,
    );
    c.push_with(
        "valid_max_age_at_edge",
        "max_age 300 with leeway 30: iat 330 s ago is still accepted",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("iat".into(), json!(NOW - 330))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"max_age": 300})),
        None,
    );
    c.push_with(
        "valid_token_exactly_at_size_cap",
        "max_token_bytes equal to the token length is accepted",
        valid_rs.clone(),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"max_token_bytes": valid_rs.len()})),
        None,
    );
    c.push(
        "valid_claims_nested_32_levels",
        "a claim nested so that the payload is exactly 32 levels deep (the cap) is accepted",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("deep".into(), nested_arrays(31))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
}

/// Alg none.
pub(super) fn alg_none(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs_kid, vp, vs, .. } = base;
    for spelling in ["none", "None", "NONE"] {
        let h = b64::encode(format!(
            r#"{{"alg":"{spelling}","typ":"JWT","kid":"{rs_kid}"}}"#
        ));
        c.push(
            &format!("alg_{}_empty_signature", none_name(spelling)),
            &format!(
                "unsecured JWS (alg {spelling}) with an empty signature part: reported as the \
                 algorithm problem it is"
            ),
            format!("{h}.{vp}."),
            bad("algorithm_not_allowed"),
        );
        c.push(
            &format!("alg_{}_with_signature", none_name(spelling)),
            &format!("alg {spelling} carrying the signature of a valid RS256 token"),
            format!("{h}.{vp}.{vs}"),
            bad("algorithm_not_allowed"),
        );
    }
}

/// HMAC confusion.
pub(super) fn hmac_confusion(c: &mut Cases, k: &Keys, base: &Base<'_>) {
    let Base {
        rs,
        rs_kid,
        valid_rs,
        ..
    } = base;
    let hs_header = header("HS256", rs_kid);
    let jwk_json = serde_json::to_string(&rs.jwk).expect("jwk json");
    let spki = rsa_spki_der(&rs.jwk);
    let pkcs1 = rsa_pkcs1_der(&rs.jwk);
    let secrets: [(&str, &str, Vec<u8>); 5] = [
        (
            "jwk_json",
            "the RSA public key's JWK JSON",
            jwk_json.into_bytes(),
        ),
        (
            "spki_pem",
            "the RSA public key's SPKI PEM",
            pem("PUBLIC KEY", &spki).into_bytes(),
        ),
        ("spki_der", "the RSA public key's SPKI DER", spki.clone()),
        (
            "pkcs1_pem",
            "the RSA public key's PKCS#1 PEM",
            pem("RSA PUBLIC KEY", &pkcs1).into_bytes(),
        ),
        ("pkcs1_der", "the RSA public key's PKCS#1 DER", pkcs1),
    ];
    for (name, what, secret) in secrets {
        c.push(
            &format!("hs256_confusion_{name}"),
            &format!("RS256->HS256 key confusion: HMAC over the token with {what} as secret, kid of the RSA key"),
            hs256(&secret, &hs_header, &claims()),
            bad("algorithm_not_allowed"),
        );
    }
    c.push(
        "hs256_with_hmac_key_in_set",
        "HS256 signed with the secret of the oct key that sits in the set",
        hs256(HMAC_SECRET, &header("HS256", "hmac-key"), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push_with(
        "hs256_in_oidc_allowlist",
        "an HMAC algorithm in an OIDC allowlist is a configuration error when the validator is built",
        valid_rs.clone(),
        bad("invalid_config"),
        Some(json!({"algorithms": ["RS256", "HS256"]})),
        None,
    );
    c.push(
        "alg_lowercase_rs256",
        "alg names are case-sensitive: rs256 is not RS256",
        sign(&rs.signer, &header("rs256", rs_kid), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push(
        "alg_es384_not_allowlisted",
        "a correctly signed ES384 token when ES384 is not in the allowlist",
        signed(&k.es384, &claims()),
        bad("algorithm_not_allowed"),
    );
    let ps = SigningKey::from_pkcs8(Algorithm::PS256, &rs.pkcs8).expect("ps256 key");
    c.push(
        "alg_ps256_not_allowlisted",
        "a PS256 token signed by the RSA key whose kid is in the set, PS256 not allowed",
        sign(&ps, &header("PS256", rs_kid), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push(
        "alg_ed25519_name",
        "alg Ed25519 is not a JWS algorithm name (EdDSA is)",
        sign(&k.ed.signer, &header("Ed25519", &k.ed.kid), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push(
        "alg_not_a_string",
        "header alg is a number",
        sign(
            &rs.signer,
            format!(r#"{{"alg":256,"typ":"JWT","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "alg_missing",
        "header without alg",
        sign(
            &rs.signer,
            format!(r#"{{"typ":"JWT","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
}

/// Signatures.
pub(super) fn signatures(c: &mut Cases, k: &Keys, base: &Base<'_>) {
    let Base {
        rs_kid, vh, vp, vs, ..
    } = base;
    let valid_es = signed(&k.es, &claims());
    let (eh, ep, es_sig) = parts(&valid_es);
    c.push(
        "psychic_signature_es256",
        "ES256 signature r = s = 0 (64 zero bytes), CVE-2022-21449",
        join(&eh, &ep, &b64::encode([0u8; 64])),
        bad("invalid_signature"),
    );
    c.push(
        "es256_der_signature",
        "ES256 signature in ASN.1 DER form instead of the fixed r||s form JWS requires",
        join(
            &eh,
            &ep,
            &b64::encode(ecdsa_der(&b64::decode(&es_sig).expect("sig"))),
        ),
        bad("invalid_signature"),
    );
    let other_payload = b64::encode(claims_with(|m| {
        m.insert("groups".into(), json!(["admin"]));
    }));
    c.push(
        "tampered_payload",
        "payload changed to claim admin, signature of the original payload",
        join(vh, &other_payload, vs),
        bad("invalid_signature"),
    );
    c.push(
        "signed_by_other_key_same_kid",
        "signed by a different RSA key that claims the kid of the trusted key",
        sign(&k.rotated.signer, &header("RS256", rs_kid), &claims()),
        bad("invalid_signature"),
    );
    let sig_bytes = b64::decode(vs).expect("sig");
    c.push(
        "truncated_signature",
        "RS256 signature with its last byte removed",
        join(vh, vp, &b64::encode(&sig_bytes[..sig_bytes.len() - 1])),
        bad("invalid_signature"),
    );
    c.push(
        "signature_from_eddsa_key_on_rs256",
        "alg RS256 and the RSA kid, but the signature bytes come from a valid EdDSA token",
        join(vh, vp, &parts(&signed(&k.ed, &claims())).2),
        bad("invalid_signature"),
    );
}
