use super::*;

/// Crafted tokens: headers and algorithms.
pub(super) fn headers_and_algorithms(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx {
        rs256,
        es256,
        crafter,
        hs384,
        ..
    } = x;
    let base = crafter.token(&[]);
    cases.push(
        Case::new(
            "crafted_baseline",
            "the crafted claim set, well formed (the negatives below change one thing)",
            &base,
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "header_without_typ",
            "typ is optional",
            &crafter.with_header(r#"{"alg":"HS256"}"#, &[]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    let base_payload = serde_json::to_string(&Crafter::base()).unwrap();
    cases.push(
        Case::new(
            "alg_none",
            "alg none with an empty signature",
            &format!(
                "{}.{}.",
                b64::encode(r#"{"alg":"none","typ":"JWT"}"#),
                b64::encode(&base_payload)
            ),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_hs384",
            "HS384 with the right secret: HS256 only",
            &hs384
                .sign_parts(br#"{"alg":"HS384","typ":"JWT"}"#, base_payload.as_bytes())
                .unwrap(),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_rs256",
            "RS256 signed with the test RSA key",
            &rs256
                .sign_parts(
                    br#"{"alg":"RS256","typ":"JWT","kid":"rs256-1"}"#,
                    base_payload.as_bytes(),
                )
                .unwrap(),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_rs256_header_over_hmac",
            "an RS256 header over a valid HS256 MAC (key confusion)",
            &crafter.with_header(r#"{"alg":"RS256","typ":"JWT"}"#, &[]),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_lowercase_hs256",
            "alg names are case-sensitive",
            &crafter.with_header(r#"{"alg":"hs256","typ":"JWT"}"#, &[]),
        )
        .invalid("algorithm_not_allowed"),
    );
    let oidc_claims = json!({
        "iss": "https://idp.incidentfox.test", "aud": "incidentfox-config-service",
        "sub": "user-123", "email": "alice@incidentfox.test", "groups": ["sre"],
        "org_id": ORG, "team_node_id": TEAM, "iat": NOW - 60, "exp": NOW + 3600,
    });
    cases.push(
        Case::new(
            "oidc_es256_token",
            "an OIDC-style ES256 ID token never passes as an impersonation token",
            &es256.sign_claims(&oidc_claims).unwrap(),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "jku_header",
            "a jku header is refused even with a valid MAC",
            &crafter.with_header(
                r#"{"alg":"HS256","typ":"JWT","jku":"https://attacker.example/jwks.json"}"#,
                &[],
            ),
        )
        .stricter("a jku/x5u/jwk/x5c header is refused; PyJWT ignores it")
        .invalid("forbidden_header"),
    );
    cases.push(
        Case::new(
            "crit_header",
            "an unknown critical header extension",
            &crafter.with_header(r#"{"alg":"HS256","typ":"JWT","crit":["exp"],"exp":1}"#, &[]),
        )
        .invalid("unsupported_critical_header"),
    );
    cases.push(
        Case::new(
            "duplicate_alg_in_header",
            "header {\"alg\":\"none\",\"alg\":\"HS256\"}: duplicate members are refused",
            &crafter.with_header(r#"{"alg":"none","alg":"HS256","typ":"JWT"}"#, &[]),
        )
        .stricter("duplicate JSON member names are refused; PyJWT's json.loads keeps the last")
        .invalid("token_malformed"),
    );
}

/// Encoding and size.
pub(super) fn encoding_and_size(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx { crafter, .. } = x;
    // The valid token the headers family starts from.
    let base = crafter.token(&[]);
    cases.push(
        Case::new(
            "non_canonical_base64url_signature",
            "the signature's last character with a non-zero unused bit (same bytes)",
            &non_canonical(&base),
        )
        .stricter(
            "base64url must be canonical; PyJWT before 2.14 ignores the unused bits (2.14 and \
             later refuse them too)",
        )
        .invalid("token_malformed"),
    );
    cases.push(
        Case::new(
            "padded_base64url_signature",
            "the signature with a trailing '=' pad",
            &format!("{base}="),
        )
        .stricter("base64url must be unpadded; PyJWT accepts a trailing '=' (except 2.14)")
        .invalid("token_malformed"),
    );
    cases.push(Case::new("empty_token", "the empty string", "").invalid("token_malformed"));
    let (signing_input, _) = base.rsplit_once('.').unwrap();
    cases.push(
        Case::new("two_segments", "header.payload only", signing_input).invalid("token_malformed"),
    );
    cases.push(
        Case::new(
            "payload_not_an_object",
            "claims that are a JSON array",
            &crafter.raw(r#"{"alg":"HS256","typ":"JWT"}"#, r#"["team:read"]"#),
        )
        .invalid("token_malformed"),
    );
    let exact = padded_token(crafter, MAX_TOKEN_BYTES, false);
    assert_eq!(exact.len(), MAX_TOKEN_BYTES);
    cases.push(
        Case::new(
            "token_of_exactly_16_kib",
            "16384 bytes is the largest size read",
            &exact,
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    let over = padded_token(crafter, MAX_TOKEN_BYTES, true);
    assert!(over.len() > MAX_TOKEN_BYTES && over.len() <= MAX_TOKEN_BYTES + 4);
    cases.push(
        Case::new(
            "token_over_16_kib",
            "just over 16384 bytes, otherwise valid",
            &over,
        )
        .stricter("tokens over 16 KiB are refused before decoding; PyJWT has no size cap")
        .invalid("token_too_large"),
    );
}
