use super::*;

/// Header rules.
pub(super) fn header_rules(c: &mut Cases, k: &Keys, base: &Base<'_>) {
    let Base {
        rs,
        rs_kid,
        valid_rs,
        vp,
        vs,
        ..
    } = base;
    let attacker = &k.rotated;
    let mut attacker_jwk = attacker.jwk.clone();
    attacker_jwk["kid"] = json!("attacker");
    c.push(
        "header_jku",
        "jku pointing at an attacker's key set",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                r#""jku":"https://attacker.example/jwks.json""#,
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_x5u",
        "x5u pointing at an attacker's certificate",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                r#""x5u":"https://attacker.example/cert.pem""#,
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_jwk_embedded",
        "attacker's public key embedded as jwk, token signed by the attacker's private key",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                &format!(
                    r#""jwk":{}"#,
                    serde_json::to_string(&attacker_jwk).expect("jwk")
                ),
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_x5c",
        "x5c chain naming an attacker's key, signed by the attacker",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                &format!(r#""x5c":["{}"]"#, std_b64(&rsa_spki_der(&attacker.jwk))),
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_b64_outside_crit",
        "b64 false without crit (RFC 7797 unencoded payload)",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""b64":false"#),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_crit_b64",
        "b64 false listed in crit: an extension the library does not implement",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""b64":false,"crit":["b64"]"#),
            &claims(),
        ),
        bad("unsupported_critical_header"),
    );
    c.push(
        "header_crit_exp",
        "crit naming exp",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""exp":1700003600,"crit":["exp"]"#),
            &claims(),
        ),
        bad("unsupported_critical_header"),
    );
    c.push(
        "header_crit_empty",
        "crit is an empty array (RFC 7515 forbids it)",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""crit":[]"#),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_crit_not_array",
        "crit is a string",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""crit":"exp""#),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_duplicate_kid",
        "header names kid twice",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"RS256","kid":"{rs_kid}","kid":"no-such-key"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_duplicate_alg",
        "header names alg twice (none, then RS256)",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"none","alg":"RS256","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_json_array",
        "header is a JSON array",
        sign(
            &rs.signer,
            format!(r#"[{{"alg":"RS256","kid":"{rs_kid}"}}]"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_not_json",
        "header is not JSON",
        format!("{}.{vp}.{vs}", b64::encode("alg=RS256")),
        bad("token_malformed"),
    );
    c.push_with(
        "typ_not_allowed",
        "typ JWT when only at+jwt is allowed",
        valid_rs.clone(),
        bad("token_malformed"),
        Some(json!({"allowed_typ": ["at+jwt"]})),
        None,
    );
    c.push_with(
        "typ_missing_when_required",
        "no typ when a typ allowlist is configured",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"RS256","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
        Some(json!({"allowed_typ": ["at+jwt"]})),
        None,
    );
}

/// Compact serialisation.
pub(super) fn compact_serialisation(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base {
        rs,
        valid_rs,
        vh,
        vp,
        vs,
        ..
    } = base;
    c.push(
        "empty_token",
        "the empty string",
        String::new(),
        bad("token_malformed"),
    );
    c.push(
        "one_part",
        "no dots at all",
        vh.clone(),
        bad("token_malformed"),
    );
    c.push(
        "two_parts",
        "header.payload without a signature part",
        format!("{vh}.{vp}"),
        bad("token_malformed"),
    );
    c.push(
        "four_parts",
        "a valid token with a fourth part appended",
        format!("{valid_rs}.{vs}"),
        bad("token_malformed"),
    );
    c.push(
        "trailing_dot",
        "a valid token followed by a dot",
        format!("{valid_rs}."),
        bad("token_malformed"),
    );
    c.push(
        "empty_signature_rs256",
        "RS256 token with the signature part emptied (an empty part decodes to no bytes, which do not verify)",
        format!("{vh}.{vp}."),
        bad("invalid_signature"),
    );
    c.push(
        "padded_header",
        "header part with = padding",
        join(&pad(vh), vp, vs),
        bad("token_malformed"),
    );
    let padded_payload_token = signed(
        rs,
        &claims_with(|m| _ = m.insert("jti".into(), json!("pad"))),
    );
    let (ph, pp, psig) = parts(&padded_payload_token);
    let (ph, pp, psig) = if pp.len().is_multiple_of(4) {
        parts(&signed(
            rs,
            &claims_with(|m| _ = m.insert("jti".into(), json!("padd"))),
        ))
    } else {
        (ph, pp, psig)
    };
    c.push(
        "padded_payload",
        "payload part with = padding",
        join(&ph, &pad(&pp), &psig),
        bad("token_malformed"),
    );
    c.push(
        "padded_signature",
        "signature part with = padding",
        join(vh, vp, &pad(vs)),
        bad("token_malformed"),
    );
    let mid = vp.len() / 2;
    c.push(
        "space_inside_payload",
        "a space in the middle of the payload part",
        join(vh, &format!("{} {}", &vp[..mid], &vp[mid..]), vs),
        bad("token_malformed"),
    );
    c.push(
        "newline_inside_signature",
        "a line break inside the signature part (MIME-style wrapping)",
        join(vh, vp, &format!("{}\n{}", &vs[..64], &vs[64..])),
        bad("token_malformed"),
    );
    c.push(
        "trailing_newline",
        "a valid token followed by a newline",
        format!("{valid_rs}\n"),
        bad("token_malformed"),
    );
    c.push(
        "leading_space",
        "a valid token preceded by a space",
        format!(" {valid_rs}"),
        bad("token_malformed"),
    );
    c.push(
        "bearer_prefix",
        "verify never strips a Bearer prefix",
        format!("Bearer {valid_rs}"),
        bad("token_malformed"),
    );
    c.push(
        "non_canonical_signature_bits",
        "last signature character changed so its unused trailing bits are non-zero (same bytes to a lenient decoder)",
        join(vh, vp, &non_canonical(vs)),
        bad("token_malformed"),
    );
    c.push(
        "non_canonical_header_bits",
        "last header character changed so its unused trailing bits are non-zero",
        join(&non_canonical(vh), vp, vs),
        bad("token_malformed"),
    );
    let std_plus = if vs.contains('-') {
        vs.replacen('-', "+", 1)
    } else {
        format!("+{}", &vs[1..])
    };
    let std_slash = if vs.contains('_') {
        vs.replacen('_', "/", 1)
    } else {
        format!("/{}", &vs[1..])
    };
    c.push(
        "standard_base64_plus",
        "signature with a standard-alphabet + in place of -",
        join(vh, vp, &std_plus),
        bad("token_malformed"),
    );
    c.push(
        "standard_base64_slash",
        "signature with a standard-alphabet / in place of _",
        join(vh, vp, &std_slash),
        bad("token_malformed"),
    );
}

/// Size cap.
pub(super) fn size_cap(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs, valid_rs, .. } = base;
    let big = signed(
        rs,
        &claims_with(|m| _ = m.insert("padding".into(), json!("x".repeat(13_000)))),
    );
    assert!(big.len() > 16_384);
    c.push(
        "oversized_signed_token",
        "a correctly signed token over 16384 bytes",
        big,
        bad("token_too_large"),
    );
    c.push(
        "oversized_garbage",
        "20000 bytes of garbage: the size cap applies before any decoding",
        "!".repeat(20_000),
        bad("token_too_large"),
    );
    c.push_with(
        "one_byte_over_size_cap",
        "max_token_bytes one less than the token length",
        valid_rs.clone(),
        bad("token_too_large"),
        Some(json!({"max_token_bytes": valid_rs.len() - 1})),
        None,
    );
}

/// Payload structure.
pub(super) fn payload_structure(c: &mut Cases, _k: &Keys, base: &Base<'_>) {
    let Base { rs, rs_kid, .. } = base;
    let dup_sub = format!(
        r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","sub":"user-123","sub":"admin","exp":{},"iat":{}}}"#,
        NOW + 3600,
        NOW - 60
    );
    c.push(
        "payload_duplicate_sub",
        "claims name sub twice (parsers disagree on which wins)",
        sign(&rs.signer, &header("RS256", rs_kid), dup_sub.as_bytes()),
        bad("token_malformed"),
    );
    c.push(
        "payload_duplicate_nested_member",
        "a duplicate member inside a nested claim object",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            format!(
                r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","sub":"user-123","exp":{},"realm_access":{{"roles":["viewer"],"roles":["admin"]}}}}"#,
                NOW + 3600
            )
            .as_bytes(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_nested_40_levels",
        "a claim nesting objects 40 levels deep",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("deep".into(), nested_objects(40))),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_nested_33_levels",
        "a claim nesting arrays so that the payload is 33 levels deep (one over the cap)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("deep".into(), nested_arrays(32))),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_not_json",
        "signed payload that is not JSON",
        sign(&rs.signer, &header("RS256", rs_kid), b"sub=admin"),
        bad("token_malformed"),
    );
    c.push(
        "payload_json_array",
        "signed payload that is a JSON array",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            format!("[{}]", String::from_utf8(claims()).expect("utf8")).as_bytes(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_json_string",
        "signed payload that is a JSON string",
        sign(&rs.signer, &header("RS256", rs_kid), br#""admin""#),
        bad("token_malformed"),
    );
    c.push(
        "payload_empty",
        "signed empty payload",
        sign(&rs.signer, &header("RS256", rs_kid), b""),
        bad("token_malformed"),
    );
    c.push(
        "payload_trailing_data",
        "signed payload with data after the JSON object",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            &[claims(), br#"{"sub":"admin"}"#.to_vec()].concat(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_invalid_utf8",
        "signed payload with an invalid UTF-8 byte inside a string",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            &[
                format!(
                    r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{},"sub":"user-"#,
                    NOW + 3600
                )
                .into_bytes(),
                vec![0xff],
                br#""}"#.to_vec(),
            ]
            .concat(),
        ),
        bad("token_malformed"),
    );
}
